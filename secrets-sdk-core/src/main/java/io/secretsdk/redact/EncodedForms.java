package io.secretsdk.redact;

import java.util.ArrayList;
import java.util.List;

/**
 * Decoded views of a text, for the forms a program writes a string in that the index does not
 * store: escaped strings (JSON and Java/C backslash escapes at any depth, {@code \}{@code uXXXX}
 * with surrogate pairs, {@code \xHH} and octal byte escapes, XML and HTML entities, named and
 * numeric), base64 wrapped into lines (MIME, PEM), and {@code Arrays.toString} of a value's
 * {@code byte[]}, code points or {@code char[]}.
 *
 * <p>Each {@link View} is a text plus, for every one of its chars, the span of the original text
 * it was decoded from, so a match in a view masks exactly the encoded characters. Views are made
 * only when {@link #mayHold} finds a character that starts one of these forms, so clean text costs
 * one pass without allocation. A view is scanned like the original: the value index, the short
 * values and the token detectors (a PEM block after an escaped newline is found in the view).
 */
final class EncodedForms {
  /** Escape levels decoded in turn (a JSON string inside a JSON string is two). */
  private static final int MAX_LEVELS = 3;
  /** A base64 line shorter than this is not joined to the next (MIME writes 76, PEM 64). */
  static final int MIN_WRAPPED_LINE = 40;

  /** HTML 4 entity names of U+00A0 to U+00FF, in order (Latin-1, as HTML escapers write them). */
  private static final String[] LATIN1_ENTITIES = (
      "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn "
      + "sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave "
      + "Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc "
      + "Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute "
      + "THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml "
      + "igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave "
      + "uacute ucirc uuml yacute thorn yuml").split(" ");

  private static final java.util.Map<String, Integer> ENTITIES = entities();

  private EncodedForms() {}

