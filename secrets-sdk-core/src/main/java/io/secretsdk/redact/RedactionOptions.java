package io.secretsdk.redact;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of a {@link RedactionIndex}: the minimum length of values masked by value,
 * the memory bounds, and the token-format detectors that run beside the value index.
 *
 * <p>Build with {@link #builder()}; {@link #ofDefaults()} gives the defaults below. Instances are
 * immutable and thread-safe.
 */
public final class RedactionOptions {
  /** Default minimum length, in characters, of a value that is masked by value: {@value}. */
  public static final int DEFAULT_MIN_VALUE_LENGTH = 8;
  /** Default maximum number of registered (ref, value) pairs before the oldest are dropped: {@value}. */
  public static final int DEFAULT_MAX_VALUES = 20_000;
  /** Default maximum number of distinct values kept per ref (versions seen by rotation): {@value}. */
  public static final int DEFAULT_MAX_VERSIONS_PER_REF = 4;
  /**
   * Default length in bytes above which a value is registered only as itself and line by line,
   * without its encoded forms: {@value}.
   */
  public static final int DEFAULT_MAX_ENCODED_VALUE_BYTES = 64 * 1024;
  /** Smallest accepted {@link Builder#minValueLength}: {@value}. */
  public static final int MIN_MIN_VALUE_LENGTH = 4;

  private static final RedactionOptions DEFAULTS = builder().build();

  private final int minValueLength;
  private final int maxValues;
  private final int maxVersionsPerRef;
  private final int maxEncodedValueBytes;
  private final Set<TokenDetector> detectors;

  private RedactionOptions(Builder b) {
    this.minValueLength = b.minValueLength;
    this.maxValues = b.maxValues;
    this.maxVersionsPerRef = b.maxVersionsPerRef;
    this.maxEncodedValueBytes = b.maxEncodedValueBytes;
    this.detectors = Collections.unmodifiableSet(EnumSet.copyOf(b.detectors));
  }

  /** The defaults: every detector, minimum length 8, at most 20,000 values. */
  public static RedactionOptions ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Values shorter than this many characters (bytes, for values that are not UTF-8) are not masked by value. */
  public int minValueLength() {
    return minValueLength;
  }

  /** Most (ref, value) pairs held; past it the least recently registered pair is dropped. */
  public int maxValues() {
    return maxValues;
  }

  /** Most distinct values held per ref; past it the ref's least recently registered value is dropped. */
  public int maxVersionsPerRef() {
    return maxVersionsPerRef;
  }

  /** Values longer than this many bytes are registered as themselves and line by line only. */
  public int maxEncodedValueBytes() {
    return maxEncodedValueBytes;
  }

  /** The token-format detectors that run beside the value index. */
  public Set<TokenDetector> detectors() {
    return detectors;
  }

  @Override
  public String toString() {
    return "RedactionOptions[minValueLength=" + minValueLength + ", maxValues=" + maxValues
        + ", maxVersionsPerRef=" + maxVersionsPerRef + ", maxEncodedValueBytes="
        + maxEncodedValueBytes + ", detectors=" + detectors.size() + "]";
  }

  /** Builder of {@link RedactionOptions}; not thread-safe. */
  public static final class Builder {
    private int minValueLength = DEFAULT_MIN_VALUE_LENGTH;
    private int maxValues = DEFAULT_MAX_VALUES;
    private int maxVersionsPerRef = DEFAULT_MAX_VERSIONS_PER_REF;
    private int maxEncodedValueBytes = DEFAULT_MAX_ENCODED_VALUE_BYTES;
    private Set<TokenDetector> detectors = EnumSet.allOf(TokenDetector.class);

    private Builder() {}

    /**
     * Minimum length of values masked by value.
     *
     * @throws IllegalArgumentException if {@code chars} is below {@value #MIN_MIN_VALUE_LENGTH}
     *     or above 4096
     */
    public Builder minValueLength(int chars) {
      require(chars >= MIN_MIN_VALUE_LENGTH && chars <= 4096,
          "minValueLength must be in [" + MIN_MIN_VALUE_LENGTH + ", 4096]");
      this.minValueLength = chars;
      return this;
    }

    /**
     * Most (ref, value) pairs held.
     *
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public Builder maxValues(int max) {
      require(max > 0, "maxValues must be positive");
      this.maxValues = max;
      return this;
    }

    /**
     * Most distinct values held per ref.
     *
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public Builder maxVersionsPerRef(int max) {
      require(max > 0, "maxVersionsPerRef must be positive");
      this.maxVersionsPerRef = max;
      return this;
    }

    /**
     * Length in bytes above which only the value itself and its lines are registered.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Builder maxEncodedValueBytes(int bytes) {
      require(bytes > 0, "maxEncodedValueBytes must be positive");
      this.maxEncodedValueBytes = bytes;
      return this;
    }

    /**
     * The detectors to run; empty turns format detection off.
     *
     * @throws NullPointerException if {@code detectors} is null
     */
    public Builder detectors(Set<TokenDetector> detectors) {
      Objects.requireNonNull(detectors, "detectors");
      this.detectors = detectors.isEmpty()
          ? EnumSet.noneOf(TokenDetector.class) : EnumSet.copyOf(detectors);
      return this;
    }

    /** The options. */
    public RedactionOptions build() {
      return new RedactionOptions(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
