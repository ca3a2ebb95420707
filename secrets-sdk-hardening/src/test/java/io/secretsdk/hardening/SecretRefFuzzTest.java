package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;

/**
 * Fuzzes {@link SecretRef#parse}: any string either parses into a ref whose canonical form parses
 * back to an equal ref and obeys the grammar's hard rules, or fails with
 * {@link InvalidSecretRefException} whose message has no control characters. Nothing else may
 * escape (no NPE, no IndexOutOfBounds, no StackOverflow).
 *
 * <p>Regression mode (plain {@code mvn verify}) replays {@code SecretRefFuzzTestInputs/parse/};
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
final class SecretRefFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parse(byte[] input) {
    String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
    SecretRef ref;
    try {
      ref = SecretRef.parse(text);
    } catch (InvalidSecretRefException e) {
      assertThat(e.getMessage()).isNotBlank();
      assertThat(e.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f))
          .as("parse error messages carry no control characters").isTrue();
      return;
    }
    String canonical = ref.toString();
    assertThat(canonical.length()).isLessThanOrEqualTo(3 * SecretRef.MAX_LENGTH);
    assertThat(canonical.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).isTrue();
    assertThat(ref.segments()).doesNotContain("..", ".");
    assertThat(ref.segments().size()).isLessThanOrEqualTo(SecretRef.MAX_SEGMENTS);
    assertThat(ref.scheme()).matches("[a-z][a-z0-9+.-]{0,31}");
    SecretRef again = SecretRef.parse(canonical);
    assertThat(again).as("canonical form of %s parses back to the same ref", canonical).isEqualTo(ref);
    assertThat(again.toString()).isEqualTo(canonical);
  }
}
