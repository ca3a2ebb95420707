package io.secretsdk.aws.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Extracts one key of a JSON-object secret ({@code aws-sm://name#key}), the way the AWS console
 * stores key/value secrets.
 *
 * <p>Jackson's parse errors quote the input, so they are never passed on: the errors here say
 * only what the ref asked for and why the value could not serve it. Thread-safe.
 */
public final class JsonKeys {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private JsonKeys() {}

  /**
   * The value of {@code key} in the JSON object {@code json}: strings as their UTF-8 text, numbers
   * and booleans as their JSON text, objects and arrays as compact JSON.
   *
   * @throws InvalidSecretRefException if the value is not a JSON object (the ref asks for a key the
   *     secret cannot have)
   * @throws SecretNotFoundException if the object has no such key, or it is null
   */
  public static byte[] extract(SecretRef ref, byte[] json, String key) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw notAnObject(ref, key);
    } catch (IOException e) {
      throw notAnObject(ref, key);
    }
    if (root == null || !root.isObject()) {
      throw notAnObject(ref, key);
    }
    JsonNode node = root.get(key);
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw new SecretNotFoundException(ref, "the secret's JSON object has no key '" + key + "'");
    }
    if (node.isTextual()) {
      return node.textValue().getBytes(StandardCharsets.UTF_8);
    }
    if (node.isValueNode()) {
      return node.asText().getBytes(StandardCharsets.UTF_8);
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static InvalidSecretRefException notAnObject(SecretRef ref, String key) {
    return new InvalidSecretRefException(ref, "the ref asks for JSON key '" + key
        + "' but the secret value is not a JSON object");
  }
}
