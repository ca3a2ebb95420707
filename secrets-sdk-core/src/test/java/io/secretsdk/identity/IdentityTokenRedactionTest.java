package io.secretsdk.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.secretsdk.SecretConfigException;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every identity token a source obtains, and the GitHub request token it sends, is registered
 * with the global {@link RedactionIndex} before it is used: redacting text that holds it, raw or
 * encoded, shows the credential's mask.
 */
@Timeout(20)
final class IdentityTokenRedactionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private HttpServer server;
  private volatile String body;
  /** What the redaction index made of the Authorization header while the request was in flight. */
  private final List<String> authSeenRedacted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", ex -> {
      authSeenRedacted.add(RedactionIndex.global().redact(ex.getRequestHeaders().getFirst("Authorization")));
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static String canary(String prefix) {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  /** Asserts that {@code secret}, raw, base64 (both alphabets), URL-encoded and hex, is masked as {@code kind}. */
  static void assertMasked(String secret, String kind) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    List<String> forms = List.of(secret,
        Base64.getEncoder().encodeToString(bytes),
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
        URLEncoder.encode(secret, StandardCharsets.UTF_8),
        HexFormat.of().formatHex(bytes));
    for (String form : forms) {
      String redacted = RedactionIndex.global().redact("before " + form + " after");
      assertThat(redacted).as("a form of the %s token", kind)
          .doesNotContain(form).contains("[REDACTED:credential://" + kind + "]");
    }
  }

  @Test
  void gitHubActions_token_registersOidcTokenAndRequestTokenBeforeUse() {
    String requestToken = canary("gha-request-");
    String jwt = TestJwts.jwt(canary("subject-"), T0.plusSeconds(600));
    body = "{\"count\":1,\"value\":\"" + jwt + "\"}";
    Map<String, String> env = Map.of(
        GitHubActionsTokenSource.REQUEST_URL_ENV,
        "http://127.0.0.1:" + server.getAddress().getPort() + "/token?api-version=2.0",
        GitHubActionsTokenSource.REQUEST_TOKEN_ENV, requestToken);
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder()
        .environment(env::get).clock(new TestJwts.MutableClock(T0)).build()) {
      IdentityToken token = source.token();
      assertThat(token.reveal()).isEqualTo(jwt);
    }
    // the request token was already masked while it crossed the wire
    assertThat(authSeenRedacted).containsExactly(
        "Bearer [REDACTED:credential://" + GitHubActionsTokenSource.REQUEST_TOKEN_KIND + "]");
    assertMasked(requestToken, GitHubActionsTokenSource.REQUEST_TOKEN_KIND);
    assertMasked(jwt, GitHubActionsTokenSource.TOKEN_KIND);
  }

  @Test
  void fileSource_token_registersEachTokenRead() throws Exception {
    Path f = dir.resolve("token");
    String first = TestJwts.jwt(canary("first-"), T0.plusSeconds(600));
    Files.writeString(f, first + "\n");
    FileTokenSource source = FileTokenSource.builder(f).clock(new TestJwts.MutableClock(T0)).build();
    assertThat(source.token().reveal()).isEqualTo(first);
    assertMasked(first, FileTokenSource.CREDENTIAL_KIND);

    String second = TestJwts.jwt(canary("second-") + "-rotated", T0.plusSeconds(900));
    Files.writeString(f, second);
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(T0.plusSeconds(5)));
    assertThat(source.token().reveal()).isEqualTo(second);
    assertMasked(second, FileTokenSource.CREDENTIAL_KIND);
  }

  @Test
  void fileSource_contentThatIsNoJwt_isRegisteredAnyway() throws Exception {
    Path f = dir.resolve("token");
    String notAJwt = canary("not-a-jwt-");
    Files.writeString(f, notAJwt);
    FileTokenSource source = FileTokenSource.of(f);
    assertThatThrownBy(source::token).isInstanceOf(SecretConfigException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(notAJwt));
    assertMasked(notAJwt, FileTokenSource.CREDENTIAL_KIND);
  }

  @Test
  void kubernetesSource_token_registeredAsKubernetesCredential() throws Exception {
    Path f = dir.resolve("sa-token");
    String jwt = TestJwts.jwt(canary("system:serviceaccount:"), T0.plusSeconds(600));
    Files.writeString(f, jwt);
    KubernetesServiceAccountTokenSource source =
        KubernetesServiceAccountTokenSource.of(f, new TestJwts.MutableClock(T0));
    assertThat(source.token().reveal()).isEqualTo(jwt);
    assertMasked(jwt, KubernetesServiceAccountTokenSource.CREDENTIAL_KIND);
  }
}
