package io.secretsdk.event;

import io.secretsdk.SecretRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A previous version of a rotated secret stops being resolvable soon: the ref, the version whose
 * grace window ends, the version now current, and when the window ends. Never the value.
 *
 * <p>Immutable.
 *
 * @param ref the ref whose previous version's window ends
 * @param previousVersion the version leaving its grace window, or {@code null} when the provider
 *     has no versions
 * @param currentVersion the version served now, or {@code null} when unknown
 * @param graceEndsAt when the previous version stops being resolvable
 * @param timeLeft how long until then, as of the warning
 */
public record GraceEndingEvent(SecretRef ref, String previousVersion, String currentVersion,
    Instant graceEndsAt, Duration timeLeft) {

  /** Checks the fields. */
  public GraceEndingEvent {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(graceEndsAt, "graceEndsAt");
    Objects.requireNonNull(timeLeft, "timeLeft");
  }

  /** The version leaving its grace window, when the provider has versions. */
  public Optional<String> previous() {
    return Optional.ofNullable(previousVersion);
  }

  /** The version served now, when known. */
  public Optional<String> current() {
    return Optional.ofNullable(currentVersion);
  }
}
