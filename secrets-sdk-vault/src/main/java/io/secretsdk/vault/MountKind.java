package io.secretsdk.vault;

/**
 * How the provider reads a mount: KV version 1, KV version 2, or any other engine (leases).
 *
 * <p>Immutable and thread-safe.
 */
public enum MountKind {
  /** KV version 1: {@code GET <mount>/<path>}; no versions. */
  KV_V1,
  /** KV version 2: {@code GET <mount>/data/<path>?version=N}, metadata, check-and-set writes. */
  KV_V2,
  /**
   * Any other secrets engine ({@code database/creds/<role>}, {@code aws/creds/<role>}): a plain read
   * whose lease, when it has one, is renewed and revoked by the provider.
   */
  GENERIC
}
