package io.secretsdk.provider.local;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@code local://} store knows about one secret, without its value: the versions kept,
 * when each was created and expires, and each version's metadata.
 *
 * <p>Immutable and thread-safe; safe to print.
 *
 * @param name the secret's name, the path of its ref ({@code openai/dev} for
 *     {@code local://openai/dev})
 * @param versions the versions kept, oldest first; never empty
 */
public record LocalSecretInfo(String name, List<VersionInfo> versions) {

  /** Copies the list. */
  public LocalSecretInfo {
    versions = List.copyOf(versions);
  }

  /** The newest version, which {@code local://name} resolves to unless it has expired. */
  public VersionInfo current() {
    return versions.get(versions.size() - 1);
  }

  /** The ref of this secret. */
  public String ref() {
    return LocalSecretProvider.SCHEME + "://" + name;
  }

  /**
   * One version of a secret.
   *
   * @param version the version number, from 1, never reused
   * @param createdAt when it was written
   * @param expiresAt when it stops resolving, or {@code null}
   * @param expired whether it had expired when this was read (it is removed at the next write)
   * @param metadata its non-secret metadata
   */
  public record VersionInfo(int version, Instant createdAt, Instant expiresAt, boolean expired,
      Map<String, String> metadata) {

    /** Copies the metadata. */
    public VersionInfo {
      metadata = Map.copyOf(metadata);
    }

    /** When it stops resolving, if it expires. */
    public Optional<Instant> expiry() {
      return Optional.ofNullable(expiresAt);
    }
  }
}
