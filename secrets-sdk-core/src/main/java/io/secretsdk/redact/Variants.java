package io.secretsdk.redact;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The forms under which a secret value may appear in text, as folded patterns (see {@link #fold}).
 *
 * <p>Built from char arrays only, and every temporary array is wiped, so that building the
 * variants leaves no copy of the value behind but the patterns themselves.
 */
final class Variants {
  /** The match may extend over one base64 character before it (partial leading sextet). */
  static final int EXTEND_LEFT = 1;
  /** The match may extend over up to 4 base64 characters and 2 '=' after it (tail, padding, "\n"). */
  static final int EXTEND_RIGHT = 2;

  private static final char[] FOLD = new char[128];
  private static final char[] B64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static {
    for (char c = 0; c < 128; c++) {
      FOLD[c] = c;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      FOLD[c] = (char) (c + ('a' - 'A'));
    }
    // one pattern covers both base64 alphabets
    FOLD['-'] = '+';
    FOLD['_'] = '/';
  }

  private Variants() {}

  /**
   * Folds a unit for matching: ASCII letters to lower case, {@code -} to {@code +} and {@code _}
   * to {@code /}. Matching is therefore ASCII-case-insensitive (hex and percent-encoding in
   * either case) and one base64 pattern covers the URL-safe alphabet too; the price is that text
   * differing from a secret only in those ways is redacted as well.
   */
  static int fold(int unit) {
    return unit < 128 ? FOLD[unit] : unit;
  }

  static boolean isBase64(int unit) {
    return (unit >= 'a' && unit <= 'z') || (unit >= 'A' && unit <= 'Z') || (unit >= '0' && unit <= '9')
        || unit == '+' || unit == '/' || unit == '-' || unit == '_';
  }

  // forms generated from the value when they are inserted or verified, never stored

  /** The value itself (or one of its lines): its chars, or its UTF-8 bytes in the byte path. */
  static final int RAW = 0;
  /** Percent-encoding, HTML form style (space as '+'). */
  static final int PERCENT_FORM = 1;
  /** Percent-encoding, RFC 3986 style. */
  static final int PERCENT_RFC = 2;
  static final int HEX_FORM = 3;
  /** Base64 core at byte alignment 0; {@code BASE64 + 1} and {@code BASE64 + 2} the others. */
  static final int BASE64 = 4;
  static final int FORMS = 7;

  /** How a match of {@code form} may be extended (see {@link #EXTEND_LEFT}). */
  static int flags(int form) {
    return form == BASE64 ? EXTEND_RIGHT : form > BASE64 ? EXTEND_LEFT | EXTEND_RIGHT : 0;
  }

  /**
   * The folded units of one form of a value, as a new array the caller wipes, or {@code null}
   * when the form is empty. {@code chars} is the value's UTF-16 when it has non-ASCII chars (then
   * {@code from}/{@code to} of {@code RAW} are char indexes), else {@code null}; {@code utf8}
   * asks for {@code RAW} as UTF-8 bytes (one unit per byte).
   */
  static char[] units(int form, byte[] value, char[] chars, int from, int to, boolean utf8) {
    char[] u;
    switch (form) {
      case RAW:
        if (chars == null) {
          u = new char[to - from];
          for (int i = from; i < to; i++) {
            u[i - from] = (char) (value[i] & 0xFF);
          }
        } else if (!utf8) {
          u = Arrays.copyOfRange(chars, from, to);
        } else {
          char[] range = Arrays.copyOfRange(chars, from, to);
          byte[] b = Utf8.encode(range);
          Arrays.fill(range, '\0');
          u = new char[b.length];
          for (int i = 0; i < b.length; i++) {
            u[i] = (char) (b[i] & 0xFF);
          }
          Arrays.fill(b, (byte) 0);
        }
        break;
      case PERCENT_FORM:
      case PERCENT_RFC:
        u = percentEncode(value, form == PERCENT_FORM);
        break;
      case HEX_FORM:
        u = hex(value);
        break;
      default:
        u = base64Core(value, form - BASE64);
    }
    if (u != null) {
      for (int i = 0; i < u.length; i++) {
        u[i] = (char) fold(u[i]);
      }
    }
    return u;
  }

  /** Whether every byte is ASCII. */
  static boolean isAscii(byte[] value) {
    for (byte b : value) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** {@code [from, to)} of each line of a multi-line text at least {@code minLength} long. */
  static List<int[]> lines(char[] text, int minLength) {
    List<int[]> out = new ArrayList<>();
    int start = 0;
    boolean multiLine = false;
    for (int i = 0; i <= text.length; i++) {
      if (i == text.length || text[i] == '\n' || text[i] == '\r') {
        if (i < text.length) {
          multiLine = true;
        }
        if (multiLine && i - start >= minLength) {
          out.add(new int[] {start, i});
        }
        start = i + 1;
      }
    }
    return out;
  }

  /** As {@link #lines(char[], int)} over the bytes of an ASCII value. */
  static List<int[]> lines(byte[] ascii, int minLength) {
    char[] c = new char[ascii.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = ascii[i] == '\n' || ascii[i] == '\r' ? (char) ascii[i] : 'x';
    }
    return lines(c, minLength);
  }

  /** The value as chars if it is well-formed UTF-8, else {@code null}. */
  static char[] decodeUtf8(byte[] value) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    // UTF-8 never yields more chars than bytes
    CharBuffer buffer = CharBuffer.allocate(value.length);
    CoderResult result = decoder.decode(ByteBuffer.wrap(value), buffer, true);
    if (!result.isError()) {
      result = decoder.flush(buffer);
    }
    if (result.isError()) {
      Arrays.fill(buffer.array(), '\0');
      return null;
    }
    char[] chars = Arrays.copyOf(buffer.array(), buffer.position());
    Arrays.fill(buffer.array(), '\0');
    return chars;
  }

  /** JSON string escaping as Jackson writes it, optionally escaping '/' and non-ASCII too. */
  static char[] jsonEscape(char[] text, boolean escapeSlash, boolean asciiOnly) {
    CharArray out = new CharArray(text.length + 16);
    for (char c : text) {
      switch (c) {
        case '"': out.append('\\').append('"'); break;
        case '\\': out.append('\\').append('\\'); break;
        case '\n': out.append('\\').append('n'); break;
        case '\r': out.append('\\').append('r'); break;
        case '\t': out.append('\\').append('t'); break;
        case '\b': out.append('\\').append('b'); break;
        case '\f': out.append('\\').append('f'); break;
        case '/':
          if (escapeSlash) {
            out.append('\\');
          }
          out.append('/');
          break;
        default:
          if (c < 0x20 || (asciiOnly && c > 0x7E)) {
            out.append('\\').append('u').append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15])
                .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
          } else {
            out.append(c);
          }
      }
    }
    return out.toArrayAndWipe();
  }

  /** XML escaping: named entities, or numeric references for the quotes. */
  static char[] xmlEscape(char[] text, boolean numericQuotes) {
    CharArray out = new CharArray(text.length + 16);
    for (char c : text) {
      switch (c) {
        case '&': out.append("&amp;"); break;
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '"': out.append(numericQuotes ? "&#34;" : "&quot;"); break;
        case '\'': out.append(numericQuotes ? "&#39;" : "&apos;"); break;
        default: out.append(c);
      }
    }
    return out.toArrayAndWipe();
  }

  /**
   * Percent-encoding of the UTF-8 bytes: HTML form style ({@code URLEncoder}: space as '+') or
   * RFC 3986 style (space as %20, '~' kept).
   */
  static char[] percentEncode(byte[] value, boolean form) {
    CharArray out = new CharArray(value.length + 16);
    for (byte b : value) {
      int c = b & 0xFF;
      boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || (form ? c == '*' : c == '~');
      if (keep) {
        out.append((char) c);
      } else if (form && c == ' ') {
        out.append('+');
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return out.toArrayAndWipe();
  }

  static char[] hex(byte[] value) {
    char[] out = new char[value.length * 2];
    for (int i = 0; i < value.length; i++) {
      out[2 * i] = HEX[(value[i] >> 4) & 15];
      out[2 * i + 1] = HEX[value[i] & 15];
    }
    return out;
  }

  /**
   * The characters of the base64 encoding of {@code align} zero bytes followed by the value that
   * depend on the value's bits alone: this substring appears in any base64 text that encodes the
   * value at that byte alignment, padded or not, whatever bytes come before or after it.
   */
  static char[] base64Core(byte[] value, int align) {
    long firstBit = 8L * align;
    long endBit = 8L * (align + value.length);
    int from = (int) ((firstBit + 5) / 6);
    int to = (int) (endBit / 6);
    if (to <= from) {
      return null;
    }
    char[] out = new char[to - from];
    for (int k = from; k < to; k++) {
      int sextet = 0;
      for (int bit = 0; bit < 6; bit++) {
        long pos = 6L * k + bit; // bit position in the (align zeros + value) stream
        int byteIndex = (int) (pos / 8) - align;
        int bitInByte = 7 - (int) (pos % 8);
        int b = byteIndex < 0 ? 0 : (value[byteIndex] >> bitInByte) & 1;
        sextet = (sextet << 1) | b;
      }
      out[k - from] = B64[sextet];
    }
    return out;
  }

  /** A growable char array that wipes what it discards. */
  static final class CharArray {
    private char[] buf;
    private int len;

    CharArray(int capacity) {
      buf = new char[Math.max(capacity, 16)];
    }

    CharArray append(char c) {
      if (len == buf.length) {
        char[] bigger = Arrays.copyOf(buf, buf.length * 2);
        Arrays.fill(buf, '\0');
        buf = bigger;
      }
      buf[len++] = c;
      return this;
    }

    CharArray append(String s) {
      for (int i = 0; i < s.length(); i++) {
        append(s.charAt(i));
      }
      return this;
    }

    char[] toArrayAndWipe() {
      char[] out = Arrays.copyOf(buf, len);
      Arrays.fill(buf, '\0');
      return out;
    }
  }
}
