package io.secretsdk.config;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed configuration value with the line it started on and its dotted field path.
 *
 * <p>Built by {@link ConfigTreeReader} from a Jackson token stream so every value keeps its
 * location; Jackson's own tree model drops locations. Immutable once the reader returns it.
 */
abstract class ConfigNode {
  private final int line;
  private final String path;

  ConfigNode(int line, String path) {
    this.line = line;
    this.path = path;
  }

  /** 1-based line where the value starts. */
  final int line() {
    return line;
  }

  /** Dotted field path, e.g. {@code openai.ci.secret_ref}; {@code <root>} for the document. */
  final String path() {
    return path;
  }

  /** What the value is, for "expected a mapping, found a list" messages. */
  abstract String kind();

  /** A mapping; keys keep file order. */
  static final class MapNode extends ConfigNode {
    private final Map<String, Member> members;

    MapNode(int line, String path, LinkedHashMap<String, Member> members) {
      super(line, path);
      this.members = Collections.unmodifiableMap(members);
    }

    Map<String, Member> members() {
      return members;
    }

    @Override
    String kind() {
      return "a mapping";
    }
  }

  /** One key of a mapping: the key's own line (for "unknown key" errors) and its value. */
  static final class Member {
    private final String key;
    private final int keyLine;
    private final String path;
    private final ConfigNode value;

    Member(String key, int keyLine, String path, ConfigNode value) {
      this.key = key;
      this.keyLine = keyLine;
      this.path = path;
      this.value = value;
    }

    String key() {
      return key;
    }

    int keyLine() {
      return keyLine;
    }

    String path() {
      return path;
    }

    ConfigNode value() {
      return value;
    }
  }

  /** A sequence. */
  static final class ListNode extends ConfigNode {
    private final List<ConfigNode> items;

    ListNode(int line, String path, List<ConfigNode> items) {
      super(line, path);
      this.items = List.copyOf(items);
    }

    List<ConfigNode> items() {
      return items;
    }

    @Override
    String kind() {
      return "a list";
    }
  }

  /** A string scalar (quoted or plain). */
  static final class StringNode extends ConfigNode {
    private final String text;

    StringNode(int line, String path, String text) {
      super(line, path);
      this.text = text;
    }

    String text() {
      return text;
    }

    @Override
    String kind() {
      return text.isEmpty() ? "an empty value" : "a string";
    }

    @Override
    public String toString() {
      // never the text: it may be the very thing a file was rejected for
      return "StringNode[" + path() + " at line " + line() + "]";
    }
  }

  /** An integer scalar. */
  static final class IntNode extends ConfigNode {
    private final BigInteger value;

    IntNode(int line, String path, BigInteger value) {
      super(line, path);
      this.value = value;
    }

    BigInteger value() {
      return value;
    }

    @Override
    String kind() {
      return "an integer";
    }
  }

  /** Any other scalar: float, boolean, null. Only its kind matters, as no field takes one. */
  static final class OtherNode extends ConfigNode {
    private final String kind;
    private final Boolean bool;

    OtherNode(int line, String path, String kind, Boolean bool) {
      super(line, path);
      this.kind = kind;
      this.bool = bool;
    }

    /** The boolean value, or null when this is not a boolean. */
    Boolean bool() {
      return bool;
    }

    @Override
    String kind() {
      return kind;
    }
  }
}
