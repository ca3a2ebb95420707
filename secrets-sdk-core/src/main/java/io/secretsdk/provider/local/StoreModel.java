package io.secretsdk.provider.local;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The decoded, verified content of a store file: ciphertexts and authenticated metadata only.
 * Immutable; a write builds a new model.
 */
record StoreModel(String keyId, long generation, SortedMap<String, SecretEntry> secrets) {

  StoreModel {
    secrets = Collections.unmodifiableSortedMap(new TreeMap<>(secrets));
  }

  static StoreModel empty(String keyId) {
    return new StoreModel(keyId, 0, new TreeMap<>());
  }

  /** One secret: its versions, oldest first, and the number its next version will get. */
  record SecretEntry(String name, int nextVersion, List<VersionEntry> versions) {
    SecretEntry {
      versions = List.copyOf(versions);
    }

    VersionEntry latest() {
      return versions.get(versions.size() - 1);
    }
  }

  /**
   * One version: the value encrypted under its own data key, and the data key wrapped under the
   * KEK. Both GCM operations bind the metadata as associated data.
   */
  record VersionEntry(int version, Instant createdAt, Instant expiresAt,
      SortedMap<String, String> metadata, byte[] wrappedKey, byte[] ciphertext) {
    VersionEntry {
      metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    boolean expired(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
      return "VersionEntry[version=" + version + ", createdAt=" + createdAt + ", expiresAt="
          + expiresAt + "]";
    }
  }
}
