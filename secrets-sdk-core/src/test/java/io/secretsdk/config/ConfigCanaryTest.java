package io.secretsdk.config;

import io.secretsdk.redact.internal.SecretLikeness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.SecretConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files holding something that looks like a secret are rejected, and the canary never shows up in
 * the exception's message, cause chain, toString or stack trace.
 */
@Timeout(30)
final class ConfigCanaryTest {
  // assembled at run time so the test source itself holds no token a scanner would flag
  static final String GITHUB_CANARY = "gh" + "p_" + "C4nary0f1leTest0" + "Zq8x".repeat(5);
  static final String OPENAI_CANARY = "sk" + "-proj-" + "c4naryOpenAiKey_" + "Xy7w".repeat(6);
  static final String RANDOM_CANARY = randomBase64(40, 20261122L);

  @TempDir Path dir;

  /** A random base64 string, fixed by the seed (SplittableRandom's output is specified). */
  static String randomBase64(int length, long seed) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String percentEncodeAll(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      sb.append(String.format("%%%02X", b));
    }
    return sb.toString();
  }

  private static String jsonUnicodeEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(String.format("\\u%04x", (int) c));
    }
    return sb.toString();
  }

  static Stream<Arguments> canaryFiles() {
    return Stream.of(
        Arguments.of("token-as-ref.yaml", "openai:\n  dev:\n    secret_ref: \"" + GITHUB_CANARY
            + "\"\n", GITHUB_CANARY, 3, "openai.dev.secret_ref", "github-token"),
        Arguments.of("openai-token-as-ref.yaml", "openai:\n  ci:\n    secret_ref: " + OPENAI_CANARY
            + "\n", OPENAI_CANARY, 3, "openai.ci.secret_ref", "openai-api-key"),
        Arguments.of("token-in-ref-path.yaml", "openai:\n  ci:\n    secret_ref: \"mem://openai/"
            + OPENAI_CANARY + "\"\n", OPENAI_CANARY, 3, "openai.ci.secret_ref", "openai-api-key"),
        Arguments.of("token-percent-encoded.yaml", "openai:\n  ci:\n    secret_ref: \"mem://x/"
            + percentEncodeAll(GITHUB_CANARY) + "\"\n", GITHUB_CANARY, 3, "openai.ci.secret_ref",
            "github-token"),
        Arguments.of("token-in-comment.yaml", "openai:\n  dev:\n    # old key: " + GITHUB_CANARY
            + "\n    secret_ref: \"mem://openai/dev\"\n", GITHUB_CANARY, 3, null, "github-token"),
        Arguments.of("token-in-trailing-comment.yaml", "openai:\n  dev:\n    secret_ref:"
            + " \"mem://openai/dev#key\"  # was " + OPENAI_CANARY + "\n", OPENAI_CANARY, 3, null,
            "openai-api-key"),
        Arguments.of("token-in-directive.yaml", "%TAG !t! tag:" + GITHUB_CANARY + ",2026:\n---\n"
            + "openai:\n  dev:\n    secret_ref: \"mem://openai/dev\"\n", GITHUB_CANARY, 1, null,
            "github-token"),
        Arguments.of("token-as-key.yaml", "openai:\n  dev:\n    " + GITHUB_CANARY
            + ": \"mem://openai/dev\"\n", GITHUB_CANARY, 3, "openai.dev.<key 1>", "github-token"),
        Arguments.of("token-in-scope.yaml", "openai:\n  dev:\n    secret_ref: \"mem://a/b\"\n"
            + "    scope:\n      - llm:chat\n      - " + OPENAI_CANARY + "\n", OPENAI_CANARY, 6,
            "openai.dev.scope[1]", "openai-api-key"),
        Arguments.of("token-in-broken-file.yaml", "openai:\n  dev: [\n    secret_ref: "
            + GITHUB_CANARY + "\n  ci: {{\n", GITHUB_CANARY, 3, null, "github-token"),
        Arguments.of("random-as-ref.yaml", "openai:\n  prod:\n    secret_ref: \"" + RANDOM_CANARY
            + "\"\n", RANDOM_CANARY, 3, "openai.prod.secret_ref", "high-entropy-string"),
        Arguments.of("random-in-ref-path.yaml", "openai:\n  prod:\n    secret_ref: \"mem://openai/"
            + RANDOM_CANARY.replace('/', 'Q').replace('+', 'z') + "\"\n",
            RANDOM_CANARY.replace('/', 'Q').replace('+', 'z'), 3, "openai.prod.secret_ref",
            "high-entropy-string"),
        Arguments.of("random-as-name.yaml", RANDOM_CANARY.replace('/', 'Q').replace('+', 'z')
            + ":\n  prod:\n    secret_ref: \"mem://a/b\"\n",
            RANDOM_CANARY.replace('/', 'Q').replace('+', 'z'), 1, "<key 1>",
            "high-entropy-string"),
        Arguments.of("password-in-user-info.yaml", "db:\n  prod:\n    secret_ref: "
            + "\"vault://admin:Hunter2CanaryPw@vault.internal/secret/db\"\n", "Hunter2CanaryPw", 3,
            "db.prod.secret_ref", "user-info"),
        Arguments.of("policy-token-name.json", "{\"version\": 1,\n\"allowed_secrets\": [\""
            + GITHUB_CANARY + "\"]}", GITHUB_CANARY, 2, "allowed_secrets[0]", "github-token"),
        Arguments.of("policy-token-escaped.json", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"required_metadata\": [\"" + jsonUnicodeEscape(OPENAI_CANARY) + "\"]}",
            OPENAI_CANARY, 2, "required_metadata[0]", "openai-api-key"),
        Arguments.of("policy-random-prefix.json", "{\"version\": 1, \"allowed_secrets\": [],\n\n"
            + "\"required_prefix\": \"" + RANDOM_CANARY + "\"}", RANDOM_CANARY, 3,
            "required_prefix", "high-entropy-string"),
        Arguments.of("policy-random-key.json", "{\"version\": 1, \"allowed_secrets\": [],\n\""
            + RANDOM_CANARY + "\": true}", RANDOM_CANARY, 2, "<key 3>", "high-entropy-string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("canaryFiles")
  void load_secretLookingContent_rejectedWithoutEchoingIt(String fileName, String content,
      String canary, int line, String field, String detector) throws Exception {
    Path file = dir.resolve(fileName);
    Files.writeString(file, content, StandardCharsets.UTF_8);

    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> {
          if (fileName.endsWith(".yaml")) {
            SecretRegistry.load(file);
          } else {
            SecretPolicy.load(file);
          }
        });

    assertThat(e).isNotNull();
    assertThat(e.line()).hasValue(line);
    if (field == null) {
      assertThat(e.field()).isEmpty();
    } else {
      assertThat(e.field()).contains(field);
    }
    assertThat(e.getMessage()).startsWith(file + ":" + line + ": ").contains(detector);
    assertNoCanary(e, canary);
  }

  @Test
  void parse_secretLookingText_rejectedWithoutEchoingIt() {
    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> SecretRegistry.parse("stripe:\n  prod:\n    secret_ref: " + OPENAI_CANARY + "\n",
            "inline"));

    assertThat(e.getMessage()).startsWith("inline:3: stripe.prod.secret_ref: ");
    assertNoCanary(e, OPENAI_CANARY);
  }

  @Test
  void canaries_areWhatTheDetectorsLookFor() {
    // guards the canaries themselves: if a detector changed, the tests above would prove nothing
    assertThat(SecretLikeness.detect(GITHUB_CANARY)).contains("github-token");
    assertThat(SecretLikeness.detect(OPENAI_CANARY)).contains("openai-api-key");
    assertThat(SecretLikeness.detect(RANDOM_CANARY)).contains(SecretLikeness.HIGH_ENTROPY);
    assertThat(RANDOM_CANARY).hasSize(40);
  }

  static void assertNoCanary(Throwable e, String canary) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(canary);
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(canary);
      assertThat(t.toString()).doesNotContain(canary);
      assertThat(t.getLocalizedMessage() == null ? "" : t.getLocalizedMessage())
          .doesNotContain(canary);
      for (Throwable s : t.getSuppressed()) {
        assertThat(s.toString()).doesNotContain(canary);
      }
    }
    assertThat(e.getCause()).isNull();
  }
}
