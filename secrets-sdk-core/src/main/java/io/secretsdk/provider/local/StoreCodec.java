package io.secretsdk.provider.local;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.SecretConfigException;
import io.secretsdk.provider.local.StoreModel.SecretEntry;
import io.secretsdk.provider.local.StoreModel.VersionEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads and writes the store file's JSON. Parsing is strict (unknown or duplicate fields, wrong
 * types and bad encodings are refused) and its errors name the field or the line and column, never
 * the content found there.
 */
final class StoreCodec {
  static final String FORMAT = "secrets-sdk-local-store";
  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> TOP = Set.of("format", "version", "key_id", "generation",
      "secrets", "mac");
  private static final Set<String> SECRET = Set.of("next_version", "versions");
  private static final Set<String> VERSION = Set.of("version", "created_at", "expires_at",
      "metadata", "wrapped_key", "ciphertext");

  private StoreCodec() {}

  /** A parsed file: the model and the MAC it claims, not yet verified. */
  record Parsed(StoreModel model, byte[] mac) {}

  static byte[] write(StoreModel model, byte[] mac) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT).put("version", FORMAT_VERSION).put("key_id", model.keyId())
        .put("generation", model.generation());
    ObjectNode secrets = root.putObject("secrets");
    for (SecretEntry s : model.secrets().values()) {
      ObjectNode so = secrets.putObject(s.name());
      so.put("next_version", s.nextVersion());
      ArrayNode versions = so.putArray("versions");
      for (VersionEntry v : s.versions()) {
        ObjectNode vo = versions.addObject();
        vo.put("version", v.version()).put("created_at", v.createdAt().toString());
        if (v.expiresAt() != null) {
          vo.put("expires_at", v.expiresAt().toString());
        }
        ObjectNode meta = vo.putObject("metadata");
        v.metadata().forEach(meta::put);
        vo.put("wrapped_key", Base64.getEncoder().encodeToString(v.wrappedKey()))
            .put("ciphertext", Base64.getEncoder().encodeToString(v.ciphertext()));
      }
    }
    root.put("mac", Base64.getEncoder().encodeToString(mac));
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the store", e);
    }
  }

  static Parsed parse(Path file, byte[] content) {
    if (content.length == 0) {
      throw corrupt(file, 0, null, "store file is empty");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(content);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw corrupt(file, at == null ? 0 : Math.max(0, at.getLineNr()), null,
          "store file is not valid JSON" + where + "; it may be truncated or corrupted");
    } catch (IOException e) {
      throw corrupt(file, 0, null, "store file cannot be parsed (" + e.getClass().getSimpleName() + ")");
    }
    if (root == null || !root.isObject()) {
      throw corrupt(file, 0, null, "store file must hold a JSON object");
    }
    only(file, root, TOP, "");
    if (!FORMAT.equals(text(file, root, "format", "format"))) {
      throw corrupt(file, 0, "format", "not a secrets-sdk local store file");
    }
    long version = number(file, root, "version", "version");
    if (version != FORMAT_VERSION) {
      throw corrupt(file, 0, "version", "store format version " + version
          + " is not supported (this SDK reads version " + FORMAT_VERSION + ")");
    }
    String keyId = text(file, root, "key_id", "key_id");
    if (!keyId.matches("[0-9a-f]{16}")) {
      throw corrupt(file, 0, "key_id", "must be 16 lower-case hex digits");
    }
    long generation = number(file, root, "generation", "generation");
    JsonNode secretsNode = root.get("secrets");
    if (secretsNode == null || !secretsNode.isObject()) {
      throw corrupt(file, 0, "secrets", "must be an object");
    }
    SortedMap<String, SecretEntry> secrets = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : secretsNode.properties()) {
      String name = e.getKey();
      String path = "secrets." + name;
      JsonNode so = e.getValue();
      if (!so.isObject()) {
        throw corrupt(file, 0, path, "must be an object");
      }
      only(file, so, SECRET, path + ".");
      long next = number(file, so, "next_version", path + ".next_version");
      JsonNode vs = so.get("versions");
      if (vs == null || !vs.isArray()) {
        throw corrupt(file, 0, path + ".versions", "must be an array");
      }
      List<VersionEntry> versions = new ArrayList<>();
      int previous = 0;
      for (int i = 0; i < vs.size(); i++) {
        String vp = path + ".versions[" + i + "]";
        JsonNode vo = vs.get(i);
        if (!vo.isObject()) {
          throw corrupt(file, 0, vp, "must be an object");
        }
        only(file, vo, VERSION, vp + ".");
        long n = number(file, vo, "version", vp + ".version");
        if (n <= previous || n >= next || n > Integer.MAX_VALUE) {
          throw corrupt(file, 0, vp + ".version", "versions must increase and stay below next_version");
        }
        previous = (int) n;
        Instant created = instant(file, vo, "created_at", vp + ".created_at");
        Instant expires = vo.has("expires_at") ? instant(file, vo, "expires_at", vp + ".expires_at") : null;
        JsonNode mo = vo.get("metadata");
        if (mo == null || !mo.isObject()) {
          throw corrupt(file, 0, vp + ".metadata", "must be an object");
        }
        SortedMap<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, JsonNode> m : mo.properties()) {
          if (!m.getValue().isTextual()) {
            throw corrupt(file, 0, vp + ".metadata", "values must be strings");
          }
          metadata.put(m.getKey(), m.getValue().asText());
        }
        versions.add(new VersionEntry((int) n, created, expires, metadata,
            base64(file, vo, "wrapped_key", vp + ".wrapped_key"),
            base64(file, vo, "ciphertext", vp + ".ciphertext")));
      }
      if (next > Integer.MAX_VALUE) {
        throw corrupt(file, 0, path + ".next_version", "out of range");
      }
      secrets.put(name, new SecretEntry(name, (int) next, versions));
    }
    byte[] mac = base64(file, root, "mac", "mac");
    return new Parsed(new StoreModel(keyId, generation, secrets), mac);
  }

  private static void only(Path file, JsonNode node, Set<String> allowed, String prefix) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        throw corrupt(file, 0, prefix + n, "unknown field");
      }
    }
  }

  private static String text(Path file, JsonNode node, String name, String path) {
    JsonNode v = node.get(name);
    if (v == null || !v.isTextual()) {
      throw corrupt(file, 0, path, "must be a string");
    }
    return v.asText();
  }

  private static long number(Path file, JsonNode node, String name, String path) {
    JsonNode v = node.get(name);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw corrupt(file, 0, path, "must be a non-negative integer");
    }
    return v.asLong();
  }

  private static Instant instant(Path file, JsonNode node, String name, String path) {
    try {
      return Instant.parse(text(file, node, name, path));
    } catch (DateTimeParseException e) {
      throw corrupt(file, 0, path, "must be an ISO-8601 instant");
    }
  }

  private static byte[] base64(Path file, JsonNode node, String name, String path) {
    try {
      return Base64.getDecoder().decode(text(file, node, name, path));
    } catch (IllegalArgumentException e) {
      throw corrupt(file, 0, path, "must be base64");
    }
  }

  static SecretConfigException corrupt(Path file, int line, String field, String problem) {
    return new SecretConfigException(file, line, field, problem
        + "; the file was left untouched: restore it from a backup or move it aside");
  }
}