  private static java.util.Map<String, Integer> entities() {
    java.util.Map<String, Integer> m = new java.util.HashMap<>();
    m.put("amp", (int) '&');
    m.put("lt", (int) '<');
    m.put("gt", (int) '>');
    m.put("quot", (int) '"');
    m.put("apos", (int) '\'');
    m.put("sol", (int) '/');
    m.put("grave", (int) '`');
    m.put("equals", (int) '=');
    m.put("plus", (int) '+');
    m.put("num", (int) '#');
    m.put("percnt", (int) '%');
    m.put("excl", (int) '!');
    m.put("lpar", (int) '(');
    m.put("rpar", (int) ')');
    m.put("commat", (int) '@');
    m.put("dollar", (int) '$');
    m.put("colon", (int) ':');
    m.put("semi", (int) ';');
    m.put("quest", (int) '?');
    m.put("lsqb", (int) '[');
    m.put("rsqb", (int) ']');
    m.put("lcub", (int) '{');
    m.put("rcub", (int) '}');
    m.put("verbar", (int) '|');
    m.put("Hat", (int) '^');
    m.put("ast", (int) '*');
    m.put("comma", (int) ',');
    m.put("period", (int) '.');
    m.put("bsol", (int) '\\');
    m.put("lowbar", (int) '_');
    m.put("tilde", (int) '~');
    m.put("Tab", (int) '\t');
    m.put("NewLine", (int) '\n');
    m.put("euro", 0x20AC);
    for (int i = 0; i < LATIN1_ENTITIES.length; i++) {
      m.put(LATIN1_ENTITIES[i], 0xA0 + i);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** A decoded text and, per char, the span {@code [starts[i], ends[i])} of the original. */
  static final class View {
    final String text;
    final int[] starts;
    final int[] ends;

    View(String text, int[] starts, int[] ends) {
      this.text = text;
      this.starts = starts;
      this.ends = ends;
    }

    /** The original span of the view's chars {@code [from, to)}. */
    int originalStart(int from) {
      return starts[from];
    }

    int originalEnd(int to) {
      return ends[to - 1];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the pre-filter

  /** Characters that may start a decoded form: backslash, ampersand, '[', '%', quotes, line breaks. */
  private static final boolean[] TRIGGER = new boolean[128];
  /** {@link #TRIGGER} indexed by unsigned byte: one load and no range check per byte. */
  static final boolean[] TRIGGER_BYTES = new boolean[256];

  static {
    for (char c : new char[] {'\\', '&', '[', '\n', '\r', '%', '"', '\''}) {
      TRIGGER[c] = true;
      TRIGGER_BYTES[c] = true;
    }
  }

  /**
   * Whether {@code text[from, to)} may hold a form decoded here: one table lookup per char, and
   * a closer look only at the rare characters that start a form. Allocates nothing.
   */
  static boolean mayHold(CharSequence text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < 128 && TRIGGER[c] && startsForm(c, i, from, to,
          i + 1 < to ? text.charAt(i + 1) : 0, i + 2 < to ? text.charAt(i + 2) : 0,
          i + 3 < to ? text.charAt(i + 3) : 0, text, null)) {
        return true;
      }
    }
    return false;
  }

  /** As {@link #mayHold(CharSequence, int, int)} over bytes. */
  static boolean mayHold(byte[] bytes, int from, int to) {
    boolean[] trigger = TRIGGER_BYTES;
    for (int i = from; i < to; i++) {
      if (trigger[bytes[i] & 0xFF] && startsForm(bytes, i, from, to)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the trigger byte at {@code i} really starts a form (for passes that saw it). */
  static boolean startsFormAt(byte[] bytes, int i, int from, int to) {
    return startsForm(bytes, i, from, to);
  }

  private static boolean startsForm(byte[] bytes, int i, int from, int to) {
    return startsForm(bytes[i], i, from, to, i + 1 < to ? bytes[i + 1] & 0xFF : 0,
        i + 2 < to ? bytes[i + 2] & 0xFF : 0, i + 3 < to ? bytes[i + 3] & 0xFF : 0, null, bytes);
  }

  private static boolean startsForm(int c, int i, int from, int to, int c1, int c2, int c3,
      CharSequence text, byte[] bytes) {
    if (c == '\\' || c == '&') {
      return true;
    }
    if (c == '[') {
      return startsList(c1, c2, c3);
    }
    if (c == '%') {
      return Character.digit(c1, 16) >= 0 && Character.digit(c2, 16) >= 0;
    }
    if (c == '"' || c == '\'') {
      return c1 == c;
    }
    // a line break after a base64 line at least MIN_WRAPPED_LINE long
    int k = i - 1;
    int run = 0;
    while (k >= from && run < MIN_WRAPPED_LINE
        && Variants.isBase64(text != null ? text.charAt(k) : bytes[k] & 0xFF)) {
      k--;
      run++;
    }
    return run >= MIN_WRAPPED_LINE;
  }

  /** {@code [} then a number, or one char and {@code ", "}: what {@code Arrays.toString} writes. */
  private static boolean startsList(int c1, int c2, int c3) {
    return isDigit(c1) || (c1 == '-' && isDigit(c2)) || (c2 == ',' && c3 == ' ');
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  // ---------------------------------------------------------------------------------------------
  // views

  /**
   * The decoded views of {@code text[from, to)}, each with spans in the coordinates of
   * {@code text}; empty when no decoding changes anything.
   */
  static List<View> views(CharSequence text, int from, int to) {
    String s = text.subSequence(from, to).toString();
    int n = s.length();
    int[] starts = new int[n];
    int[] ends = new int[n];
    for (int i = 0; i < n; i++) {
      starts[i] = from + i;
      ends[i] = from + i + 1;
    }
    return views(new View(s, starts, ends));
  }

  /**
   * The decoded views of {@code original} (a mutable list), with spans in the coordinates of
   * the original's spans.
   */
  static List<View> views(View original) {
    // backslash escapes and entities are undone separately and in every order, level by level:
    // an XML text holding a backslash is not a JSON string
    List<View> out = new ArrayList<>(2);
    List<View> frontier = List.of(original);
    for (int level = 0; level < MAX_LEVELS && !frontier.isEmpty(); level++) {
      List<View> next = new ArrayList<>(2);
      for (View v : frontier) {
        addNew(out, next, unescapeBackslashes(v));
        addNew(out, next, unescapeEntities(v));
        addNew(out, next, unescapePercent(v, false));
        addNew(out, next, unescapePercent(v, true));
        addNew(out, next, undoubleQuotes(v));
      }
      frontier = next;
    }
    int decoded = out.size();
    for (int k = -1; k < decoded; k++) {
      View v = k < 0 ? original : out.get(k);
      addIfChanged(out, joinWrappedBase64(v));
      addIfChanged(out, listOfNumbers(v));
      addIfChanged(out, listOfChars(v));
    }
    return out;
  }

  private static void addNew(List<View> out, List<View> next, View v) {
    if (v == null) {
      return;
    }
    for (View seen : out) {
      if (seen.text.equals(v.text)) {
        return;
      }
    }
    out.add(v);
    next.add(v);
  }

  private static void addIfChanged(List<View> out, View v) {
    if (v != null) {
      out.add(v);
    }
  }

  /** The bytes as chars (malformed sequences as U+FFFD, one per byte) with their byte spans. */
  static View fromUtf8(byte[] b, int from, int to) {
    Builder out = new Builder(to - from, null);
    int i = from;
    while (i < to) {
      int c = b[i] & 0xFF;
      int len = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3
          : c >= 0xF0 && c < 0xF5 ? 4 : 0;
      int cp = -1;
      if (len == 1) {
        cp = c;
      } else if (len > 1 && i + len <= to) {
        cp = c & (0xFF >> (len + 1));
        for (int k = 1; k < len; k++) {
          int cc = b[i + k] & 0xFF;
          if ((cc & 0xC0) != 0x80) {
            cp = -1;
            break;
          }
          cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp >= 0 && (cp < (len == 3 ? 0x800 : len == 4 ? 0x10000 : 0x80) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))) {
          cp = -1;
        }
      }
      if (cp < 0) {
        out.appendCodePoint(0xFFFD, i, i + 1);
        i++;
      } else {
        out.appendCodePoint(cp, i, i + len);
        i += len;
      }
    }
    return out.build();
  }

  /**
   * One level of backslash escapes as JSON, Java, C and shells write them ({@code \\n},
   * {@code \\uXXXX}, {@code \\xHH}, octal); {@code null} when the text holds none.
   */
  static View unescapeBackslashes(View in) {
    String s = in.text;
    int n = s.length();
    Builder out = null;
    int i = s.indexOf('\\');
    if (i < 0) {
      return null;
    }
    byte[] run = null;
    while (i < n) {
      char c = s.charAt(i);
      int consumed = 0;
      int decoded = -1;
      if (c == '\\' && i + 1 < n) {
        char e = s.charAt(i + 1);
        switch (e) {
          case '"': case '\\': case '/': case '\'': case '`': case '$': case '?':
            decoded = e; consumed = 2; break;
          case 'n': decoded = '\n'; consumed = 2; break;
          case 'r': decoded = '\r'; consumed = 2; break;
          case 't': decoded = '\t'; consumed = 2; break;
          case 'b': decoded = '\b'; consumed = 2; break;
          case 'f': decoded = '\f'; consumed = 2; break;
          case 'u':
            if (i + 6 <= n && hexValue(s, i + 2, i + 6) >= 0) {
              decoded = hexValue(s, i + 2, i + 6);
              consumed = 6;
            } else if (i + 3 < n && s.charAt(i + 2) == '{') {
              // ES2015 and Rust: a u, then 1 to 6 hex digits in braces
              int close = s.indexOf('}', i + 3);
              int cp = close > i + 3 && close <= i + 9 ? hexValue(s, i + 3, close) : -1;
              if (cp >= 0 && cp <= 0x10FFFF) {
                decoded = cp;
                consumed = close + 1 - i;
              }
            }
            break;
          case 'U':
            // Python and C: \U0001F600
            if (i + 10 <= n) {
              int cp = hexValue(s, i + 2, i + 10);
              if (cp >= 0 && cp <= 0x10FFFF) {
                decoded = cp;
                consumed = 10;
              }
            }
            break;
          case 'x': case '0': case '1': case '2': case '3':
            // a run of byte escapes (\xHH, \ooo): decoded together as UTF-8
            int end = byteEscapeRun(s, i, n);
            if (end > i) {
              out = Builder.started(out, in, i);
              if (run == null) {
                run = new byte[n];
              }
              appendByteEscapes(s, i, end, run, out);
              i = end;
              continue;
            }
            break;
          default:
            break;
        }
      }
      if (consumed > 0) {
        out = Builder.started(out, in, i);
        out.appendCodePoint(decoded, i, i + consumed);
        i += consumed;
      } else {
        Builder.keep(out, in, i);
        i++;
      }
    }
    return Builder.result(out);
  }

  /** One level of XML and HTML entities, named and numeric; {@code null} when there are none. */
  static View unescapeEntities(View in) {
    String s = in.text;
    int n = s.length();
    int i = s.indexOf('&');
    if (i < 0) {
      return null;
    }
    Builder out = null;
    while (i < n) {
      char c = s.charAt(i);
      long entity = c == '&' ? entityAt(s, i, n) : -1;
      if (entity >= 0) {
        out = Builder.started(out, in, i);
        int consumed = (int) (entity & 0xFF);
        out.appendCodePoint((int) (entity >>> 8), i, i + consumed);
        i += consumed;
      } else {
        Builder.keep(out, in, i);
        i++;
      }
    }
    return Builder.result(out);
  }

  private static int hexValue(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0 || s.charAt(i) > 'f') {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /** The end of a run of {@code \xHH} and {@code \ooo} escapes starting at {@code i}, or {@code i}. */
  private static int byteEscapeRun(String s, int i, int n) {
    int end = i;
    while (end + 1 < n && s.charAt(end) == '\\') {
      int len = byteEscapeLength(s, end, n);
      if (len == 0) {
        break;
      }
      end += len;
    }
    return end;
  }

  private static int byteEscapeLength(String s, int i, int n) {
    char e = s.charAt(i + 1);
    if (e == 'x') {
      return i + 4 <= n && hexValue(s, i + 2, i + 4) >= 0 ? 4 : 0;
    }
    if (e >= '0' && e <= '3' && i + 4 <= n && isOctal(s.charAt(i + 2)) && isOctal(s.charAt(i + 3))) {
      return 4;
    }
    return 0;
  }

  private static boolean isOctal(char c) {
    return c >= '0' && c <= '7';
  }

  private static void appendByteEscapes(String s, int from, int to, byte[] run, Builder out) {
    int count = 0;
    int[] at = new int[(to - from) / 4 + 1];
    for (int i = from; i < to; ) {
      int len = byteEscapeLength(s, i, to);
      at[count] = i;
      run[count++] = (byte) (s.charAt(i + 1) == 'x' ? hexValue(s, i + 2, i + 4)
          : Integer.parseInt(s, i + 1, i + 4, 8));
      i += len;
    }
    appendBytes(run, count, at, to, out);
    java.util.Arrays.fill(run, 0, count, (byte) 0);
  }

  /**
   * Appends {@code bytes[0, count)} as UTF-8 chars where they are valid UTF-8, else one char per
   * byte; byte {@code k} came from the original span {@code [at[k], at[k+1])} (the last ends at
   * {@code end}).
   */
  private static void appendBytes(byte[] bytes, int count, int[] at, int end, Builder out) {
    View chars = fromUtf8(bytes, 0, count);
    boolean valid = chars.text.indexOf('\uFFFD') < 0;
    if (valid) {
      for (int k = 0; k < chars.text.length(); k++) {
        int first = chars.starts[k];
        int last = chars.ends[k];
        out.append(chars.text.charAt(k), at[first], last < count ? at[last] : end);
      }
    } else {
      for (int k = 0; k < count; k++) {
        out.append((char) (bytes[k] & 0xFF), at[k], k + 1 < count ? at[k + 1] : end);
      }
    }
  }

  /** An entity at {@code i} as {@code codePoint << 8 | length}, or {@code -1}. */
  private static long entityAt(String s, int i, int n) {
    int semi = -1;
    for (int k = i + 1; k < n && k < i + 12; k++) {
      if (s.charAt(k) == ';') {
        semi = k;
        break;
      }
    }
    if (semi < i + 2) {
      return -1;
    }
    int cp;
    if (s.charAt(i + 1) == '#') {
      boolean hex = s.charAt(i + 2) == 'x' || s.charAt(i + 2) == 'X';
      int from = hex ? i + 3 : i + 2;
      if (from >= semi) {
        return -1;
      }
      cp = 0;
      for (int k = from; k < semi; k++) {
        int d = Character.digit(s.charAt(k), hex ? 16 : 10);
        if (d < 0 || s.charAt(k) > 'f' || cp > 0x10FFFF) {
          return -1;
        }
        cp = cp * (hex ? 16 : 10) + d;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
      }
    } else {
      Integer named = ENTITIES.get(s.substring(i + 1, semi));
      if (named == null) {
        return -1;
      }
      cp = named;
    }
    return ((long) cp << 8) | (semi + 1 - i);
  }

  /**
   * One level of percent-encoding: runs of {@code %HH} decoded together as UTF-8, and with
   * {@code plusAsSpace} {@code +} as a space (HTML form style). A URL inside a URL parameter is
   * two levels. {@code null} when the text holds no {@code %HH}.
   */
  static View unescapePercent(View in, boolean plusAsSpace) {
    String s = in.text;
    int n = s.length();
    int i = s.indexOf('%');
    if (i < 0) {
      return null;
    }
    if (plusAsSpace) {
      i = 0;
    }
    Builder out = null;
    byte[] run = null;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '%' && i + 3 <= n && hexValue(s, i + 1, i + 3) >= 0) {
        int end = i;
        while (end + 3 <= n && s.charAt(end) == '%' && hexValue(s, end + 1, end + 3) >= 0) {
          end += 3;
        }
        out = Builder.started(out, in, i);
        int count = (end - i) / 3;
        if (run == null || run.length < count) {
          run = new byte[Math.max(count, 16)];
        }
        int[] at = new int[count];
        for (int k = 0; k < count; k++) {
          at[k] = i + 3 * k;
          run[k] = (byte) hexValue(s, at[k] + 1, at[k] + 3);
        }
        appendBytes(run, count, at, end, out);
        java.util.Arrays.fill(run, 0, count, (byte) 0);
        i = end;
        continue;
      }
      if (plusAsSpace && c == '+') {
        out = Builder.started(out, in, i);
        out.append(' ', i, i + 1);
      } else {
        Builder.keep(out, in, i);
      }
      i++;
    }
    return Builder.result(out);
  }

  /**
   * Quotes doubled as CSV and SQL string literals escape them ({@code ""} and {@code ''})
   * collapsed to one; {@code null} when there are none.
   */
  static View undoubleQuotes(View in) {
    String s = in.text;
    int n = s.length();
    Builder out = null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if ((c == '"' || c == '\'') && i + 1 < n && s.charAt(i + 1) == c) {
        out = Builder.started(out, in, i);
        out.append(c, i, i + 2);
        i++;
        continue;
      }
      Builder.keep(out, in, i);
    }
    return Builder.result(out);
  }

  /**
   * Base64 wrapped into lines (MIME at 76 columns, PEM at 64; LF or CRLF, header folding's
   * leading blanks) joined back: a line break is dropped when at least
   * {@value #MIN_WRAPPED_LINE} base64 characters precede it and a base64 character follows it.
   */
  static View joinWrappedBase64(View in) {
    String s = in.text;
    int n = s.length();
    Builder out = null;
    int run = 0;
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if ((c == '\n' || c == '\r') && run >= MIN_WRAPPED_LINE) {
        int j = i;
        while (j < n && (s.charAt(j) == '\n' || s.charAt(j) == '\r')) {
          j++;
        }
        int breaks = j - i;
        while (j < n && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
          j++;
        }
        if (breaks <= 2 && j < n && Variants.isBase64(s.charAt(j))) {
          out = Builder.started(out, in, i);
          i = j; // the break is dropped; the run goes on over the next line
          continue;
        }
      }
      run = Variants.isBase64(c) ? run + 1 : 0;
      Builder.keep(out, in, i);
      i++;
    }
    return Builder.result(out);
  }

  /**
   * {@code [104, 117, -61, -87]} as {@code Arrays.toString} writes a {@code byte[]} (decoded as
   * UTF-8), an {@code int[]} of code points or chars, or a {@code List} of them. At least two
   * elements.
   */
  static View listOfNumbers(View in) {
    String s = in.text;
    int n = s.length();
    Builder out = null;
    int i = 0;
    while (i < n) {
      if (s.charAt(i) == '[' && i + 1 < n
          && (isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '-')) {
        int end = numberList(s, i, n, null, null);
        if (end > 0) {
          int count = numberList(s, i, n, null, new int[1]);
          int[] values = new int[count];
          int[] at = new int[count + 1];
          numberList(s, i, n, values, at);
          out = Builder.started(out, in, i);
          out.append('[', i, i + 1);
          appendNumbers(values, count, at, out);
          out.append(']', end - 1, end);
          java.util.Arrays.fill(values, 0);
          i = end;
          continue;
        }
      }
      Builder.keep(out, in, i);
      i++;
    }
    return Builder.result(out);
  }

  /**
   * Parses a list at {@code i}. With {@code values == null}: returns its end (after {@code ]}),
   * or -1; when {@code at} is given, the number of elements instead. With
   * {@code values}: fills values and element starts ({@code at[count]} = the closing bracket).
   */
  private static int numberList(String s, int i, int n, int[] values, int[] at) {
    int k = i + 1;
    int count = 0;
    while (true) {
      int start = k;
      boolean negative = k < n && s.charAt(k) == '-';
      if (negative) {
        k++;
      }
      int digits = 0;
      long v = 0;
      while (k < n && isDigit(s.charAt(k)) && digits < 8) {
        v = v * 10 + (s.charAt(k) - '0');
        k++;
        digits++;
      }
      if (digits == 0 || (negative && v > 128) || v > 0x10FFFF) {
        return -1;
      }
      if (values != null) {
        values[count] = (int) (negative ? -v : v);
        at[count] = start;
      }
      count++;
      if (k < n && s.charAt(k) == ']') {
        if (count < 2) {
          return -1;
        }
        if (values != null) {
          at[count] = k;
          return k + 1;
        }
        if (at != null) {
          return count;
        }
        return k + 1;
      }
      if (k + 1 < n && s.charAt(k) == ',' && s.charAt(k + 1) == ' ') {
        k += 2;
      } else {
        return -1;
      }
    }
  }

  private static void appendNumbers(int[] values, int count, int[] at, Builder out) {
    boolean bytes = true;
    for (int k = 0; k < count; k++) {
      bytes &= values[k] >= -128 && values[k] <= 255;
    }
    if (bytes) {
      byte[] b = new byte[count];
      for (int k = 0; k < count; k++) {
        b[k] = (byte) values[k];
      }
      // each byte's span ends before the ", " that follows it
      appendBytes(b, count, at, at[count], out);
      java.util.Arrays.fill(b, (byte) 0);
    } else {
      for (int k = 0; k < count; k++) {
        int v = values[k] < 0 ? values[k] + 256 : values[k];
        out.appendCodePoint(v, at[k], at[k + 1]);
      }
    }
  }

  /** {@code [s, e, c, r]} as {@code Arrays.toString} writes a {@code char[]}: at least two chars. */
  static View listOfChars(View in) {
    String s = in.text;
    int n = s.length();
    Builder out = null;
    int i = 0;
    while (i < n) {
      if (s.charAt(i) == '[' && i + 4 < n && s.charAt(i + 2) == ',' && s.charAt(i + 3) == ' ') {
        int k = i + 1;
        int count = 0;
        while (k + 1 < n && (s.charAt(k + 1) == ']' || (k + 2 < n && s.charAt(k + 1) == ','
            && s.charAt(k + 2) == ' '))) {
          count++;
          if (s.charAt(k + 1) == ']') {
            k += 2;
            break;
          }
          k += 3;
        }
        if (count >= 2 && s.charAt(k - 1) == ']') {
          out = Builder.started(out, in, i);
          out.append('[', i, i + 1);
          for (int e = 0, p = i + 1; e < count; e++, p += 3) {
            out.append(s.charAt(p), p, p + 1);
          }
          out.append(']', k - 1, k);
          i = k;
          continue;
        }
      }
      Builder.keep(out, in, i);
      i++;
    }
    return Builder.result(out);
  }

  /** Builds a view whose spans are composed with those of the view it decodes. */
  private static final class Builder {
    private final View input;
    private char[] chars;
    private int[] starts;
    private int[] ends;
    private int size;

    Builder(int capacity, View input) {
      this.input = input;
      int c = Math.max(16, capacity);
      chars = new char[c];
      starts = new int[c];
      ends = new int[c];
    }

    /** {@code out}, or a new builder holding {@code in}'s text before {@code i}: a view starts. */
    static Builder started(Builder out, View in, int i) {
      return out != null ? out : new Builder(in.text.length(), in).copy(in.text, 0, i);
    }

    /** The view built, or {@code null} when nothing was decoded. */
    static View result(Builder out) {
      return out == null ? null : out.build();
    }

    /** Keeps {@code in}'s char {@code i} as it is, once a view has started. */
    static void keep(Builder out, View in, int i) {
      if (out != null) {
        out.append(in.text.charAt(i), i, i + 1);
      }
    }

    Builder copy(String s, int from, int to) {
      for (int i = from; i < to; i++) {
        append(s.charAt(i), i, i + 1);
      }
      return this;
    }

    /** Appends {@code c}, decoded from the input's chars {@code [from, to)}. */
    void append(char c, int from, int to) {
      if (size == chars.length) {
        chars = java.util.Arrays.copyOf(chars, size * 2);
        starts = java.util.Arrays.copyOf(starts, size * 2);
        ends = java.util.Arrays.copyOf(ends, size * 2);
      }
      chars[size] = c;
      starts[size] = input == null ? from : input.starts[from];
      ends[size++] = input == null ? to : input.ends[to - 1];
    }

    void appendCodePoint(int cp, int from, int to) {
      if (Character.isBmpCodePoint(cp)) {
        append((char) cp, from, to);
      } else {
        append(Character.highSurrogate(cp), from, to);
        append(Character.lowSurrogate(cp), from, to);
      }
    }

    View build() {
      String text = new String(chars, 0, size);
      java.util.Arrays.fill(chars, '\0');
      return new View(text, java.util.Arrays.copyOf(starts, size), java.util.Arrays.copyOf(ends, size));
    }
  }
}
