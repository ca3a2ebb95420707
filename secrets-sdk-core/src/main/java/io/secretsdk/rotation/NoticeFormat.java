package io.secretsdk.rotation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.secretsdk.rotation.RotationRejectedException.Reason;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Reads the JSON body of a rotation notification. Only called on a body whose signature matched.
 *
 * <p>Jackson's parse errors quote the input, so none is kept as a cause: a rejection names the
 * field and the reason, nothing else.
 */
final class NoticeFormat {
  static final String SECRET_ID = "secret_id";
  static final String NAME = "name";
  static final String NEW_VERSION = "new_version";
  static final String ROTATED_FROM = "rotated_from";
  static final String TIMESTAMP = "timestamp";
  static final String DELIVERY_ID = "delivery_id";

  static final int MAX_SECRET_ID = 2048;
  static final int MAX_VERSION = 256;
  static final int MAX_DELIVERY_ID = 128;

  // duplicate keys are refused: a signed body must mean one thing to every reader
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private NoticeFormat() {}

  /** The fields of a notification; {@code rotatedFrom} may be null. */
  static final class Fields {
    final String secretId;
    final String newVersion;
    final String rotatedFrom;
    final Instant timestamp;
    final String deliveryId;

    Fields(String secretId, String newVersion, String rotatedFrom, Instant timestamp,
        String deliveryId) {
      this.secretId = secretId;
      this.newVersion = newVersion;
      this.rotatedFrom = rotatedFrom;
      this.timestamp = timestamp;
      this.deliveryId = deliveryId;
    }
  }

  static Fields parse(byte[] body) {
    JsonNode root;
    try (JsonParser p = JSON.createParser(body)) {
      root = JSON.readTree(p);
      if (root == null || p.nextToken() != null) { // empty, or trailing content after the object
        throw new RotationRejectedException(Reason.MALFORMED_BODY);
      }
    } catch (IOException e) {
      throw new RotationRejectedException(Reason.MALFORMED_BODY); // e quotes the body: dropped
    }
    if (!root.isObject()) {
      throw new RotationRejectedException(Reason.MALFORMED_BODY);
    }
    String secretId = root.hasNonNull(SECRET_ID)
        ? text(root, SECRET_ID, MAX_SECRET_ID)
        : root.hasNonNull(NAME) ? text(root, NAME, MAX_SECRET_ID) : null;
    if (secretId == null) {
      throw new RotationRejectedException(Reason.MISSING_FIELD, SECRET_ID, null);
    }
    String newVersion = version(root, NEW_VERSION);
    if (newVersion == null) {
      throw new RotationRejectedException(Reason.MISSING_FIELD, NEW_VERSION, null);
    }
    String rotatedFrom = version(root, ROTATED_FROM);
    Instant timestamp = timestamp(root);
    String deliveryId = root.hasNonNull(DELIVERY_ID) ? text(root, DELIVERY_ID, MAX_DELIVERY_ID) : null;
    if (deliveryId == null) {
      throw new RotationRejectedException(Reason.MISSING_FIELD, DELIVERY_ID, null);
    }
    if (!deliveryId.chars().allMatch(NoticeFormat::idChar)) {
      throw new RotationRejectedException(Reason.INVALID_FIELD, DELIVERY_ID, null);
    }
    return new Fields(secretId, newVersion, rotatedFrom, timestamp, deliveryId);
  }

  /** A non-blank string of at most {@code max} characters, none of them a control character. */
  private static String text(JsonNode root, String field, int max) {
    JsonNode n = root.get(field);
    if (!n.isTextual()) {
      throw new RotationRejectedException(Reason.INVALID_FIELD, field, null);
    }
    String s = n.textValue();
    if (s.isBlank() || s.length() > max || s.chars().anyMatch(Character::isISOControl)) {
      throw new RotationRejectedException(Reason.INVALID_FIELD, field, null);
    }
    return s;
  }

  /** A version: a string, or an integer written as a JSON number; null when absent. */
  private static String version(JsonNode root, String field) {
    if (!root.hasNonNull(field)) {
      return null;
    }
    JsonNode n = root.get(field);
    if (n.isIntegralNumber()) {
      String digits = n.bigIntegerValue().toString();
      if (digits.length() > MAX_VERSION) {
        throw new RotationRejectedException(Reason.INVALID_FIELD, field, null);
      }
      return digits;
    }
    return text(root, field, MAX_VERSION);
  }

  /** Epoch seconds (an integer) or an RFC 3339 date-time with an offset. */
  private static Instant timestamp(JsonNode root) {
    if (!root.hasNonNull(TIMESTAMP)) {
      throw new RotationRejectedException(Reason.MISSING_FIELD, TIMESTAMP, null);
    }
    JsonNode n = root.get(TIMESTAMP);
    try {
      if (n.isIntegralNumber() && n.canConvertToLong()) {
        return Instant.ofEpochSecond(n.longValue());
      }
      if (n.isTextual() && n.textValue().length() <= 64) {
        return OffsetDateTime.parse(n.textValue()).toInstant();
      }
    } catch (DateTimeException | ArithmeticException e) {
      // out of range or not RFC 3339: rejected below, without the text
    }
    throw new RotationRejectedException(Reason.INVALID_FIELD, TIMESTAMP, null);
  }

  /** Letters, digits and {@code ._:-}: what UUIDs and the usual delivery ids are made of. */
  private static boolean idChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == ':' || c == '-';
  }
}
