package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.onepassword.internal.CliBackend;
import io.secretsdk.onepassword.internal.ConnectBackend;
import io.secretsdk.redact.RedactionIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Authenticated resolves through a real {@link SecretsClient}, by Connect (a spec-checked fake
 * server that insists on the bearer token) and by the {@code op} CLI (the fake script), with every
 * logger at DEBUG, java.util.logging bridged, and all output written through the redacting
 * encoder. The credentials, registered when the providers were made, never appear in the output
 * raw or encoded — also where a library dumps them in a log line (simulated here as OkHttp's and
 * an HTTP library's header logging would write them) — and their masks do.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class AuthenticatedResolveAtDebugTest {
  private static final String CONNECT_MASK =
      "[REDACTED:credential://" + ConnectBackend.TOKEN_KIND + "]";
  private static final String CLI_MASK = "[REDACTED:credential://" + CliBackend.TOKEN_KIND + "]";

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private RedactedLogs logs;

  @BeforeEach
  void setUp() {
    logs = new RedactedLogs();
  }

  @AfterEach
  void tearDown() {
    logs.close();
  }

  /** What a library that dumps request headers at DEBUG would write, through JUL and through SLF4J. */
  private static void libraryHeaderDump(String token) {
    java.util.logging.Logger.getLogger("okhttp3.OkHttpClient")
        .log(Level.FINE, "--> GET /v1/vaults\nAuthorization: Bearer " + token);
    LoggerFactory.getLogger("org.example.http.wire").debug("headers {\"authorization\":\"{}\"} b64={}",
        token, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void connect_authenticatedResolves_noTokenInAnyLogLine() throws Exception {
    String token = Canaries.token("opc", 48);
    Path specs = Specs.onePasswordDirOrNull();
    ConnectSpecDispatcher dispatcher = new ConnectSpecDispatcher(
        specs == null ? null : specs.resolve("connect-api-openapi-1.7.1.yaml"), token, false);
    dispatcher.handler(new FakeConnect().vault(ConnectProviderTest.VAULT, "Prod")
        .item(ConnectProviderTest.stripeItem()));
    server.setDispatcher(dispatcher);
    try (SecretsClient client = SecretsClient.builder()
        .provider(OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
            .host(server.url("/").toString()).token(token).build()))
        .build()) {
      try (Secret s = client.resolve("op://Prod/Stripe/credential")) {
        assertThat(s.reveal()).isEqualTo(ConnectProviderTest.CANARY);
        LoggerFactory.getLogger("app").debug("resolved {}", s);
      }
      Throwable e = catchThrowable(() -> client.resolve("op://Prod/Absent/credential"));
      assertThat(e).isInstanceOf(SecretNotFoundException.class);
      LoggerFactory.getLogger("app").debug("resolve failed", e);
      libraryHeaderDump(token);
    }
    assertThat(dispatcher.violations).as("every request carried the bearer token").isEmpty();
    assertThat(dispatcher.requests).hasSizeGreaterThanOrEqualTo(3);
    // JUL reached the encoder (MockWebServer logs through it), and so did the audit lines
    assertLogsClean(token, ConnectProviderTest.CANARY, CONNECT_MASK, "mockwebserver3.MockWebServer",
        "io.secretsdk.audit");
  }

  private void assertLogsClean(String token, String value, String mask, String... present) {
    String out = logs.text();
    assertThat(out).contains(mask).contains(present);
    Canaries.assertAbsent("log output", out, token);
    assertThat(out).doesNotContain(value);
    Canaries.assertAbsent("the SDK's own log events", logs.rawSdkText(), token);
  }

  @Test
  void cli_authenticatedResolves_noTokenInAnyLogLine() throws Exception {
    String token = Canaries.token("sa", 48);
    Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString()));
    Path op = FakeOp.write(dir);
    try (SecretsClient client = SecretsClient.builder()
        .provider(OnePasswordProvider.serviceAccount(OnePasswordCliOptions.builder()
            .executable(op).token(token).environment(env::get).build()))
        .build()) {
      try (Secret s = client.resolve("op://Prod/Stripe/credential")) {
        assertThat(s.reveal()).isEqualTo(FakeOp.VALUE);
      }
      // the fake CLI echoes the service account token into its error output
      Throwable e = catchThrowable(() -> client.resolve("op://Prod/denied/credential"));
      assertThat(e).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining(CLI_MASK);
      Canaries.assertAbsent("exception", Leaks.text(e), token);
      LoggerFactory.getLogger("app").debug("resolve failed", e);
      libraryHeaderDump(token);
    }
    assertThat(Files.readString(dir.resolve("env"))).contains("OP_SERVICE_ACCOUNT_TOKEN=" + token);
    assertLogsClean(token, FakeOp.VALUE, CLI_MASK, "okhttp3.OkHttpClient", "io.secretsdk.audit");
  }

  @Test
  void cli_stderrCutThroughTheToken_dropsTheCutWord() throws Exception {
    String token = Canaries.token("sa", 48);
    int stderrBound = 8 * 1024; // what the backend reads of the CLI's standard error
    // a value some client resolved, long enough that its short mask leaves the cut word in reach
    // of the message; the token starts 20 bytes before the bound
    String resolved = Canaries.token("resolved", stderrBound - 21 - 8);
    RedactionIndex.global().register(SecretRef.parse("op://Test/long/" + Canaries.letters(8)),
        resolved.getBytes(StandardCharsets.UTF_8));
    String stderr = resolved + " " + token + " more";
    int tokenAt = resolved.length() + 1;
    assertThat(tokenAt).isLessThan(stderrBound).isGreaterThan(stderrBound - token.length());
    Path op = FakeOp.write(dir);
    Files.writeString(dir.resolve("stderr"), stderr);
    try (OnePasswordProvider p = OnePasswordProvider.serviceAccount(OnePasswordCliOptions.builder()
        .executable(op).token(token).environment(Map.of("PATH", "/usr/bin:/bin")::get).build())) {
      Throwable e = catchThrowable(() -> p.fetch(SecretRef.parse("op://Prod/echo-stderr/x"),
          ConnectProviderTest.CTX));
      assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("[REDACTED:op://Test/long/");
      String text = Leaks.text(e);
      assertThat(text).doesNotContain(token.substring(0, 6)).doesNotContain(resolved.substring(0, 12));
    }
  }
}
