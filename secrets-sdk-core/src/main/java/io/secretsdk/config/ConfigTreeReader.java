package io.secretsdk.config;

import io.secretsdk.redact.internal.SecretLikeness;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.secretsdk.SecretConfigException;
import io.secretsdk.config.ConfigNode.IntNode;
import io.secretsdk.config.ConfigNode.ListNode;
import io.secretsdk.config.ConfigNode.MapNode;
import io.secretsdk.config.ConfigNode.Member;
import io.secretsdk.config.ConfigNode.OtherNode;
import io.secretsdk.config.ConfigNode.StringNode;
import io.secretsdk.redact.TokenDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Parses YAML or JSON text into a {@link ConfigNode} tree that keeps line numbers, then rejects
 * anything that looks like a secret value.
 *
 * <p>Works on Jackson's streaming parser rather than its tree model, which drops locations.
 * Strict: duplicate keys ({@link StreamReadFeature#STRICT_DUPLICATE_DETECTION}), YAML anchors,
 * aliases, merge keys and explicit tags, more than one YAML document, nesting deeper than
 * {@link #MAX_DEPTH}, and over-long strings are errors. Jackson's exception messages are never
 * used: they can quote the text around the error, which may be the secret the file was rejected
 * for. Only the location (line, column) is taken from them, and no Jackson exception is kept as
 * a cause.
 *
 * <p>Stateless and thread-safe (the factories are).
 */
final class ConfigTreeReader {
  /** Formats the reader understands. */
  enum Format {
    YAML,
    JSON
  }

  /** Deepest nesting accepted: a registry needs five levels, a policy two. */
  static final int MAX_DEPTH = 8;
  /** Longest string value or key accepted, in characters. */
  static final int MAX_STRING = 4096;
  /** Most values in one file. */
  static final int MAX_NODES = 20_000;

  private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]{1,40}");
  private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}");

  private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
      .maxNestingDepth(MAX_DEPTH + 2)
      .maxStringLength(ConfigText.MAX_BYTES)
      .maxNumberLength(40)
      .maxNameLength(MAX_STRING)
      .maxDocumentLength(ConfigText.MAX_BYTES * 2L)
      .build();

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .streamReadConstraints(CONSTRAINTS)
      .build();

  private static final YAMLFactory YAML = yamlFactory();

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10); // aliases are rejected anyway; bound the work first
    options.setNestingDepthLimit(MAX_DEPTH + 2);
    options.setCodePointLimit(ConfigText.MAX_BYTES);
    options.setProcessComments(false);
    return YAMLFactory.builder()
        .loaderOptions(options)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .disable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
        // YAML 1.2: yes/no/on/off are strings, not booleans
        .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
        .streamReadConstraints(CONSTRAINTS)
        .build();
  }

  private final Path file;
  private final Format format;
  private final JsonParser parser;
  private int nodes;
  private final Map<String, Optional<String>> keyVerdicts = new HashMap<>();

  private ConfigTreeReader(Path file, Format format, JsonParser parser) {
    this.file = file;
    this.format = format;
    this.parser = parser;
  }

  /**
   * Parses {@code text} and checks it holds no secret-looking string.
   *
   * @param text the whole file, already size-checked
   * @param file where it came from, for error messages (may be null)
   * @throws SecretConfigException on a syntax error, a strictness rule, or secret-looking content
   */
  static ConfigNode parse(String text, Path file, Format format) {
    ConfigNode root;
    try {
      root = parseTree(text, file, format);
    } catch (SecretConfigException e) {
      // a malformed file that holds a token: report the token, so the user knows to rotate it
      SecretConfigException secret = scanRaw(text, file);
      throw secret != null ? secret : e;
    }
    scanTree(root, file, new HashMap<>());
    // every key and string value was scanned above; what the parser does not report is
    // comments (and directives), so only those are left for the raw scan
    if (format == Format.YAML) {
      SecretConfigException secret = scanRaw(commentsAndDirectives(text), file);
      if (secret != null) {
        throw secret;
      }
    }
    return root;
  }

  /**
   * The text with each line cut down to its comment ({@code #} at the start or after a blank, to
   * the end of the line) or, for directive lines ({@code %YAML}, {@code %TAG}), kept whole; other
   * lines are emptied. Line numbers are preserved. Over-inclusion (a {@code #} inside a quoted
   * value) only means scanning more.
   */
  static String commentsAndDirectives(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 1024));
    int start = 0;
    while (start <= text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      if (start < end && text.charAt(start) == '%') {
        out.append(text, start, end);
      } else {
        for (int i = start; i < end; i++) {
          if (text.charAt(i) == '#' && (i == start || Character.isWhitespace(text.charAt(i - 1)))) {
            out.append(text, i, end);
            break;
          }
        }
      }
      out.append('\n');
      start = end + 1;
    }
    return out.toString();
  }

  private static ConfigNode parseTree(String text, Path file, Format format) {
    JsonFactory factory = format == Format.YAML ? YAML : JSON;
    try (JsonParser p = factory.createParser(text)) {
      ConfigTreeReader reader = new ConfigTreeReader(file, format, p);
      return reader.readDocument();
    } catch (IOException e) {
      // only from close() of an in-memory source; nothing was left half-read
      throw new SecretConfigException(file, 0, null, "could not be parsed");
    }
  }

  private ConfigNode readDocument() {
    JsonToken first = next();
    if (first == null) {
      throw error(1, null, "file is empty; expected a mapping at the top level");
    }
    ConfigNode root = readValue(first, "<root>", 1);
    JsonToken extra = next();
    if (extra != null) {
      throw error(tokenLine(), null, format == Format.YAML
          ? "holds more than one YAML document; put everything in one document"
          : "has content after the top-level value");
    }
    return root;
  }

  private ConfigNode readValue(JsonToken token, String path, int depth) {
    int line = tokenLine();
    checkYamlExtras(line, path);
    if (++nodes > MAX_NODES) {
      throw error(line, path, "holds more than " + MAX_NODES + " values");
    }
    if (depth > MAX_DEPTH) {
      throw error(line, path, "is nested deeper than " + MAX_DEPTH + " levels");
    }
    switch (token) {
      case START_OBJECT:
        return readMap(line, path, depth);
      case START_ARRAY:
        return readList(line, path, depth);
      case VALUE_STRING:
        String text = text();
        if (text.length() > MAX_STRING) {
          throw error(line, path, "string is longer than " + MAX_STRING + " characters");
        }
        return new StringNode(line, path, text);
      case VALUE_NUMBER_INT:
        if (!DECIMAL.matcher(text()).matches()) {
          // YAML 1.1 also reads 0x10, 0o17, 1_000 as integers; a config file should not
          return new OtherNode(line, path, "a number not written in plain decimal", null);
        }
        try {
          return new IntNode(line, path, parser.getBigIntegerValue());
        } catch (IOException e) {
          throw parseError(e);
        }
      case VALUE_NUMBER_FLOAT:
        return new OtherNode(line, path, "a decimal number", null);
      case VALUE_TRUE:
        return new OtherNode(line, path, "a boolean", Boolean.TRUE);
      case VALUE_FALSE:
        return new OtherNode(line, path, "a boolean", Boolean.FALSE);
      case VALUE_NULL:
        return new OtherNode(line, path, "empty (null)", null);
      default:
        // VALUE_EMBEDDED_OBJECT (e.g. YAML !!binary) and anything unforeseen
        throw error(line, path, "holds a value of an unsupported type");
    }
  }

  private MapNode readMap(int line, String path, int depth) {
    LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    while (true) {
      JsonToken t = nextInMap(members, path);
      if (t == JsonToken.END_OBJECT) {
        return new MapNode(line, path, members);
      }
      int keyLine = tokenLine();
      String key;
      try {
        key = parser.currentName();
      } catch (IOException e) {
        throw parseError(e);
      }
      checkYamlExtras(keyLine, path);
      if (key.length() > MAX_STRING) {
        throw error(keyLine, path, "has a key longer than " + MAX_STRING + " characters");
      }
      String childPath = childPath(path, key, members.size(), keyVerdicts);
      Member previous = members.get(key);
      if (previous != null) {
        throw error(keyLine, childPath, "duplicate key (first on line " + previous.keyLine() + ")");
      }
      JsonToken valueToken = next();
      ConfigNode value = readValue(valueToken, childPath, depth + 1);
      members.put(key, new Member(key, keyLine, childPath, value));
    }
  }

  private ListNode readList(int line, String path, int depth) {
    List<ConfigNode> items = new ArrayList<>();
    while (true) {
      JsonToken t = next();
      if (t == JsonToken.END_ARRAY) {
        return new ListNode(line, path, items);
      }
      items.add(readValue(t, path + "[" + items.size() + "]", depth + 1));
    }
  }

  /** Next token inside a mapping, turning Jackson's duplicate-key error into ours. */
  private JsonToken nextInMap(LinkedHashMap<String, Member> members, String path) {
    JsonToken t;
    try {
      t = rawNext();
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field")) {
        // the message quotes the key; use only our own record of it
        Member first = members.get(currentNameOrNull());
        String where = first == null ? "" : " (first on line " + first.keyLine() + ")";
        String field = first == null ? path : first.path();
        int line = location(e);
        throw error(line > 0 ? line : currentLine(), field, "duplicate key" + where);
      }
      throw parseError(e);
    } catch (IOException e) {
      throw parseError(e);
    }
    if (t == null) {
      throw error(currentLine(), path, "ends before the mapping is closed");
    }
    return t;
  }

  private String currentNameOrNull() {
    try {
      return parser.currentName();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private JsonToken next() {
    try {
      return rawNext();
    } catch (IOException e) {
      throw parseError(e);
    }
  }

  private JsonToken rawNext() throws IOException {
    try {
      return parser.nextToken();
    } catch (IOException | SecretConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      // SnakeYAML limits (code points, aliases, depth) surface as its own unchecked exceptions;
      // their messages quote the input, so only the line is kept
      int[] mark = yamlMark(e);
      throw error(mark != null ? mark[0] : currentLine(), null, "could not be parsed ("
          + syntaxName() + " limit exceeded or malformed input"
          + (mark != null ? " at column " + mark[1] : "") + ")");
    }
  }

  private String text() {
    try {
      return parser.getText();
    } catch (IOException e) {
      throw parseError(e);
    }
  }

  /**
   * Rejects YAML anchors ({@code &a}), aliases ({@code *a}, also behind merge keys {@code <<})
   * and explicit tags ({@code !!binary}, {@code !custom}). Aliases let one entry silently reuse
   * another's ref, so a reviewer reading one environment's block no longer sees what it resolves,
   * and they are the vehicle of "billion laughs" expansion; tags ask for typed construction and
   * can smuggle base64 content ({@code !!binary}). A registry is small and explicit, so neither is
   * needed.
   */
  private void checkYamlExtras(int line, String path) {
    if (!(parser instanceof YAMLParser)) {
      return;
    }
    YAMLParser y = (YAMLParser) parser;
    if (y.isCurrentAlias()) {
      throw error(line, path, "YAML aliases (*name) are not allowed; write each value out");
    }
    if (objectId(y) != null) {
      throw error(line, path, "YAML anchors (&name) are not allowed; write each value out");
    }
    String tag;
    try {
      tag = y.getTypeId();
    } catch (IOException e) {
      throw parseError(e);
    }
    if (tag != null) {
      throw error(line, path, "explicit YAML tags (!tag) are not allowed");
    }
  }

  /** The anchor of the current node (Jackson exposes YAML anchors as object ids). */
  private String objectId(YAMLParser y) {
    try {
      return y.getObjectId();
    } catch (IOException e) {
      throw parseError(e);
    }
  }

  private SecretConfigException parseError(IOException e) {
    if (e instanceof StreamConstraintsException) {
      return error(currentLine(), null,
          "exceeds a parser limit (nesting depth, string, number or name length)");
    }
    int line = e instanceof JsonProcessingException ? location((JsonProcessingException) e) : 0;
    if (line <= 0) {
      line = currentLine();
    }
    JsonLocation loc = e instanceof JsonProcessingException
        ? ((JsonProcessingException) e).getLocation() : null;
    int column = loc != null ? loc.getColumnNr() : 0;
    int[] mark = yamlMark(e);
    if (mark != null) {
      // Jackson reports where the last good event started; SnakeYAML knows where it broke
      line = mark[0];
      column = mark[1];
    }
    return error(line, null, "is not valid " + syntaxName()
        + (column > 0 ? " at column " + column : ""));
  }

  /** Line and column (1-based) of the problem SnakeYAML found, if it is in the cause chain. */
  private static int[] yamlMark(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException) {
        org.yaml.snakeyaml.error.Mark m =
            ((org.yaml.snakeyaml.error.MarkedYAMLException) t).getProblemMark();
        if (m != null) {
          return new int[] {m.getLine() + 1, m.getColumn() + 1};
        }
      }
    }
    return null;
  }

  private String syntaxName() {
    return format == Format.YAML ? "YAML" : "JSON";
  }

  private static int location(JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    return loc == null ? 0 : Math.max(loc.getLineNr(), 0);
  }

  private int tokenLine() {
    return Math.max(parser.currentTokenLocation().getLineNr(), 0);
  }

  private int currentLine() {
    return Math.max(parser.currentLocation().getLineNr(), 0);
  }

  private SecretConfigException error(int line, String field, String problem) {
    return new SecretConfigException(file, line, field, problem);
  }

  /**
   * The dotted path of a child. A key is shown only when it is plainly a name; anything else
   * (including a key that looks like a secret, which the scan rejects later) is shown by position.
   */
  static String childPath(String parent, String key, int index,
      Map<String, Optional<String>> memo) {
    String shown = SAFE_KEY.matcher(key).matches()
        && memo.computeIfAbsent(key, SecretLikeness::detect).isEmpty()
        ? key
        : "<key " + (index + 1) + ">";
    return "<root>".equals(parent) ? shown : parent + "." + shown;
  }

  // --- secret scan ---------------------------------------------------------------------------

  /**
   * Rejects every key and string value that looks like a secret, naming its field and line.
   * Verdicts are memoized per file: keys such as {@code secret_ref} repeat on every entry.
   */
  private static void scanTree(ConfigNode node, Path file, Map<String, Optional<String>> memo) {
    if (node instanceof MapNode) {
      for (Member m : ((MapNode) node).members().values()) {
        Optional<String> hit = memo.computeIfAbsent(m.key(), SecretLikeness::detect);
        if (hit.isPresent()) {
          throw secretError(file, m.keyLine(), m.path(), "key", hit.get());
        }
        scanTree(m.value(), file, memo);
      }
    } else if (node instanceof ListNode) {
      for (ConfigNode item : ((ListNode) node).items()) {
        scanTree(item, file, memo);
      }
    } else if (node instanceof StringNode) {
      Optional<String> hit = memo.computeIfAbsent(((StringNode) node).text(),
          SecretLikeness::detect);
      if (hit.isPresent()) {
        throw secretError(file, node.line(), node.path(), "value", hit.get());
      }
    }
  }

  /** Known token formats anywhere in the raw text: comments, or a file too broken to parse. */
  private static SecretConfigException scanRaw(String text, Path file) {
    List<TokenDetector.Match> matches = TokenDetector.findAll(text);
    if (matches.isEmpty()) {
      return null;
    }
    TokenDetector.Match m = matches.get(0);
    int line = 1;
    for (int i = 0; i < m.start(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return new SecretConfigException(file, line, null, "holds text that looks like a secret"
        + " value (detector " + m.detector().id() + "), e.g. in a comment; configuration files"
        + " hold refs only. Remove it and rotate the credential");
  }

  static SecretConfigException secretError(
      Path file, int line, String field, String what, String detector) {
    return new SecretConfigException(file, line, field, what + " looks like a secret value"
        + " (detector " + detector + "); configuration files hold refs and names only. Remove it"
        + " and, if it is a real credential, rotate it");
  }
}
