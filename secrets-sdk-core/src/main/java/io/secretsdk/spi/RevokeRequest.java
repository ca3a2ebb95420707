package io.secretsdk.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to disable a secret at its source: which version, and how hard.
 *
 * @param version the version to revoke, or {@code null} for the current one
 * @param mode what the backend is asked to do
 * @param recoveryWindow for {@link Mode#SCHEDULE_DELETION}: how long the backend keeps it
 *     restorable; {@code null} for the backend's default
 */
public record RevokeRequest(String version, Mode mode, Duration recoveryWindow) {

  /** What revocation asks of the backend. */
  public enum Mode {
    /**
     * Stop serving the version but keep it restorable: Vault KV v2 delete, removing an AWS stage,
     * marking a local version revoked.
     */
    DISABLE,
    /** Destroy the version permanently where the backend can (Vault KV v2 destroy). */
    DESTROY,
    /** Schedule deletion of the whole secret after a recovery window (AWS DeleteSecret). */
    SCHEDULE_DELETION
  }

  /** Checks the fields. */
  public RevokeRequest {
    Objects.requireNonNull(mode, "mode");
    if (recoveryWindow != null && (recoveryWindow.isNegative() || recoveryWindow.isZero())) {
      throw new IllegalArgumentException("recovery window must be positive: " + recoveryWindow);
    }
  }

  /** Disables the current version. */
  public static RevokeRequest disableCurrent() {
    return new RevokeRequest(null, Mode.DISABLE, null);
  }

  /** The version to revoke, when not the current one. */
  public Optional<String> targetVersion() {
    return Optional.ofNullable(version);
  }
}
