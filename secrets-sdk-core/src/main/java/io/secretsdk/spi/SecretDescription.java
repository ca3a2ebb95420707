package io.secretsdk.spi;

import io.secretsdk.SecretRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend says about one secret, without its value: the current version, the version
 * history and non-secret metadata (tags, owner, rotation interval). Built by
 * {@link SecretProvider#describe(SecretRef)}; shown by {@code secrets describe} and
 * {@code secrets versions}.
 *
 * @param ref the ref described
 * @param currentVersion the version a plain resolve returns, when the backend has versions
 * @param versions known versions, newest first
 * @param metadata non-secret metadata, already scrubbed by the provider
 */
public record SecretDescription(
    SecretRef ref, String currentVersion, List<SecretVersionInfo> versions,
    Map<String, String> metadata) {

  /** Checks the fields; lists and maps are copied. */
  public SecretDescription {
    Objects.requireNonNull(ref, "ref");
    versions = List.copyOf(Objects.requireNonNull(versions, "versions"));
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }

  /** The current version id, when the backend has versions. */
  public Optional<String> current() {
    return Optional.ofNullable(currentVersion);
  }
}
