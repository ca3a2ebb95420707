package io.secretsdk.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Fake tokens are assembled at run time, so this source holds no token-shaped literal. */
final class TokenDetectorTest {
  private static String a(int n) {
    return Canaries.alnum(n);
  }

  private static String upper(int n) {
    StringBuilder sb = new StringBuilder();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt((int) (Math.random() * alphabet.length())));
    }
    return sb.toString();
  }

  private static String b64url(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes());
  }

  static Stream<Arguments> tokens() {
    String jwt = b64url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "."
        + b64url("{\"sub\":\"runner\",\"aud\":\"vault\",\"exp\":1900000000}") + "." + a(43);
    String pem = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + a(64) + "\n" + a(64) + "\n-----END "
        + "RSA PRIVATE KEY-----";
    return Stream.of(
        Arguments.of(TokenDetector.ANTHROPIC_API_KEY, "sk-ant-" + "api03-" + a(93) + "AA",
            "sk-ant-" + "api03-" + a(20)),
        Arguments.of(TokenDetector.OPENAI_API_KEY, "sk-" + "proj-" + a(74) + "T3BlbkFJ" + a(74),
            "sk-" + "project-" + a(40)),
        Arguments.of(TokenDetector.OPENAI_API_KEY, "sk-" + a(20) + "T3BlbkFJ" + a(20),
            "sk-" + a(20) + "T3BlbkFX" + a(20)),
        Arguments.of(TokenDetector.AWS_ACCESS_KEY_ID, "AKIA" + upper(16), "AKIA" + upper(15)),
        Arguments.of(TokenDetector.AWS_ACCESS_KEY_ID, "ASIA" + upper(16), "XASIA" + upper(16)),
        Arguments.of(TokenDetector.GITHUB_TOKEN, "ghp" + "_" + a(36), "ghp" + "_" + a(30)),
        Arguments.of(TokenDetector.GITHUB_TOKEN, "ghs" + "_" + a(36), "ghx" + "_" + a(36)),
        Arguments.of(TokenDetector.GITHUB_FINE_GRAINED_PAT, "github" + "_pat_" + a(22) + "_" + a(59),
            "github" + "_pat_" + a(40)),
        Arguments.of(TokenDetector.SLACK_TOKEN, "xox" + "b-" + Canaries.digits(10) + "-" + Canaries.digits(13) + "-" + a(24),
            "xox" + "b-token-placeholder-value"),
        Arguments.of(TokenDetector.STRIPE_LIVE_KEY, "sk" + "_live_" + a(24), "sk" + "_test_" + a(24)),
        Arguments.of(TokenDetector.STRIPE_LIVE_KEY, "rk" + "_live_" + a(24), "rk" + "_live_" + a(10)),
        Arguments.of(TokenDetector.PRIVATE_KEY_BLOCK, pem,
            "-----BEGIN " + "PUBLIC KEY-----\n" + a(64) + "\n-----END " + "PUBLIC KEY-----"),
        Arguments.of(TokenDetector.JWT, jwt, b64url("{\"alg\":\"none\"}") + "." + a(30)),
        Arguments.of(TokenDetector.VAULT_TOKEN, "hv" + "s." + a(90), "hv" + "s." + a(10)),
        Arguments.of(TokenDetector.GITLAB_TOKEN, "gl" + "pat-" + a(20), "gl" + "pat-" + a(8)),
        Arguments.of(TokenDetector.GOOGLE_API_KEY, "AI" + "za" + a(35), "AI" + "za" + a(20)),
        Arguments.of(TokenDetector.NPM_TOKEN, "np" + "m_" + a(36), "np" + "m_" + a(12)),
        Arguments.of(TokenDetector.ONEPASSWORD_SERVICE_ACCOUNT_TOKEN,
            "op" + "s_" + b64url("{\"signInAddress\":\"my.1password.com\",\"userAuth\":{\"method\":\"SRPg-4096\"}}") + a(120),
            "op" + "s_" + a(40)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tokens")
  void findAll_realisticFakeToken_matchesWholeToken(TokenDetector detector, String token, String nearMiss) {
    String text = "before " + token + " after";
    List<TokenDetector.Match> matches = TokenDetector.findAll(text);
    assertThat(matches).hasSize(1);
    assertThat(matches.get(0).detector()).isEqualTo(detector);
    assertThat(matches.get(0).start()).isEqualTo(7);
    assertThat(matches.get(0).end()).isEqualTo(7 + token.length());
    assertThat(TokenDetector.firstMatching(text)).contains(detector);
    assertThat(RedactionIndex.create().redact(text))
        .isEqualTo("before [REDACTED:" + detector.id() + "] after");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tokens")
  void findAll_nearMiss_noMatch(TokenDetector detector, String token, String nearMiss) {
    String text = "before " + nearMiss + " after";
    assertThat(TokenDetector.findAll(text)).isEmpty();
    assertThat(TokenDetector.firstMatching(text)).isEmpty();
    assertThat(RedactionIndex.create().redact(text)).isSameAs(text);
  }

  @Test
  void findAll_tokenInsideLongerIdentifier_noMatch() {
    String text = "x_ghp_" + a(36) + " AKIA" + upper(16) + "Z";
    assertThat(TokenDetector.findAll(text)).isEmpty();
  }

  @Test
  void findAll_ordinaryProse_noMatch() {
    String text = "The task asked for a key; they thought the right high night sky was skewed. "
        + "A dash -----, an eye, gh, xo, sk-, AKIA, eyJ. npm_ install. hvs. glpat- AIza.";
    assertThat(TokenDetector.findAll(text)).isEmpty();
    assertThat(TokenDetector.firstMatching(text)).isEmpty();
  }

  @Test
  void findAll_tokensInUtf8Bytes_matchedByIndex() {
    String token = "ghp" + "_" + a(36);
    byte[] bytes = ("é " + token + " ü").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<RedactionMatch> m = RedactionIndex.create().findAllUtf8(bytes, 0, bytes.length);
    assertThat(m).hasSize(1);
    assertThat(m.get(0).start()).isEqualTo(3);
    assertThat(m.get(0).detector()).contains(TokenDetector.GITHUB_TOKEN);
  }
}
