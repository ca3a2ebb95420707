package io.secretsdk.config;

import io.secretsdk.SecretConfigException;
import io.secretsdk.config.ConfigNode.IntNode;
import io.secretsdk.config.ConfigNode.ListNode;
import io.secretsdk.config.ConfigNode.MapNode;
import io.secretsdk.config.ConfigNode.Member;
import io.secretsdk.config.ConfigNode.OtherNode;
import io.secretsdk.config.ConfigNode.StringNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed, strict access to a parsed file's fields; every failure names file, line and field.
 *
 * <p>One instance per load; not shared.
 */
final class ConfigFields {
  /** Names of registry entries, metadata keys: what may be echoed in messages and paths. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  /** Longest TTL a file may state: one day. Longer is a mistake (the tightest cap is 5 min). */
  static final long MAX_TTL_SECONDS = 86_400;

  private final Path file;

  ConfigFields(Path file) {
    this.file = file;
  }

  /** The file errors name, or null for in-memory text. */
  Path file() {
    return file;
  }

  SecretConfigException error(int line, String field, String problem) {
    return new SecretConfigException(file, line, field, problem);
  }

  SecretConfigException error(ConfigNode node, String problem) {
    return error(node.line(), node.path(), problem);
  }

  private SecretConfigException wrongType(ConfigNode node, String expected) {
    return error(node, "must be " + expected + ", found " + node.kind());
  }

  MapNode map(ConfigNode node) {
    if (!(node instanceof MapNode)) {
      throw wrongType(node, "a mapping");
    }
    return (MapNode) node;
  }

  MapNode nonEmptyMap(ConfigNode node, String emptyProblem) {
    MapNode map = map(node);
    if (map.members().isEmpty()) {
      throw error(node, emptyProblem);
    }
    return map;
  }

  /** Rejects keys outside {@code allowed}, at the line of the key. */
  void allowOnly(MapNode map, List<String> allowed) {
    for (Member m : map.members().values()) {
      if (!allowed.contains(m.key())) {
        throw error(m.keyLine(), m.path(),
            "unknown key; expected one of " + String.join(", ", allowed));
      }
    }
  }

  /**
   * A required member; when missing, the error points at {@code line}, the key that holds the
   * mapping (a block mapping itself "starts" at its first key, which would mislead).
   */
  Member required(MapNode map, String key, int line) {
    Member m = map.members().get(key);
    if (m == null) {
      throw error(line, map.path(), "required key '" + key + "' is missing");
    }
    return m;
  }

  String string(ConfigNode node) {
    if (!(node instanceof StringNode)) {
      throw wrongType(node, "a string");
    }
    String text = ((StringNode) node).text();
    if (text.isBlank()) {
      throw error(node, "must not be empty");
    }
    return text;
  }

  String name(ConfigNode node, String what) {
    String text = string(node);
    if (!NAME.matcher(text).matches()) {
      throw error(node, what + " must be 1 to 64 letters, digits, '_' or '-', starting with a"
          + " letter or digit");
    }
    return text;
  }

  boolean bool(ConfigNode node) {
    if (node instanceof OtherNode && ((OtherNode) node).bool() != null) {
      return ((OtherNode) node).bool();
    }
    throw wrongType(node, "true or false");
  }

  /** A strings list, each item checked by {@code item}; duplicates are errors. */
  List<String> stringList(ConfigNode node, boolean allowEmpty, ItemCheck item) {
    if (!(node instanceof ListNode)) {
      throw wrongType(node, "a list");
    }
    List<ConfigNode> items = ((ListNode) node).items();
    if (items.isEmpty() && !allowEmpty) {
      throw error(node, "must not be an empty list");
    }
    List<String> out = new ArrayList<>(items.size());
    Map<String, Integer> seen = new HashMap<>();
    for (ConfigNode n : items) {
      String value = item.check(n);
      Integer first = seen.putIfAbsent(value, n.line());
      if (first != null) {
        throw error(n, "duplicate entry (first on line " + first + ")");
      }
      out.add(value);
    }
    return List.copyOf(out);
  }

  /** A TTL in whole seconds, 1 to {@link #MAX_TTL_SECONDS}. */
  Duration ttlSeconds(ConfigNode node) {
    if (!(node instanceof IntNode)) {
      throw wrongType(node, "a whole number of seconds");
    }
    BigInteger v = ((IntNode) node).value();
    if (v.signum() <= 0) {
      throw error(node, "must be at least 1 second");
    }
    if (v.compareTo(BigInteger.valueOf(MAX_TTL_SECONDS)) > 0) {
      throw error(node, "must be at most " + MAX_TTL_SECONDS + " seconds (one day)");
    }
    return Duration.ofSeconds(v.longValueExact());
  }

  /** Checks one list item and returns its string form. */
  @FunctionalInterface
  interface ItemCheck {
    String check(ConfigNode node);
  }

  static Set<String> keys(MapNode map) {
    return map.members().keySet();
  }
}
