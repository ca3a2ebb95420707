package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class OnePasswordProviderFactoryTest {
  static final String REF = "op://Prod/Stripe/credential";

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();
  private ConnectSpecDispatcher dispatcher;

  @BeforeEach
  void setUp() throws Exception {
    Path specs = Specs.onePasswordDirOrNull();
    dispatcher = new ConnectSpecDispatcher(specs == null ? null
        : specs.resolve("connect-api-openapi-1.7.1.yaml"), ConnectProviderTest.TOKEN, false);
    dispatcher.handler(new FakeConnect().vault(ConnectProviderTest.VAULT, "Prod")
        .item(ConnectProviderTest.stripeItem()));
    server.setDispatcher(dispatcher);
    env.put("PATH", FakeOp.write(dir).getParent() + ":/usr/bin:/bin");
  }

  private SecretProvider create(Map<String, String> options) {
    return new OnePasswordProviderFactory().create(ProviderSettings.of(options, env::get));
  }

  private static String resolve(SecretProvider p) {
    FetchResult r = p.fetch(SecretRef.parse(REF), FetchContext.of(RunEnvironment.CI));
    try {
      return new String(r.value(), StandardCharsets.UTF_8);
    } finally {
      r.wipe();
    }
  }

  @Test
  void create_connectVariables_resolvesThroughConnect() {
    env.put("OP_CONNECT_HOST", server.url("/").toString());
    env.put("OP_CONNECT_TOKEN", ConnectProviderTest.TOKEN);
    try (SecretProvider p = create(Map.of())) {
      assertThat(p.toString()).startsWith("OnePasswordProvider[connect(");
      assertThat(resolve(p)).isEqualTo(ConnectProviderTest.CANARY);
    }
    assertThat(dispatcher.violations).isEmpty();
  }

  @Test
  void create_serviceAccountToken_resolvesThroughCliFoundOnPath() {
    env.put("OP_SERVICE_ACCOUNT_TOKEN", CliProviderTest.TOKEN);
    try (SecretProvider p = create(Map.of())) {
      assertThat(p.toString()).startsWith("OnePasswordProvider[cli(").doesNotContain(CliProviderTest.TOKEN);
      assertThat(resolve(p)).isEqualTo(FakeOp.VALUE);
    }
  }

  @Test
  void create_bothConfigured_connectTakesPrecedenceUnlessModeSaysCli() {
    env.put("OP_CONNECT_HOST", server.url("/").toString());
    env.put("OP_CONNECT_TOKEN", ConnectProviderTest.TOKEN);
    env.put("OP_SERVICE_ACCOUNT_TOKEN", CliProviderTest.TOKEN);
    try (SecretProvider p = create(Map.of())) {
      assertThat(p.toString()).startsWith("OnePasswordProvider[connect(");
    }
    try (SecretProvider p = create(Map.of("mode", "cli"))) {
      assertThat(p.toString()).startsWith("OnePasswordProvider[cli(");
    }
  }

  @Test
  void create_nothingConfigured_namesTheVariables() {
    assertThatThrownBy(() -> create(Map.of()))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("OP_CONNECT_HOST").hasMessageContaining("OP_CONNECT_TOKEN")
        .hasMessageContaining("OP_SERVICE_ACCOUNT_TOKEN");
  }

  @Test
  void create_halfConnect_refused() {
    env.put("OP_CONNECT_HOST", server.url("/").toString());
    env.put("OP_SERVICE_ACCOUNT_TOKEN", CliProviderTest.TOKEN);
    assertThatThrownBy(() -> create(Map.of()))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("OP_CONNECT_TOKEN");
  }

  @Test
  void create_plainHttpToRemoteHost_needsExplicitOptIn() {
    env.put("OP_CONNECT_HOST", "http://connect.internal:8080");
    env.put("OP_CONNECT_TOKEN", ConnectProviderTest.TOKEN);
    Throwable e = catchThrowable(() -> create(Map.of()));
    assertThat(e).isInstanceOf(SecretConfigException.class).hasMessageContaining("allowPlainHttp");
    Leaks.assertClean(e, ConnectProviderTest.TOKEN);
    env.put("OP_CONNECT_ALLOW_HTTP", "true");
    try (SecretProvider p = create(Map.of())) {
      assertThat(p.toString()).contains("connect.internal");
    }
    try (SecretProvider p = create(Map.of("connectHost", "https://connect.example.com"))) {
      assertThat(p.toString()).contains("https://connect.example.com:443");
    }
  }

  @Test
  void create_badOptionsOrToken_refusedWithoutEchoingToken() {
    env.put("OP_SERVICE_ACCOUNT_TOKEN", "ops_CANARY bad token");
    Throwable e = catchThrowable(() -> create(Map.of()));
    assertThat(e).isInstanceOf(SecretConfigException.class).hasMessageContaining("OP_SERVICE_ACCOUNT_TOKEN");
    Leaks.assertClean(e, "CANARY");
    assertThatThrownBy(() -> create(Map.of("token", "x")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> create(Map.of("mode", "magic")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("op.mode");
    env.put("OP_SERVICE_ACCOUNT_TOKEN", CliProviderTest.TOKEN);
    assertThatThrownBy(() -> create(Map.of("timeout", "soon")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("op.timeout");
  }

  @Test
  void serviceLoader_findsFactoryForOpScheme() {
    boolean found = false;
    for (SecretProviderFactory f : ServiceLoader.load(SecretProviderFactory.class)) {
      if (f instanceof OnePasswordProviderFactory) {
        found = f.scheme().equals("op");
      }
    }
    assertThat(found).isTrue();
  }
}
