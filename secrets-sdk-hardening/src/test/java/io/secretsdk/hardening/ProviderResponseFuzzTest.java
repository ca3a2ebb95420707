package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretException;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.testing.FakeTicker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes each HTTP provider's response handling through the wire: MockWebServer answers the
 * secret request with a fuzzed status and body, and the provider's {@code fetch} must return a
 * result or throw a {@link SecretException} subtype — nothing else — with none of the provider's
 * own credentials in the exception (and, for 2xx answers, no canary value either: a body the provider could not parse
 * must not be quoted).
 *
 * <p>The first input byte picks the status, the rest is the body. Seeds:
 * {@code ProviderResponseFuzzTestInputs/<method>/}.
 */
final class ProviderResponseFuzzTest {
  private static final int[] STATUSES = {200, 200, 200, 200, 204, 400, 401, 403, 404, 409, 412, 429, 500, 503};
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.CI);
  private static final Map<HttpProviderKind, Target> TARGETS = new EnumMap<>(HttpProviderKind.class);

  /** One server and provider per kind, for the whole run; the next answer is set per input. */
  private static final class Target {
    final MockWebServer server = new MockWebServer();
    final SecretProvider provider;
    volatile MockResponse next;

    Target(HttpProviderKind kind) throws IOException {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return kind.isSecretRequest(request) ? next : kind.other(request);
        }
      });
      server.start();
      provider = kind.create(server.url("/").uri(), new FakeTicker(), Duration.ofSeconds(2), 256 * 1024);
    }
  }

  private static synchronized Target target(HttpProviderKind kind) throws IOException {
    Target t = TARGETS.get(kind);
    if (t == null) {
      t = new Target(kind);
      TARGETS.put(kind, t);
    }
    return t;
  }

  @AfterAll
  static synchronized void closeAll() {
    for (Target t : TARGETS.values()) {
      t.provider.close();
      t.server.close();
    }
    TARGETS.clear();
  }

  @FuzzTest(maxDuration = "5m")
  void vault(byte[] input) throws IOException {
    fetch(HttpProviderKind.VAULT, input);
  }

  @FuzzTest(maxDuration = "5m")
  void aws(byte[] input) throws IOException {
    fetch(HttpProviderKind.AWS, input);
  }

  @FuzzTest(maxDuration = "5m")
  void onePassword(byte[] input) throws IOException {
    fetch(HttpProviderKind.ONEPASSWORD, input);
  }

  private static void fetch(HttpProviderKind kind, byte[] input) throws IOException {
    // the providers are meant to connect, to the local MockWebServer only
    try (SilentCloseable allowed = BugDetectors.allowNetworkConnections(
        (host, port) -> host.equals("localhost") || host.equals("127.0.0.1"))) {
      fetchAllowed(kind, input);
    }
  }

  private static void fetchAllowed(HttpProviderKind kind, byte[] input) throws IOException {
    int status = input.length == 0 ? 200 : STATUSES[(input[0] & 0xff) % STATUSES.length];
    Buffer body = new Buffer();
    if (input.length > 1) {
      body.write(input, 1, input.length - 1);
    }
    Target t = target(kind);
    t.next = new MockResponse.Builder().code(status).setHeader("Content-Type", kind.contentType())
        .body(body).build();
    try {
      FetchResult r = t.provider.fetch(kind.ref(), CTX);
      assertThat(r).isNotNull();
      Canaries.assertAbsent("FetchResult.toString", r.toString());
      r.wipe();
    } catch (SecretException e) {
      String trace = trace(e);
      // Only the provider's own, whole credentials count: a provider scrubs the exact credential
      // it sent (and well-formed vendor tokens), so a body quoting a mutated or partial token, or
      // another vendor's key glued inside a word (all found by the fuzzer within seconds),
      // passes through as the server wrote it.
      for (String c : kind.credentials()) {
        assertThat(trace.contains(c)).as("%s exception carries a credential", kind).isFalse();
      }
      if (status < 300) {
        assertThat(trace.contains(Canaries.VALUE)).as("%s exception quotes the %d body", kind, status).isFalse();
      }
    }
  }

  private static String trace(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return sw + "\n" + t;
  }
}
