package io.secretsdk.provider.file;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable options of a {@link FileSecretProvider}.
 *
 * <p>Defaults ({@link #ofDefaults()}): no root restriction, files up to {@value #DEFAULT_MAX_SIZE}
 * bytes, bytes returned exactly as stored (no newline stripping), and a TTL of
 * {@link #DEFAULT_TTL} reported with every value so the client re-reads the file and notices
 * rotations. Setting {@link Builder#allowedRoots(List) allowed roots} is recommended: without
 * them a ref can name any file the process may read, such as {@code /etc/shadow} or a private
 * key.
 *
 * <p>Why newline stripping is off by default: the provider returns bytes, and a binary key or
 * keystore that happens to end in {@code 0x0A} must not be altered silently; Spring Boot's
 * config tree makes the same choice. Secrets written with {@code echo token > file} end in a
 * newline; turn on {@link Builder#stripTrailingNewline(boolean)} for such text secrets.
 *
 * <p>Thread-safe (immutable).
 */
public final class FileSecretProviderOptions {
  /** Default largest file read: 1 MiB. */
  public static final int DEFAULT_MAX_SIZE = 1024 * 1024;

  /** Largest {@link Builder#maxSize(int)} accepted: 64 MiB. */
  public static final int MAX_MAX_SIZE = 64 * 1024 * 1024;

  /** Default TTL reported with every value: one minute, about the kubelet's secret sync period. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(1);

  /** Default for {@link Builder#stripTrailingNewline(boolean)}: off, bytes are returned as stored. */
  public static final boolean DEFAULT_STRIP_TRAILING_NEWLINE = false;

  private static final FileSecretProviderOptions DEFAULTS = builder().build();

  private final List<Path> allowedRoots;
  private final int maxSize;
  private final boolean stripTrailingNewline;
  private final Duration ttl;

  private FileSecretProviderOptions(Builder b) {
    this.allowedRoots = List.copyOf(b.allowedRoots);
    this.maxSize = b.maxSize;
    this.stripTrailingNewline = b.stripTrailingNewline;
    this.ttl = b.ttl;
  }

  /** Starts options with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default options. */
  public static FileSecretProviderOptions ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Directories refs must point into (absolute, normalized); empty when any path is allowed.
   */
  public List<Path> allowedRoots() {
    return allowedRoots;
  }

  /** Largest file read, in bytes. */
  public int maxSize() {
    return maxSize;
  }

  /** Whether one trailing {@code \n} or {@code \r\n} is removed from the value. */
  public boolean stripTrailingNewline() {
    return stripTrailingNewline;
  }

  /** The TTL reported with every value; {@link Duration#ZERO} means none is reported. */
  public Duration ttl() {
    return ttl;
  }

  @Override
  public String toString() {
    return "FileSecretProviderOptions[allowedRoots=" + allowedRoots + ", maxSize=" + maxSize
        + ", stripTrailingNewline=" + stripTrailingNewline + ", ttl=" + ttl + "]";
  }

  /** Builds {@link FileSecretProviderOptions}; every setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private final List<Path> allowedRoots = new ArrayList<>();
    private int maxSize = DEFAULT_MAX_SIZE;
    private boolean stripTrailingNewline = DEFAULT_STRIP_TRAILING_NEWLINE;
    private Duration ttl = DEFAULT_TTL;

    private Builder() {}

    /**
     * Adds a directory that refs may point into. A ref outside every root, or a symbolic link
     * leading out of them, fails with {@link io.secretsdk.PolicyViolationException}.
     *
     * @throws NullPointerException if {@code root} is null
     * @throws IllegalArgumentException if {@code root} is not absolute
     */
    public Builder allowedRoot(Path root) {
      Objects.requireNonNull(root, "root");
      if (!root.isAbsolute()) {
        throw new IllegalArgumentException("allowedRoot must be an absolute path");
      }
      allowedRoots.add(root.normalize());
      return this;
    }

    /**
     * Replaces the allowed roots; see {@link #allowedRoot(Path)}.
     *
     * @throws NullPointerException if {@code roots} or an element is null
     * @throws IllegalArgumentException if a root is not absolute
     */
    public Builder allowedRoots(List<Path> roots) {
      Objects.requireNonNull(roots, "roots");
      List<Path> checked = new ArrayList<>();
      for (Path root : roots) {
        Objects.requireNonNull(root, "allowedRoots element");
        if (!root.isAbsolute()) {
          throw new IllegalArgumentException("allowedRoots must hold absolute paths only");
        }
        checked.add(root.normalize());
      }
      allowedRoots.clear();
      allowedRoots.addAll(checked);
      return this;
    }

    /**
     * The largest file read, in bytes; a larger file fails with
     * {@link io.secretsdk.PolicyViolationException} without being read.
     *
     * @throws IllegalArgumentException if not in 1..{@value #MAX_MAX_SIZE}
     */
    public Builder maxSize(int bytes) {
      if (bytes < 1 || bytes > MAX_MAX_SIZE) {
        throw new IllegalArgumentException("maxSize must be between 1 and " + MAX_MAX_SIZE + " bytes");
      }
      this.maxSize = bytes;
      return this;
    }

    /** Whether to remove one trailing {@code \n} or {@code \r\n} from the value (default off). */
    public Builder stripTrailingNewline(boolean strip) {
      this.stripTrailingNewline = strip;
      return this;
    }

    /**
     * The TTL reported with every value, so the client re-reads the file that often;
     * {@link Duration#ZERO} reports none (the client's caps alone apply).
     *
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("ttl must not be negative");
      }
      this.ttl = ttl;
      return this;
    }

    /** Builds the options. */
    public FileSecretProviderOptions build() {
      return new FileSecretProviderOptions(this);
    }
  }
}
