package io.secretsdk.event;

import io.secretsdk.SecretRef;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A new version of a secret was seen by a refresh: the ref, the old and the new version id, and
 * when. Never the value.
 *
 * <p>Immutable.
 */
public final class SecretChangeEvent {
  private final SecretRef ref;
  private final String oldVersion;
  private final String newVersion;
  private final Instant seenAt;

  /**
   * Creates an event.
   *
   * @param ref the ref whose value changed
   * @param oldVersion the version served before, or {@code null} when the provider has no versions
   * @param newVersion the version now served, or {@code null} when the provider has no versions
   * @param seenAt when the client saw the change
   */
  public SecretChangeEvent(SecretRef ref, String oldVersion, String newVersion, Instant seenAt) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.oldVersion = oldVersion;
    this.newVersion = newVersion;
    this.seenAt = Objects.requireNonNull(seenAt, "seenAt");
  }

  /** The ref whose value changed. */
  public SecretRef ref() {
    return ref;
  }

  /** The version served before the change, when the provider has versions. */
  public Optional<String> oldVersion() {
    return Optional.ofNullable(oldVersion);
  }

  /** The version served after the change, when the provider has versions. */
  public Optional<String> newVersion() {
    return Optional.ofNullable(newVersion);
  }

  /** When the client saw the change. */
  public Instant seenAt() {
    return seenAt;
  }

  @Override
  public String toString() {
    return "SecretChangeEvent[ref=" + ref + ", oldVersion=" + oldVersion + ", newVersion="
        + newVersion + ", seenAt=" + seenAt + "]";
  }
}
