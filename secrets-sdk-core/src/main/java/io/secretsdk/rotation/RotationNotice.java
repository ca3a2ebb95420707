package io.secretsdk.rotation;

import io.secretsdk.SecretRef;
import io.secretsdk.internal.ProviderText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An accepted rotation notification: which secret was rotated, to and from which version, when,
 * the sender's delivery id, and the refs the webhook refreshed. Never a value.
 *
 * <p>Immutable and thread-safe. Its fields come from a signed body, so they are what the sender
 * wrote; {@link #toString()} still shows each as provider data (one that is long, holds unusual
 * characters or looks like a secret is shown as a fingerprint).
 */
public final class RotationNotice {
  private final String secretId;
  private final String newVersion;
  private final String rotatedFrom;
  private final Instant timestamp;
  private final String deliveryId;
  private final List<SecretRef> refs;

  RotationNotice(String secretId, String newVersion, String rotatedFrom, Instant timestamp,
      String deliveryId, List<SecretRef> refs) {
    this.secretId = Objects.requireNonNull(secretId, "secretId");
    this.newVersion = Objects.requireNonNull(newVersion, "newVersion");
    this.rotatedFrom = rotatedFrom;
    this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
    this.deliveryId = Objects.requireNonNull(deliveryId, "deliveryId");
    this.refs = List.copyOf(refs);
  }

  /** The notification's {@code secret_id} (or {@code name}), as sent. */
  public String secretId() {
    return secretId;
  }

  /** The version the secret was rotated to ({@code new_version}). */
  public String newVersion() {
    return newVersion;
  }

  /** The version it was rotated from ({@code rotated_from}), when the sender gave one. */
  public Optional<String> rotatedFrom() {
    return Optional.ofNullable(rotatedFrom);
  }

  /** When the sender says the rotation happened ({@code timestamp}). */
  public Instant timestamp() {
    return timestamp;
  }

  /** The sender's id of this delivery ({@code delivery_id}). */
  public String deliveryId() {
    return deliveryId;
  }

  /** The refs the webhook refreshed for this notification, in mapping order. */
  public List<SecretRef> refs() {
    return refs;
  }

  /** The delivery id, refs and versions, each shown as provider data; never a value. */
  @Override
  public String toString() {
    return "RotationNotice[delivery=" + ProviderText.shown(deliveryId) + ", refs=" + refs
        + ", version " + ProviderText.shown(rotatedFrom) + " -> " + ProviderText.shown(newVersion)
        + ", timestamp=" + timestamp + "]";
  }
}
