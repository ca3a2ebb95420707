package io.secretsdk.redact;

import io.secretsdk.SecretRef;
import java.util.Optional;

/**
 * One span of a text that {@link RedactionIndex} would redact: where it is and what it is (a
 * registered secret's ref, or a token-format detector), never the matched text.
 *
 * <p>Positions are char indexes for {@link RedactionIndex#findAll(CharSequence)} and byte offsets
 * for {@link RedactionIndex#findAllUtf8(byte[], int, int)}. Immutable and thread-safe.
 */
public final class RedactionMatch {
  /** What kind of thing matched. */
  public enum Kind {
    /** A registered secret value, or one of its encoded forms. */
    SECRET_VALUE,
    /** A well-known token format ({@link TokenDetector}). */
    TOKEN_FORMAT
  }

  private final int start;
  private final int end;
  private final SecretRef ref;
  private final TokenDetector detector;

  RedactionMatch(int start, int end, SecretRef ref, TokenDetector detector) {
    this.start = start;
    this.end = end;
    this.ref = ref;
    this.detector = detector;
  }

  /** Start (inclusive) of the span. */
  public int start() {
    return start;
  }

  /** End (exclusive) of the span. */
  public int end() {
    return end;
  }

  /** Whether a registered value or a token format matched. */
  public Kind kind() {
    return ref != null ? Kind.SECRET_VALUE : Kind.TOKEN_FORMAT;
  }

  /** The ref of the registered value that matched, for {@link Kind#SECRET_VALUE}. */
  public Optional<SecretRef> ref() {
    return Optional.ofNullable(ref);
  }

  /** The detector that matched, for {@link Kind#TOKEN_FORMAT}. */
  public Optional<TokenDetector> detector() {
    return Optional.ofNullable(detector);
  }

  /** The ref (as text) or the detector id: what goes between {@code [REDACTED:} and {@code ]}. */
  public String label() {
    return ref != null ? ref.toString() : detector.id();
  }

  @Override
  public String toString() {
    return "RedactionMatch[" + kind() + " " + label() + " at " + start + ".." + end + "]";
  }
}
