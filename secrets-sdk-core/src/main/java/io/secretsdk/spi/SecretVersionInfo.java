package io.secretsdk.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One version of a secret as its backend describes it: id, stages, state and times. Never holds a
 * value; every string in it came from the backend and is shown to operators, so providers pass
 * backend-supplied text through their scrubber before building one.
 *
 * @param version the backend's version id ({@code 3}, an AWS version UUID)
 * @param stages stage labels ({@code AWSCURRENT}, {@code AWSPREVIOUS}); empty where the backend
 *     has none
 * @param state whether the version can still be read
 * @param createdAt when the version was written, when known
 * @param expiresAt when it stops being served (a lease end, a deletion time), when known
 */
public record SecretVersionInfo(
    String version, Set<String> stages, State state, Instant createdAt, Instant expiresAt) {

  /** Whether a version can still be read. */
  public enum State {
    /** Readable. */
    ENABLED,
    /** Soft-deleted or disabled at the source; may be restored. */
    DISABLED,
    /** Destroyed at the source; cannot be restored. */
    DESTROYED
  }

  /** Checks the fields; {@code stages} is copied. */
  public SecretVersionInfo {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    stages = Set.copyOf(Objects.requireNonNull(stages, "stages"));
  }

  /** When the version was written, when known. */
  public Optional<Instant> created() {
    return Optional.ofNullable(createdAt);
  }

  /** When the version stops being served, when known. */
  public Optional<Instant> expires() {
    return Optional.ofNullable(expiresAt);
  }
}
