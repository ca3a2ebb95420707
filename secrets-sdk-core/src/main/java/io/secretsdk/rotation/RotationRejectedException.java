package io.secretsdk.rotation;

import io.secretsdk.SecretException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A rotation notification was refused, for the {@link Reason} given; nothing was refreshed and
 * the delivery id was not remembered, so a corrected or later delivery can still be accepted.
 *
 * <p>The message names the reason and, for a field problem, the field (one of the fixed names of
 * the notification format); it never quotes the body, the signature or the key. The only cause
 * ever kept is the client's own exception when the signing key or a refresh failed, which the
 * client has already scrubbed.
 */
public class RotationRejectedException extends SecretException {
  private static final long serialVersionUID = 1L;

  /** Why a notification was refused, with the HTTP status {@link RotationWebhook#handle} answers. */
  public enum Reason {
    /** The body is longer than the configured bound. */
    BODY_TOO_LARGE(413),
    /** No signature header, or more than one. */
    MISSING_SIGNATURE(401),
    /** The signature header is not {@code sha256=<64 hex>}, or does not match the body. */
    BAD_SIGNATURE(401),
    /** The body is not a JSON object (or could not be read). */
    MALFORMED_BODY(400),
    /** A required field is absent or null. */
    MISSING_FIELD(400),
    /** A field has the wrong type, length or characters. */
    INVALID_FIELD(400),
    /** The timestamp is older than the window allows. */
    STALE_TIMESTAMP(400),
    /** The timestamp is further in the future than the window allows. */
    FUTURE_TIMESTAMP(400),
    /** The secret id maps to no ref, or to a ref whose scheme no registered provider serves. */
    UNKNOWN_SECRET(404),
    /** The delivery id was already accepted within the window (or is being handled now). */
    REPLAYED(409),
    /** The memory of delivery ids is full of ids still within the window; refused to stay safe. */
    REPLAY_MEMORY_FULL(503),
    /** The signing key could not be resolved; the sender should retry. */
    KEY_UNAVAILABLE(503),
    /** A ref could not be refreshed; the delivery id was forgotten so the sender can retry. */
    REFRESH_FAILED(503);

    private final int httpStatus;

    Reason(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    /** The HTTP status code a handler answers with. */
    public int httpStatus() {
      return httpStatus;
    }

    /** The reason in snake case, e.g. {@code bad_signature}: what a response body carries. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;
  private final String field;

  RotationRejectedException(Reason reason, String field, Throwable cause) {
    super(null, message(reason, field), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.field = field;
  }

  RotationRejectedException(Reason reason) {
    this(reason, null, null);
  }

  private static String message(Reason reason, String field) {
    String m = "rotation notice rejected: " + reason.code();
    return field == null ? m : m + " (field '" + field + "')";
  }

  /** Why the notification was refused. */
  public Reason reason() {
    return reason;
  }

  /** The field concerned, for {@link Reason#MISSING_FIELD} and {@link Reason#INVALID_FIELD}. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
