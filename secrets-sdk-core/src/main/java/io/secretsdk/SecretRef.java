package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An opaque, value-free reference to a secret: {@code scheme://path[?query][#field]}.
 *
 * <p>Examples: {@code vault://secret/openai/ci?version=3#api_key},
 * {@code aws-sm://prod/stripe?stage=AWSPREVIOUS#api_key}, {@code op://Prod/Stripe/credential},
 * {@code env://OPENAI_API_KEY}, {@code file:///run/secrets/openai}, {@code mem://test/openai}.
 *
 * <p>A ref holds no secret material, so it is safe to log, to hand to code that must never see
 * values (the "kernel"), to serialize and to store. Instances are immutable and thread-safe;
 * {@link #toString()} is the canonical form, and {@code parse(ref.toString()).equals(ref)} always
 * holds.
 *
 * <p>Parsing is strict. Rejected, each with an {@link InvalidSecretRefException} that says what is
 * wrong without echoing the input: user-info ({@code user:pass@}), {@code .} and {@code ..}
 * segments (also percent-encoded), empty segments, control, format (bidirectional override,
 * zero-width) and non-space whitespace characters, leading or trailing whitespace, malformed
 * percent-encoding or encodings that are not UTF-8, malformed or duplicate query parameters, and
 * refs longer than {@value #MAX_LENGTH} characters. Inner spaces are allowed, as 1Password names
 * use them ({@code op://Private/My Item/password}); so are colons, as in AWS ARNs.
 */
public final class SecretRef implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** Longest ref accepted, in characters. */
  public static final int MAX_LENGTH = 2048;

  /** Longest path segment, query value or field accepted, in characters (after decoding). */
  public static final int MAX_PART_LENGTH = 512;

  /** Most path segments accepted. */
  public static final int MAX_SEGMENTS = 64;

  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");
  private static final Pattern QUERY_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** Schemes whose path is absolute ({@code file:///run/secrets/x}): the only ones with a leading '/'. */
  private static final Set<String> ABSOLUTE_PATH_SCHEMES = Set.of("file");
  /** ASCII characters that are never allowed raw; they may appear percent-encoded. */
  private static final String UNSAFE_RAW = "\\\"<>`{}|^";

  private final String scheme;
  private final boolean absolute;
  private final List<String> segments;
  private final Map<String, String> query;
  private final String field;
  private final transient String canonical;

  private SecretRef(
      String scheme, boolean absolute, List<String> segments, Map<String, String> query, String field) {
    this.scheme = scheme;
    this.absolute = absolute;
    this.segments = segments;
    this.query = query;
    this.field = field;
    this.canonical = render();
  }

  /**
   * Parses and validates a ref.
   *
   * @param ref the text of the ref
   * @return the parsed ref, in canonical form
   * @throws InvalidSecretRefException if {@code ref} is not a valid ref; the message says what is
   *     wrong and never contains the input
   * @throws NullPointerException if {@code ref} is null
   */
  @JsonCreator
  public static SecretRef parse(String ref) {
    Objects.requireNonNull(ref, "ref");
    return new Parser(ref).parse();
  }

  /** The scheme, lower-case (e.g. {@code vault}). It selects the provider. */
  public String scheme() {
    return scheme;
  }

  /** The decoded path segments; never empty. */
  public List<String> segments() {
    return segments;
  }

  /**
   * The decoded path: segments joined by {@code /}, with a leading {@code /} for absolute paths
   * ({@code file:///run/secrets/x} has path {@code /run/secrets/x}).
   */
  public String path() {
    String joined = String.join("/", segments);
    return absolute ? "/" + joined : joined;
  }

  /** The decoded query parameters, sorted by name; empty when the ref has no query. */
  public Map<String, String> query() {
    return query;
  }

  /** The decoded value of one query parameter. */
  public Optional<String> queryParam(String name) {
    return Optional.ofNullable(query.get(name));
  }

  /** The decoded field (the part after {@code #}), when present. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /**
   * This ref with another scheme; used to map aliases such as {@code kv://} onto a provider.
   *
   * @throws InvalidSecretRefException if {@code newScheme} is not a valid scheme, or the path does
   *     not suit it
   */
  public SecretRef withScheme(String newScheme) {
    String lower = newScheme.toLowerCase(java.util.Locale.ROOT);
    if (!SCHEME.matcher(lower).matches()) {
      throw new InvalidSecretRefException("invalid scheme: must match [a-z][a-z0-9+.-]{0,31}");
    }
    if (ABSOLUTE_PATH_SCHEMES.contains(lower) != absolute) {
      throw new InvalidSecretRefException(
          "scheme '" + lower + "' does not fit this ref's " + (absolute ? "absolute" : "relative")
              + " path");
    }
    return lower.equals(scheme) ? this : new SecretRef(lower, absolute, segments, query, field);
  }

  /** This ref without its {@code #field} part. */
  public SecretRef withoutField() {
    return field == null ? this : new SecretRef(scheme, absolute, segments, query, null);
  }

  /** This ref with one query parameter set (replacing any value it had). */
  public SecretRef withQueryParam(String name, String value) {
    Map<String, String> q = new TreeMap<>(query);
    q.put(name, value);
    return parse(new SecretRef(scheme, absolute, segments, Collections.unmodifiableMap(q), field)
        .render());
  }

  /** The canonical form; contains no secret material and is safe to log. */
  @JsonValue
  @Override
  public String toString() {
    return canonical;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretRef && ((SecretRef) o).canonical.equals(canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }

  private String render() {
    StringBuilder sb = new StringBuilder(64).append(scheme).append("://");
    if (absolute) {
      sb.append('/');
    }
    for (int i = 0; i < segments.size(); i++) {
      if (i > 0) {
        sb.append('/');
      }
      encode(segments.get(i), sb, "");
    }
    if (!query.isEmpty()) {
      char sep = '?';
      for (Map.Entry<String, String> e : query.entrySet()) {
        sb.append(sep).append(e.getKey()).append('=');
        encode(e.getValue(), sb, "&=");
        sep = '&';
      }
    }
    if (field != null) {
      sb.append('#');
      encode(field, sb, "");
    }
    return sb.toString();
  }

  private static void encode(String s, StringBuilder sb, String alsoEncode) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '?' || c == '#' || c == '/' || UNSAFE_RAW.indexOf(c) >= 0
          || alsoEncode.indexOf(c) >= 0) {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      } else {
        sb.append(c);
      }
    }
  }

  // Serialized as its canonical text and re-validated on the way in, so a crafted stream cannot
  // produce a ref that parse() would refuse.
  @Serial
  private Object writeReplace() {
    return new SerializedForm(canonical);
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("SecretRef is serialized through its canonical form");
  }

  private static final class SerializedForm implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    private final String ref;

    SerializedForm(String ref) {
      this.ref = ref;
    }

    @Serial
    private Object readResolve() throws InvalidObjectException {
      try {
        return SecretRef.parse(ref);
      } catch (InvalidSecretRefException e) {
        InvalidObjectException ioe = new InvalidObjectException(e.getMessage());
        ioe.initCause(e);
        throw ioe;
      }
    }
  }

  /** Single-use strict parser; errors say where and what, never echo the input. */
  private static final class Parser {
    private final String in;

    Parser(String in) {
      this.in = in;
    }

    SecretRef parse() {
      if (in.isEmpty()) {
        throw fail("ref is empty");
      }
      if (in.length() > MAX_LENGTH) {
        throw fail("ref is " + in.length() + " characters long; at most " + MAX_LENGTH
            + " are allowed");
      }
      if (isWhitespace(in.codePointAt(0)) || isWhitespace(in.codePointBefore(in.length()))) {
        throw fail("ref has leading or trailing whitespace");
      }
      checkCharacters();
      int sep = in.indexOf("://");
      if (sep < 0) {
        throw fail("ref must have the form scheme://path; '://' is missing");
      }
      String rawScheme = in.substring(0, sep);
      if (rawScheme.isEmpty()) {
        throw fail("scheme is empty");
      }
      String scheme = rawScheme.toLowerCase(java.util.Locale.ROOT);
      if (!SCHEME.matcher(scheme).matches()) {
        throw fail("scheme is invalid: it must start with a letter and hold at most 32 letters,"
            + " digits, '+', '-' or '.'");
      }
      int start = sep + 3;
      int hash = in.indexOf('#', start);
      int question = in.indexOf('?', start);
      if (question > hash && hash >= 0) {
        question = -1; // a '?' inside the field is checked with the field
      }
      int pathEnd = question >= 0 ? question : (hash >= 0 ? hash : in.length());
      String rawPath = in.substring(start, pathEnd);

      boolean absolute = ABSOLUTE_PATH_SCHEMES.contains(scheme);
      if (absolute) {
        if (!rawPath.startsWith("/")) {
          throw fail(scheme + " refs take an absolute path: " + scheme + ":///path");
        }
        rawPath = rawPath.substring(1);
      }
      List<String> segments = parsePath(rawPath, start + (absolute ? 1 : 0), absolute, scheme);

      Map<String, String> query = Collections.emptyMap();
      if (question >= 0) {
        int queryEnd = hash >= 0 ? hash : in.length();
        query = parseQuery(in.substring(question + 1, queryEnd), question + 1);
      }
      String field = null;
      if (hash >= 0) {
        String rawField = in.substring(hash + 1);
        if (rawField.isEmpty()) {
          throw fail("field after '#' is empty");
        }
        if (rawField.indexOf('#') >= 0) {
          throw fail("ref has more than one '#'");
        }
        field = decodePart(rawField, hash + 1, "field", "?/");
        if (field.startsWith(" ") || field.endsWith(" ")) {
          // A canonical form ending in a space would not parse again.
          throw fail("field has leading or trailing whitespace");
        }
      }
      return new SecretRef(scheme, absolute, List.copyOf(segments), query, field);
    }

    private void checkCharacters() {
      for (int i = 0; i < in.length(); ) {
        int cp = in.codePointAt(i);
        String problem = forbidden(cp);
        if (problem != null) {
          throw fail("ref contains " + problem + " at position " + i);
        }
        i += Character.charCount(cp);
      }
    }

    private List<String> parsePath(String raw, int offset, boolean absolute, String scheme) {
      if (raw.isEmpty()) {
        throw fail("path is empty");
      }
      List<String> segments = new ArrayList<>();
      int from = 0;
      int index = 1;
      while (true) {
        int slash = raw.indexOf('/', from);
        String rawSegment = slash < 0 ? raw.substring(from) : raw.substring(from, slash);
        String what = "path segment " + index;
        if (rawSegment.isEmpty()) {
          throw fail(what + " is empty ('//' or a leading or trailing '/')");
        }
        if (index == 1 && !absolute && rawSegment.indexOf('@') >= 0) {
          throw fail("user-info ('user:password@') is not allowed in a ref; credentials never"
              + " belong in a ref");
        }
        String segment = decodePart(rawSegment, offset + from, what, "/");
        if (index == 1 && !absolute && segment.indexOf('@') >= 0) {
          // '%40' is user-info too: canonical form would print it as a raw '@'.
          throw fail("user-info ('user:password@', possibly percent-encoded) is not allowed in a"
              + " ref; credentials never belong in a ref");
        }
        if (segment.equals(".") || segment.equals("..")) {
          throw fail(what + " is a dot segment ('.' or '..', possibly percent-encoded)");
        }
        if (segment.startsWith(" ") || segment.endsWith(" ")) {
          throw fail(what + " has leading or trailing whitespace");
        }
        segments.add(segment);
        if (segments.size() > MAX_SEGMENTS) {
          throw fail("path has more than " + MAX_SEGMENTS + " segments");
        }
        if (slash < 0) {
          return segments;
        }
        from = slash + 1;
        index++;
      }
    }

    private Map<String, String> parseQuery(String raw, int offset) {
      if (raw.isEmpty()) {
        throw fail("query after '?' is empty");
      }
      if (raw.indexOf('?') >= 0) {
        throw fail("query contains a second '?'");
      }
      Map<String, String> params = new TreeMap<>();
      int from = 0;
      int index = 1;
      for (String pair : raw.split("&", -1)) {
        if (pair.isEmpty()) {
          throw fail("query parameter " + index + " is empty ('&&' or a trailing '&')");
        }
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw fail("query parameter " + index + " has no '=value'");
        }
        String key = pair.substring(0, eq);
        if (!QUERY_KEY.matcher(key).matches()) {
          throw fail("query parameter " + index
              + " has an invalid name: use 1 to 64 letters, digits, '_', '-' or '.'");
        }
        String rawValue = pair.substring(eq + 1);
        if (rawValue.isEmpty()) {
          throw fail("query parameter '" + key + "' has an empty value");
        }
        if (rawValue.indexOf('=') >= 0) {
          throw fail("query parameter '" + key + "' has a raw '=' in its value; encode it as %3D");
        }
        String value = decodePart(rawValue, offset + from + eq + 1, "query parameter '" + key + "'", "");
        if (value.startsWith(" ") || value.endsWith(" ")) {
          throw fail("query parameter '" + key + "' has leading or trailing whitespace");
        }
        if (params.put(key, value) != null) {
          throw fail("query parameter '" + key + "' appears more than once");
        }
        from += pair.length() + 1;
        index++;
      }
      return Collections.unmodifiableMap(params);
    }

    /** Decodes percent-escapes, rejecting bad escapes, non-UTF-8 bytes and forbidden characters. */
    private String decodePart(String raw, int offset, String what, String forbiddenDecoded) {
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (UNSAFE_RAW.indexOf(c) >= 0) {
          throw fail(what + " contains '" + c + "' at position " + (offset + i)
              + "; percent-encode it");
        }
      }
      String decoded;
      if (raw.indexOf('%') < 0) {
        decoded = raw;
      } else {
        StringBuilder out = new StringBuilder(raw.length());
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); ) {
          char c = raw.charAt(i);
          if (c != '%') {
            flush(bytes, out, what, offset + i);
            out.append(c);
            i++;
            continue;
          }
          if (i + 2 >= raw.length()) {
            throw fail(what + " has an incomplete percent-escape at position " + (offset + i));
          }
          int hi = Character.digit(raw.charAt(i + 1), 16);
          int lo = Character.digit(raw.charAt(i + 2), 16);
          if (hi < 0 || lo < 0) {
            throw fail(what + " has an invalid percent-escape at position " + (offset + i)
                + " (expected two hex digits)");
          }
          bytes.put((byte) ((hi << 4) | lo));
          i += 3;
        }
        flush(bytes, out, what, offset + raw.length());
        decoded = out.toString();
        for (int i = 0; i < decoded.length(); ) {
          int cp = decoded.codePointAt(i);
          String problem = forbidden(cp);
          if (problem != null) {
            throw fail(what + " contains a percent-encoded " + problem);
          }
          i += Character.charCount(cp);
        }
      }
      for (int i = 0; i < forbiddenDecoded.length(); i++) {
        if (decoded.indexOf(forbiddenDecoded.charAt(i)) >= 0 && raw.indexOf(forbiddenDecoded.charAt(i)) < 0) {
          throw fail(what + " contains a percent-encoded '" + forbiddenDecoded.charAt(i)
              + "', which is not allowed there");
        }
        if (raw.indexOf(forbiddenDecoded.charAt(i)) >= 0) {
          throw fail(what + " contains '" + forbiddenDecoded.charAt(i) + "', which is not allowed there");
        }
      }
      if (decoded.length() > MAX_PART_LENGTH) {
        throw fail(what + " is longer than " + MAX_PART_LENGTH + " characters");
      }
      return decoded;
    }

    private void flush(ByteBuffer bytes, StringBuilder out, String what, int position) {
      if (bytes.position() == 0) {
        return;
      }
      bytes.flip();
      try {
        out.append(StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(bytes));
      } catch (CharacterCodingException e) {
        throw fail(what + " has percent-escapes that are not valid UTF-8 (before position "
            + position + ")");
      }
      bytes.clear();
    }

    private InvalidSecretRefException fail(String problem) {
      return new InvalidSecretRefException("invalid secret ref: " + problem);
    }
  }

  private static boolean isWhitespace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  /** Why a code point may not appear in a ref, or null when it may. */
  private static String forbidden(int cp) {
    if (cp == ' ') {
      return null;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
        return String.format("a control character (U+%04X)", cp);
      case Character.FORMAT:
        return String.format("an invisible formatting character such as a bidirectional override"
            + " (U+%04X)", cp);
      case Character.SPACE_SEPARATOR:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return String.format("a whitespace character other than space (U+%04X)", cp);
      case Character.SURROGATE:
        return "an unpaired surrogate";
      case Character.UNASSIGNED:
        return String.format("an unassigned code point (U+%04X)", cp);
      case Character.PRIVATE_USE:
        return String.format("a private-use code point (U+%04X)", cp);
      default:
        return null;
    }
  }
}
