package io.secretsdk.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * One pass over a text looking for the literal vendor prefixes of {@link TokenDetector}s; a
 * detector's regular expression runs only where one of its prefixes occurs. A position costs one
 * lookup in a 2 KiB bit table of the first two characters of every prefix.
 */
final class DetectorScanner {
  private static final long[] PAIRS = new long[(128 * 128) / 64];
  /** Indexed by first character: the (prefix, detector) pairs to try, in declaration order. */
  private static final String[][] PREFIX_BY_FIRST = new String[128][];
  private static final TokenDetector[][] DETECTOR_BY_FIRST = new TokenDetector[128][];

  static {
    List<List<String>> prefixes = new ArrayList<>();
    List<List<TokenDetector>> detectors = new ArrayList<>();
    for (int i = 0; i < 128; i++) {
      prefixes.add(new ArrayList<>());
      detectors.add(new ArrayList<>());
    }
    for (TokenDetector d : TokenDetector.values()) {
      for (String p : d.prefixes()) {
        int key = (p.charAt(0) << 7) | p.charAt(1);
        PAIRS[key >>> 6] |= 1L << (key & 63);
        prefixes.get(p.charAt(0)).add(p);
        detectors.get(p.charAt(0)).add(d);
      }
    }
    for (int i = 0; i < 128; i++) {
      if (!prefixes.get(i).isEmpty()) {
        PREFIX_BY_FIRST[i] = prefixes.get(i).toArray(new String[0]);
        DETECTOR_BY_FIRST[i] = detectors.get(i).toArray(new TokenDetector[0]);
      }
    }
  }

  private DetectorScanner() {}

  static boolean pair(int c0, int c1) {
    if ((c0 | c1) >= 128) {
      return false;
    }
    int key = (c0 << 7) | c1;
    return (PAIRS[key >>> 6] & (1L << (key & 63))) != 0;
  }

