package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's Secrets API from configuration alone: {@code SECRETS_SDK_PROVIDERS=platform}
 * serves {@code secret://} refs, although the factory's name is not the refs' scheme.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class PlatformThroughCliTest {
  @TempDir Path dir;
  @StartStop private final MockWebServer platform = new MockWebServer();
  private final String canary = CliRun.canary();
  private final String serviceKey = CliRun.canary();
  private final String accessToken = CliRun.canary();

  private Map<String, String> env() {
    platform.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        String target = String.valueOf(r.getTarget());
        if (target.startsWith("/auth/service-token")) {
          return json("{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\","
              + "\"expires_in\":900}");
        }
        if (target.startsWith("/secrets/payments%2Fprod%2Fstripe%2Fapi-key")
            && ("Bearer " + accessToken).equals(r.getHeaders().get("Authorization"))) {
          return json("{\"value\":\"" + canary + "\",\"version\":\"3\"}");
        }
        return new MockResponse.Builder().code(404).body("{\"error\":\"not found\"}").build();
      }
    });
    return Map.of("HOME", dir.toString(),
        "SECRETS_SDK_PROVIDERS", "platform",
        "SECRETS_SDK_ENV", "prod",
        "SECRETS_SDK_PLATFORM_BASE_URL", platform.url("/").toString(),
        "SECRETS_SDK_PLATFORM_AUTH", "service-token",
        "SECRETS_SDK_PLATFORM_SERVICE_ACCOUNT", "svc-payments",
        "SECRETS_SDK_PLATFORM_SERVICE_KEY", serviceKey);
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(body).build();
  }

  @Test
  void run_resolvesASecretRefThroughThePlatformFactory_andMasksIt() {
    CliRun.Result r = CliRun.run(env(), "", Backends.NONE, "run",
        "KEY=secret://payments/prod/stripe/api-key", "--", "sh", "-c",
        "echo \"key=$KEY\"; printf %s \"$KEY\" | base64");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("key=[REDACTED:secret://payments/prod/stripe/api-key]");
    assertThat(r.all()).doesNotContain(canary).doesNotContain(serviceKey)
        .doesNotContain(accessToken);
  }
}
