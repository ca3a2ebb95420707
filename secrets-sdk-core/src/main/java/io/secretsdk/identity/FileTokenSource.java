package io.secretsdk.identity;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An {@link IdentityTokenSource} that reads a JWT from a file: a Kubernetes projected
 * service-account token, a token written by a CI system or by a sidecar.
 *
 * <p>The token is cached and the file is read again when it changes (modification time, size or
 * file identity: kubelet rotates projected tokens by swapping a symlink) or when the cached token is
 * within {@link Builder#refreshAhead(Duration) refreshAhead} of its {@code exp} claim, read with
 * nimbus-jose-jwt. The token is not verified here; the backend that receives it verifies it.
 *
 * <p>Every token read is registered with {@link RedactionIndex#global()} as a credential
 * ({@code credential://identity/file}) before it is returned, so a log line written through the
 * redacting encoder masks it, raw or encoded.
 *
 * <p>Thread-safe. A change check costs one {@code stat} of the file.
 */
public final class FileTokenSource implements IdentityTokenSource {
  /** Re-read the file when the cached token expires within this window, by default. */
  public static final Duration DEFAULT_REFRESH_AHEAD = Duration.ofMinutes(1);
  /** The credential kind tokens read by a plain file source are registered under. */
  static final String CREDENTIAL_KIND = "identity/file";

  private final Path path;
  private final String credentialKind;
  private final Clock clock;
  private final Duration refreshAhead;
  private final Object lock = new Object();
  private volatile Cached cached;

  private FileTokenSource(Builder b) {
    this.path = b.path;
    this.credentialKind = b.credentialKind;
    this.clock = b.clock;
    this.refreshAhead = b.refreshAhead;
  }

  /** A source reading {@code path} with the default settings. */
  public static FileTokenSource of(Path path) {
    return builder(path).build();
  }

  /** Starts a builder for a source reading {@code path}. */
  public static Builder builder(Path path) {
    return new Builder(path);
  }

  /** The file this source reads. */
  public Path path() {
    return path;
  }

  /**
   * The current token, re-read from the file when it changed or nears expiry.
   *
   * @throws SecretConfigException if the file does not exist, is too large or holds no JWT
   * @throws ProviderUnavailableException if the file cannot be read right now, or holds a token that
   *     has already expired (the writer is expected to rotate it)
   */
  @Override
  public IdentityToken token() {
    Stamp stamp = stamp();
    Cached c = cached;
    Instant now = clock.instant();
    if (c != null && c.stamp.equals(stamp) && !JwtSupport.dueForRefresh(c.token.expiresAt().orElse(null), now, refreshAhead)) {
      return c.token;
    }
    synchronized (lock) {
      c = cached;
      stamp = stamp();
      if (c == null || !c.stamp.equals(stamp) || JwtSupport.dueForRefresh(c.token.expiresAt().orElse(null), now, refreshAhead)) {
        c = new Cached(stamp, read(c));
        cached = c;
      }
    }
    Instant exp = c.token.expiresAt().orElse(null);
    if (exp != null && !now.isBefore(exp)) {
      throw new ProviderUnavailableException(null,
          "the JWT in " + path + " expired at " + exp + " and has not been rotated yet");
    }
    return c.token;
  }

  private Stamp stamp() {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
    } catch (NoSuchFileException e) {
      throw new SecretConfigException(path, 0, null, "token file does not exist");
    } catch (IOException e) {
      throw new ProviderUnavailableException(null, "cannot read token file " + path + ": "
          + e.getClass().getSimpleName(), e);
    }
  }

  private IdentityToken read(Cached previous) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(JwtSupport.MAX_TOKEN_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new SecretConfigException(path, 0, null, "token file does not exist");
    } catch (IOException e) {
      throw new ProviderUnavailableException(null, "cannot read token file " + path + ": "
          + e.getClass().getSimpleName(), e);
    }
    if (bytes.length > JwtSupport.MAX_TOKEN_BYTES) {
      throw new SecretConfigException(path, 0, null,
          "token file is larger than " + JwtSupport.MAX_TOKEN_BYTES + " bytes");
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    java.util.Arrays.fill(bytes, (byte) 0);
    if (text.isEmpty()) {
      throw new SecretConfigException(path, 0, null, "token file is empty");
    }
    // registered before anything can fail or use it; a file touched without a new token is not
    // registered again
    if (previous == null || !previous.token.reveal().equals(text)) {
      RedactionIndex.global().registerCredential(credentialKind, text);
    }
    Instant exp;
    try {
      exp = JwtSupport.expiry(text);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(path, 0, null, "token file does not hold a JWT");
    }
    return IdentityToken.of(text, exp);
  }

  @Override
  public String toString() {
    return "FileTokenSource[path=" + path + "]";
  }

  private static final class Stamp {
    final long modified;
    final long size;
    final Object fileKey;

    Stamp(long modified, long size, Object fileKey) {
      this.modified = modified;
      this.size = size;
      this.fileKey = fileKey;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Stamp)) {
        return false;
      }
      Stamp s = (Stamp) o;
      return modified == s.modified && size == s.size && Objects.equals(fileKey, s.fileKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(modified, size, fileKey);
    }
  }

  private static final class Cached {
    final Stamp stamp;
    final IdentityToken token;

    Cached(Stamp stamp, IdentityToken token) {
      this.stamp = stamp;
      this.token = token;
    }
  }

  /** Builds a {@link FileTokenSource}. Not thread-safe. */
  public static final class Builder {
    private final Path path;
    private String credentialKind = CREDENTIAL_KIND;
    private Clock clock = Clock.systemUTC();
    private Duration refreshAhead = DEFAULT_REFRESH_AHEAD;

    private Builder(Path path) {
      this.path = Objects.requireNonNull(path, "path");
    }

    /** The credential kind the tokens are registered under (the Kubernetes source names its own). */
    Builder credentialKind(String kind) {
      this.credentialKind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** The clock that decides whether the cached token nears expiry (tests inject one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Re-read the file when the cached token expires within this window.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder refreshAhead(Duration refreshAhead) {
      this.refreshAhead = JwtSupport.requireNonNegative(refreshAhead, "refreshAhead");
      return this;
    }

    /** Builds the source; the file is first read on the first {@link #token()} call. */
    public FileTokenSource build() {
      return new FileTokenSource(this);
    }
  }
}