  static boolean isWord(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  /**
   * Scans {@code text[from, to)} for the detectors in {@code enabled}, adding hits (in increasing
   * start order, never overlapping) to {@code m}, which is created on the first hit.
   */
  static RedactionIndex.Matches scan(CharSequence text, int from, int to,
      Set<TokenDetector> enabled, RedactionIndex.Matches m) {
    if (enabled.isEmpty() || to - from < 2) {
      return m;
    }
    // String gets its own monomorphic loop: the logging path
    if (text instanceof String) {
      return scanString((String) text, from, to, enabled, m);
    }
    int i = from;
    int last = to - 1;
    while (i < last) {
      char c0 = text.charAt(i);
      if (pair(c0, text.charAt(i + 1)) && (i == 0 || !isWord(text.charAt(i - 1)))) {
        long hit = tryAt(text, i, to, enabled);
        if (hit >= 0) {
          if (m == null) {
            m = new RedactionIndex.Matches();
          }
          int end = (int) hit;
          m.add(i, end, TokenDetector.values()[(int) (hit >>> 32)]);
          i = end;
          continue;
        }
      }
      i++;
    }
    return m;
  }

  private static RedactionIndex.Matches scanString(String text, int from, int to,
      Set<TokenDetector> enabled, RedactionIndex.Matches m) {
    long[] pairs = PAIRS;
    int c0 = text.charAt(from);
    int before = from == 0 ? ' ' : text.charAt(from - 1);
    for (int i = from + 1; i < to; i++) {
      int c1 = text.charAt(i);
      int key = (c0 << 7) | c1;
      if (((c0 | c1) & ~0x7F) == 0 && (pairs[key >>> 6] & (1L << key)) != 0 && !isWord(before)) {
        long hit = tryAt(text, i - 1, to, enabled);
        if (hit >= 0) {
          if (m == null) {
            m = new RedactionIndex.Matches();
          }
          int end = (int) hit;
          m.add(i - 1, end, TokenDetector.values()[(int) (hit >>> 32)]);
          if (end + 1 >= to) {
            return m;
          }
          before = text.charAt(end - 1);
          c0 = text.charAt(end);
          i = end;
          continue;
        }
      }
      before = c0;
      c0 = c1;
    }
    return m;
  }


  /** Scans the bytes {@code utf8[from, to)} (UTF-8 or any ASCII-compatible encoding). */
  static RedactionIndex.Matches scan(byte[] utf8, int from, int to,
      Set<TokenDetector> enabled, RedactionIndex.Matches m) {
    if (enabled.isEmpty()) {
      return m;
    }
    Latin1View view = null;
    int i = from;
    int last = to - 1;
    while (i < last) {
      int c0 = utf8[i] & 0xFF;
      if (pair(c0, utf8[i + 1] & 0xFF) && (i == 0 || !isWord(utf8[i - 1] & 0xFF))) {
        if (anyPrefixAt(utf8, i, to)) {
          if (view == null) {
            view = new Latin1View(utf8);
          }
          long hit = tryAt(view, i, to, enabled);
          if (hit >= 0) {
            if (m == null) {
              m = new RedactionIndex.Matches();
            }
            int end = (int) hit;
            m.add(i, end, TokenDetector.values()[(int) (hit >>> 32)]);
            i = end;
            continue;
          }
        }
      }
      i++;
    }
    return m;
  }

  /**
   * The detector match at {@code utf8[i]}, as {@link #tryAt}, or {@code -1}; a view of the bytes
   * is made only where a whole prefix occurs.
   */
  static long tryBytesAt(byte[] utf8, int i, int to, Set<TokenDetector> enabled) {
    return anyPrefixAt(utf8, i, to) ? tryAt(new Latin1View(utf8), i, to, enabled) : -1;
  }

  static boolean anyPrefixAt(byte[] utf8, int i, int to) {
    for (String p : PREFIX_BY_FIRST[utf8[i]]) {
      if (to - i >= p.length()) {
        int k = 0;
        while (k < p.length() && utf8[i + k] == p.charAt(k)) {
          k++;
        }
        if (k == p.length()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The match at {@code i} as {@code detector ordinal << 32 | end}, or {@code -1}. A matcher is
   * created only where a whole prefix occurs.
   */
  static long tryAt(CharSequence text, int i, int to, Set<TokenDetector> enabled) {
    char c0 = text.charAt(i);
    String[] prefixes = PREFIX_BY_FIRST[c0];
    TokenDetector[] detectors = DETECTOR_BY_FIRST[c0];
    TokenDetector tried = null;
    for (int k = 0; k < prefixes.length; k++) {
      TokenDetector d = detectors[k];
      if (d == tried || !enabled.contains(d) || !startsWith(text, i, to, prefixes[k])) {
        continue;
      }
      tried = d;
      Matcher matcher = d.pattern().matcher(text);
      matcher.useTransparentBounds(true).useAnchoringBounds(false);
      if (d.matchAt(matcher, i, to)) {
        return ((long) d.ordinal() << 32) | matcher.end();
      }
    }
    return -1;
  }

  private static boolean startsWith(CharSequence text, int i, int to, String prefix) {
    if (to - i < prefix.length()) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (text.charAt(i + k) != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Bytes seen as ISO-8859-1 characters: ASCII stays ASCII, every other byte is a non-word char. */
  static final class Latin1View implements CharSequence {
    private final byte[] bytes;
    private final int offset;
    private final int length;

    Latin1View(byte[] bytes) {
      this(bytes, 0, bytes.length);
    }

    private Latin1View(byte[] bytes, int offset, int length) {
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      if (index < 0 || index >= length) {
        throw new IndexOutOfBoundsException(index);
      }
      return (char) (bytes[offset + index] & 0xFF);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      if (start < 0 || end > length || start > end) {
        throw new IndexOutOfBoundsException();
      }
      return new Latin1View(bytes, offset + start, end - start);
    }

    @Override
    public String toString() {
      // only ever called by regex internals on matched groups; never logged by this package
      return new String(bytes, offset, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }
}
