package io.secretsdk.redact;

import io.secretsdk.SecretRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of secret values that must never be written out, with the forms they may take in text,
 * and the redaction of text against it.
 *
 * <p><b>What is registered.</b> {@link #register(SecretRef, byte[])} adds a value under its ref
 * together with: each line of a multi-line value; its JSON-escaped forms (as Jackson writes it,
 * with {@code \/}, and with non-ASCII as {@code \}{@code uXXXX}); its XML-escaped forms; its
 * URL-encoded forms (form style and RFC 3986); its hex; and its base64 at each of the three byte
 * alignments it can take inside a longer base64 text. Matching ignores ASCII case and treats
 * {@code -}/{@code +} and {@code _}/{@code /} as equal, so one pattern covers hex in both cases,
 * percent-encoding in both cases and both base64 alphabets; a base64 match is extended over the
 * partial characters and padding around it, which covers padded and unpadded forms and the
 * base64 of the value followed by a newline. The price of folding is that text differing from a
 * secret only in case or in those characters is redacted too.
 *
 * <p><b>Matching.</b> One pass over the text, whatever the number of registered values: a rolling
 * hash of every window of {@code min(minValueLength, 16)} characters is looked up in an
 * open-addressing table that holds, for each pattern, the hash of one of its windows (the window
 * whose bucket was least used when the pattern was added, so values sharing a prefix such as
 * {@code sk-proj-} do not pile up in one bucket); only a hit is verified against the pattern.
 * Beside it, {@link TokenDetector}s run where their vendor prefixes occur. When nothing matches,
 * {@link #redact(CharSequence)} returns the very string it was given and allocates nothing.
 * (A hash index rather than an Aho-Corasick automaton: it takes about a tenth of the memory per
 * pattern character, and adding a value costs time proportional to that value, not to the index.)
 *
 * <p><b>Concurrency.</b> Readers take no lock. Registration is serialized on a lock, updates the
 * table in place (a new table is published through a volatile field when it grows) and ends with
 * a volatile write, so any redaction that starts after {@code register} returns sees the value.
 * A redaction running concurrently with a registration may or may not see it.
 *
 * <p><b>Memory policy.</b> At most {@link RedactionOptions#maxValues()} (ref, value) pairs are
 * held (default 20,000; about 1 KiB each for a 40-character value); past it the least recently
 * registered pair is dropped, and a warning is logged once. A ref keeps at most
 * {@link RedactionOptions#maxVersionsPerRef()} distinct values (rotated versions stay masked
 * through a grace window). {@link #unregister(SecretRef)} drops every value of a ref at once.
 * Dropped patterns are overwritten with zeros. Values are held only as patterns inside the index;
 * the caller's array is never kept. Values shorter than
 * {@link RedactionOptions#minValueLength()} are not registered, and a warning naming the ref (never
 * the value) is logged once per ref.
 *
 * <p>{@link #toString()} shows counts only.
 */
public final class RedactionIndex {
  private static final Logger LOG = LoggerFactory.getLogger(RedactionIndex.class);

  private static final long MIX = 0x9E3779B97F4A7C15L;
  /** Longest hashed window: the gear hash below keeps {@code 64 / window} bits per unit. */
  private static final int MAX_WINDOW = 8;
  /**
   * Random 64-bit values per folded unit below 256, for the gear hash
   * {@code h = (h << 8) + GEAR[unit]}: a unit's contribution leaves the 64-bit hash by itself
   * after 8 steps (and the low {@code 8 * window} bits after {@code window} steps), so no
   * outgoing unit is read again.
   */
  private static final long[] GEAR = new long[256];

  static {
    java.util.SplittableRandom random = new java.util.SplittableRandom(0x5EC2E75DL);
    long[] raw = new long[256];
    for (int i = 0; i < 256; i++) {
      raw[i] = random.nextLong();
    }
    for (int i = 0; i < 256; i++) {
      GEAR[i] = raw[Variants.fold(i)];
    }
  }
  private static final int MODE_CHAR = 1;
  private static final int MODE_BYTE = 2;
  private static final int MAX_WARNED_REFS = 1024;
  /** Shortest value masked at all, as a whole token: shorter ones would mask common words. */
  static final int SHORT_VALUE_MIN = 4;
  /** Base64 characters a match may be extended over to the right (the partial sextet and up to three trailing bytes such as "\r\n"), and '=' padding after them. */
  private static final int EXTEND_RIGHT_CHARS = 4;
  private static final int EXTEND_RIGHT_PADDING = 2;

  private static final String[] DETECTOR_LABELS;
  private static final byte[][] DETECTOR_LABELS_UTF8;

  static {
    TokenDetector[] all = TokenDetector.values();
    DETECTOR_LABELS = new String[all.length];
    DETECTOR_LABELS_UTF8 = new byte[all.length][];
    for (TokenDetector d : all) {
      DETECTOR_LABELS[d.ordinal()] = "[REDACTED:" + d.id() + "]";
      DETECTOR_LABELS_UTF8[d.ordinal()] = DETECTOR_LABELS[d.ordinal()].getBytes(StandardCharsets.UTF_8);
    }
  }

  private static final class GlobalHolder {
    static final RedactionIndex GLOBAL = new RedactionIndex(RedactionOptions.ofDefaults());
  }

  private final RedactionOptions options;
  private final Set<TokenDetector> detectors;
  private final int window;
  private final long windowMask;
  private final byte[] macKey;

  private final Object lock = new Object();
  /** Published on every change: the volatile write that makes a registration visible. */
  private volatile Table table;
  /**
   * Values shorter than the window, keyed by the hash of the whole value; matched only where they
   * stand as a whole token. Grows in place (written under the lock before {@link #table} is
   * published); {@link #shortLengths} has bit {@code n} set when a value of {@code n} chars is held.
   */
  private volatile Table shortTable = new Table(16);
  private volatile int shortLengths;
  private volatile int shortLengthsUtf8;
  /** A short value has non-ASCII chars: bytes with non-ASCII are decoded to chars for it. */
  private volatile boolean shortNonAscii;
  private int shortCount;
  private volatile int maxPatternBytes;

  // guarded by lock
  private final LinkedHashSet<Registration> lru = new LinkedHashSet<>();
  /** Credentials are never evicted by resolved values: they stay masked while they may be used. */
  private final Set<Registration> credentials = new HashSet<>();
  private final Map<SecretRef, List<Registration>> byRef = new HashMap<>();
  private final Set<SecretRef> warnedShort = new HashSet<>();
  private boolean warnedEviction;
  private int patternCount;

  private RedactionIndex(RedactionOptions options) {
    this.options = options;
    this.detectors = options.detectors();
    this.window = Math.min(options.minValueLength(), MAX_WINDOW);
    // h = (h << 8) + GEAR[unit]: the low 8 * window bits depend on the last window units only
    this.windowMask = window >= 8 ? -1L : (1L << (8 * window)) - 1;
    this.macKey = new byte[32];
    new SecureRandom().nextBytes(macKey);
    this.table = new Table(64);
  }

  /**
   * The process-wide index with default options. {@code SecretsClient}s register into it unless
   * given another, and the Logback redactor and stream wrappers read it by default.
   */
  public static RedactionIndex global() {
    return GlobalHolder.GLOBAL;
  }

  /** A new, empty index with default options, independent of {@link #global()}. */
  public static RedactionIndex create() {
    return new RedactionIndex(RedactionOptions.ofDefaults());
  }

  /**
   * A new, empty index.
   *
   * @throws NullPointerException if {@code options} is null
   */
  public static RedactionIndex create(RedactionOptions options) {
    return new RedactionIndex(Objects.requireNonNull(options, "options"));
  }

  /** The options this index was built with. */
  public RedactionOptions options() {
    return options;
  }

  // ---------------------------------------------------------------------------------------------
  // registration

  /**
   * Registers a value and its encoded forms under {@code ref}; from the moment this returns, every
   * redaction that starts masks them. The array is read, not kept: the caller may wipe it at once.
   * Registering the same value under the same ref again only marks it as recently used. A value
   * shorter than {@link RedactionOptions#minValueLength()} is not registered (warned once per ref).
   *
   * @throws NullPointerException if {@code ref} or {@code value} is null
   */
  public void register(SecretRef ref, byte[] value) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(value, "value");
    byte[] copy = value.clone();
    List<Variants.Variant> variants = null;
    List<Object[]> prepared = null;
    boolean warnShort = false;
    int evicted = 0;
    boolean isShort = false;
    try {
      boolean[] tooShort = new boolean[1];
      variants = Variants.of(copy, options.minValueLength(), window,
          options.maxEncodedValueBytes(), tooShort);
      if (tooShort[0]) {
        char[] chars = Variants.decodeUtf8(copy);
        isShort = chars != null && chars.length >= SHORT_VALUE_MIN && chars.length < MAX_WINDOW;
        synchronized (lock) {
          if (warnedShort.size() < MAX_WARNED_REFS && warnedShort.add(ref)) {
            warnShort = true;
          }
        }
        if (!isShort) {
          if (chars != null) {
            Arrays.fill(chars, '\0');
          }
          return;
        }
        variants = new ArrayList<>(1);
        for (int i = 0; i < chars.length; i++) {
          chars[i] = (char) Variants.fold(chars[i]);
        }
        variants.add(new Variants.Variant(chars, 0));
      }
      byte[] mac = mac(copy);
      prepared = prepare(variants);
      variants = null;
      synchronized (lock) {
        List<Registration> forRef = byRef.get(ref);
        if (forRef != null) {
          for (Registration r : forRef) {
            if (MessageDigest.isEqual(r.mac, mac)) {
              if (lru.remove(r)) {
                lru.add(r);
              }
              forRef.remove(r);
              forRef.add(r);
              return;
            }
          }
        }
        Registration reg = new Registration(ref, mac, isShort);
        Table t = table;
        for (Object[] p : prepared) {
          if (isShort) {
            insertShort(reg, (Object) p[0], (int) p[1]);
          } else {
            t = insert(t, reg, (Object) p[0], (int) p[1], (int) p[2]);
          }
        }
        prepared = null;
        reg.freeze();
        if (CREDENTIAL_SCHEME.equals(ref.scheme())) {
          credentials.add(reg);
        } else {
          lru.add(reg);
        }
        byRef.computeIfAbsent(ref, k -> new ArrayList<>(2)).add(reg);
        while (byRef.get(ref).size() > options.maxVersionsPerRef()) {
          t = remove(t, byRef.get(ref).get(0));
        }
        while (lru.size() > options.maxValues()) {
          t = remove(t, lru.iterator().next());
          evicted++;
        }
        if (evicted > 0 && !warnedEviction) {
          warnedEviction = true;
        } else {
          evicted = 0;
        }
        table = t; // publish
      }
    } finally {
      Arrays.fill(copy, (byte) 0);
      if (variants != null) {
        for (Variants.Variant v : variants) {
          Arrays.fill(v.units, '\0');
        }
      }
      if (prepared != null) {
        for (Object[] p : prepared) {
          wipe(p[0]);
        }
      }
      if (warnShort && isShort) {
        LOG.warn("Secret {} is shorter than {} characters: it is masked in logs only where it "
            + "stands as a whole token", ref, options.minValueLength());
      } else if (warnShort) {
        LOG.warn("Secret {} is shorter than {} characters and is not masked by value in logs; "
            + "token formats are still masked", ref, options.minValueLength());
      }
      if (evicted > 0) {
        LOG.warn("RedactionIndex holds its maximum of {} values; the least recently registered "
            + "are no longer masked (warned once)", options.maxValues());
      }
    }
  }

  /**
   * Registers a credential the SDK (or the application) holds, such as a provider token, an AWS
   * secret access key or session token, an AppRole secret_id or an identity token, so that it is
   * masked exactly like a resolved value. Masked spans read {@code [REDACTED:credential://<kind>]}.
   * Credentials do not count against {@link RedactionOptions#maxValues()} and are never evicted to
   * make room for resolved values; each kind keeps its last
   * {@link RedactionOptions#maxVersionsPerRef()} distinct credentials (older tokens have been
   * replaced by renewal or login).
   * Registering the same credential again only marks it as recently used. The array is read, not
   * kept.
   *
   * @param kind what the credential is, for the mask: lower-case letters, digits, {@code -},
   *     {@code .} and {@code /}, e.g. {@code vault/token}; never the value
   * @throws IllegalArgumentException if {@code kind} is not of that form
   * @throws NullPointerException if an argument is null
   */
  public void registerCredential(String kind, byte[] value) {
    register(credentialRef(kind), value);
  }

  /**
   * Registers a credential held as characters; see {@link #registerCredential(String, byte[])}.
   * The UTF-8 copy made here is wiped before this returns.
   */
  public void registerCredential(String kind, CharSequence value) {
    Objects.requireNonNull(value, "value");
    SecretRef ref = credentialRef(kind);
    java.nio.ByteBuffer utf8 = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(value));
    byte[] bytes = new byte[utf8.remaining()];
    utf8.get(bytes);
    if (utf8.hasArray()) {
      Arrays.fill(utf8.array(), (byte) 0);
    }
    try {
      register(ref, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static final java.util.regex.Pattern CREDENTIAL_KIND =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{0,31}(/[a-z0-9][a-z0-9.-]{0,31}){0,3}");

  private static final String CREDENTIAL_SCHEME = "credential";

  private static SecretRef credentialRef(String kind) {
    Objects.requireNonNull(kind, "kind");
    if (!CREDENTIAL_KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException("credential kind must be lower-case words separated by '/',"
          + " e.g. vault/token (at most 4 words of 32 characters)");
    }
    return SecretRef.parse("credential://" + kind);
  }

  /**
   * Drops every value registered under {@code ref} and overwrites its patterns. Unknown refs are
   * ignored.
   *
   * @throws NullPointerException if {@code ref} is null
   */
  public void unregister(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    synchronized (lock) {
      List<Registration> forRef = byRef.get(ref);
      if (forRef == null) {
        return;
      }
      Table t = table;
      while (!forRef.isEmpty()) {
        t = remove(t, forRef.get(0));
      }
      table = t;
    }
  }

  /** Drops every registered value. */
  public void clear() {
    synchronized (lock) {
      Table t = table;
      while (!credentials.isEmpty()) {
        t = remove(t, credentials.iterator().next());
      }
      while (!lru.isEmpty()) {
        t = remove(t, lru.iterator().next());
      }
      table = new Table(64);
      shortTable = new Table(16);
      shortLengths = 0;
      shortLengthsUtf8 = 0;
      shortNonAscii = false;
    }
  }

  /** Number of refs with at least one registered value. */
  public int refCount() {
    synchronized (lock) {
      return byRef.size();
    }
  }

  /** Number of registered (ref, value) pairs. */
  public int valueCount() {
    synchronized (lock) {
      return lru.size() + credentials.size();
    }
  }

  /** Number of patterns (value forms) in the index. */
  public int patternCount() {
    synchronized (lock) {
      return patternCount;
    }
  }

  /** Longest pattern in UTF-8 bytes, plus the base64 extension; never decreases. */
  int maxPatternBytes() {
    return maxPatternBytes + EXTEND_RIGHT_CHARS + EXTEND_RIGHT_PADDING + 1;
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "RedactionIndex[refs=" + byRef.size() + ", values=" + (lru.size() + credentials.size())
          + ", patterns="
          + patternCount + ", minValueLength=" + options.minValueLength() + ", detectors="
          + detectors.size() + "]";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // redaction

  /**
   * The text with every registered value (and encoded form) replaced by {@code [REDACTED:<ref>]}
   * and every detected token by {@code [REDACTED:<detector-id>]}; overlapping spans are merged.
   * Returns {@code text} itself, without allocating, when it is a {@code String} and nothing
   * matches.
   *
   * @throws NullPointerException if {@code text} is null
   */
  public String redact(CharSequence text) {
    Objects.requireNonNull(text, "text");
    Matches m = scanChars(text, 0, text.length());
    if (m == null) {
      return text.toString();
    }
    StringBuilder sb = new StringBuilder(text.length() + 16 * m.size);
    int pos = 0;
    for (int k = 0; k < m.size; k++) {
      sb.append(text, pos, m.starts[k]).append(labelOf(m.owners[k]));
      pos = m.ends[k];
    }
    return sb.append(text, pos, text.length()).toString();
  }

  /**
   * The UTF-8 bytes with every registered value and detected token replaced as in
   * {@link #redact(CharSequence)}. Returns {@code utf8} itself when nothing matches. Works on any
   * ASCII-compatible encoding for ASCII values.
   *
   * @throws NullPointerException if {@code utf8} is null
   */
  public byte[] redactUtf8(byte[] utf8) {
    Objects.requireNonNull(utf8, "utf8");
    Matches m = scanBytes(utf8, 0, utf8.length);
    if (m == null) {
      return utf8;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(utf8.length + 16 * m.size);
    writeRedacted(utf8, 0, utf8.length, m, out);
    return out.toByteArray();
  }

  /**
   * The spans {@link #redact(CharSequence)} would replace, in order, never overlapping; empty
   * when nothing matches. Positions are char indexes.
   *
   * @throws NullPointerException if {@code text} is null
   */
  public List<RedactionMatch> findAll(CharSequence text) {
    Objects.requireNonNull(text, "text");
    return toList(scanChars(text, 0, text.length()));
  }

  /**
   * The spans {@link #redactUtf8(byte[])} would replace in {@code utf8[offset, offset+length)};
   * positions are byte offsets into {@code utf8}.
   *
   * @throws NullPointerException if {@code utf8} is null
   * @throws IndexOutOfBoundsException if the range is outside the array
   */
  public List<RedactionMatch> findAllUtf8(byte[] utf8, int offset, int length) {
    Objects.requireNonNull(utf8, "utf8");
    Objects.checkFromIndexSize(offset, length, utf8.length);
    return toList(scanBytes(utf8, offset, offset + length));
  }

  private static List<RedactionMatch> toList(Matches m) {
    if (m == null) {
      return List.of();
    }
    List<RedactionMatch> out = new ArrayList<>(m.size);
    for (int k = 0; k < m.size; k++) {
      Object o = m.owners[k];
      out.add(o instanceof Registration
          ? new RedactionMatch(m.starts[k], m.ends[k], ((Registration) o).ref, null)
          : new RedactionMatch(m.starts[k], m.ends[k], null, (TokenDetector) o));
    }
    return Collections.unmodifiableList(out);
  }

  private static String labelOf(Object owner) {
    return owner instanceof Registration
        ? ((Registration) owner).label() : DETECTOR_LABELS[((TokenDetector) owner).ordinal()];
  }

  private static byte[] labelUtf8Of(Object owner) {
    return owner instanceof Registration
        ? ((Registration) owner).label().getBytes(StandardCharsets.UTF_8)
        : DETECTOR_LABELS_UTF8[((TokenDetector) owner).ordinal()];
  }

  /** Writes {@code bytes[from, to)} with the spans of {@code m} replaced by their labels. */
  static void writeRedacted(byte[] bytes, int from, int to, Matches m, java.io.OutputStream out) {
    try {
      int pos = from;
      for (int k = 0; k < m.size; k++) {
        out.write(bytes, pos, m.starts[k] - pos);
        out.write(labelUtf8Of(m.owners[k]));
        pos = m.ends[k];
      }
      out.write(bytes, pos, to - pos);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The gear value of a unit (a folded char, or a byte). */
  private static long gear(int unit) {
    if (unit < 256) {
      return GEAR[unit];
    }
    long z = unit * MIX;
    return z ^ (z >>> 29);
  }

  /** Merged matches in {@code text[from, to)}, or {@code null} when there are none. */
  Matches scanChars(CharSequence text, int from, int to) {
    // one monomorphic loop over String; other CharSequences are copied once
    return scanString(text instanceof String ? (String) text : text.toString(), from, to);
  }

  private Matches scanString(String text, int from, int to) {
    Table t = table; // volatile read: sees every registration that returned before
    Matches m = scanPlain(text, from, to, t);
    if (EncodedForms.mayHold(text, from, to)) {
      m = scanViews(EncodedForms.views(text, from, to), t, m);
    }
    return m == null ? null : m.merge();
  }

  /** Values, short values and detectors in {@code text[from, to)} as it stands; unmerged. */
  private Matches scanPlain(String text, int from, int to, Table t) {
    Matches m = t.live > 0 && to - from >= window ? hashPass(text, from, to, t) : null;
    int lengths = shortLengths;
    if (lengths != 0) {
      m = shortPass(text, from, to, shortTable, lengths, m);
    }
    if (!detectors.isEmpty()) {
      m = DetectorScanner.scan(text, from, to, detectors, m);
    }
    return m;
  }

  /** Scans each decoded view and adds its matches as spans of the original text. */
  private Matches scanViews(List<EncodedForms.View> views, Table t, Matches m) {
    for (EncodedForms.View v : views) {
      Matches vm = scanPlain(v.text, 0, v.text.length(), t);
      if (vm == null) {
        continue;
      }
      if (m == null) {
        m = new Matches();
      }
      for (int k = 0; k < vm.size; k++) {
        m.add(v.originalStart(vm.starts[k]), v.originalEnd(vm.ends[k]), vm.owners[k]);
      }
    }
    return m;
  }

  /**
   * Short values where they stand as a whole token: each span of a held length that starts and
   * ends at a token boundary (the text's ends, or a word character next to a non-word one).
   */
  private static Matches shortPass(String text, int from, int to, Table st, int lengths,
      Matches m) {
    for (int end = from + 1; end <= to; end++) {
      if (end < to && isWordChar(text.charAt(end)) && isWordChar(text.charAt(end - 1))) {
        continue;
      }
      for (int bits = lengths; bits != 0; bits &= bits - 1) {
        int len = Integer.numberOfTrailingZeros(bits);
        int s = end - len;
        if (s < from) {
          break;
        }
        if (s > from && isWordChar(text.charAt(s - 1)) && isWordChar(text.charAt(s))) {
          continue;
        }
        long h = 0;
        for (int i = s; i < end; i++) {
          char c = text.charAt(i);
          h = (h << 8) + (c < 256 ? GEAR[c] : gear(Variants.fold(c)));
        }
        long key = shortKey(h, len);
        m = probeChars(st, key, key * MIX, text, from, to, s, m);
      }
    }
    return m;
  }

  private static Matches shortPass(byte[] bytes, int from, int to, Table st, int lengths,
      Matches m) {
    for (int end = from + 1; end <= to; end++) {
      if (end < to && isWordByte(bytes[end]) && isWordByte(bytes[end - 1])) {
        continue;
      }
      for (int bits = lengths; bits != 0; bits &= bits - 1) {
        int len = Integer.numberOfTrailingZeros(bits);
        int s = end - len;
        if (s < from) {
          break;
        }
        if (s > from && isWordByte(bytes[s - 1]) && isWordByte(bytes[s])) {
          continue;
        }
        long h = 0;
        for (int i = s; i < end; i++) {
          h = (h << 8) + GEAR[bytes[i] & 0xFF];
        }
        long key = shortKey(h, len);
        m = probeBytes(st, key, key * MIX, bytes, from, to, s, m);
      }
    }
    return m;
  }

  /** A letter, digit or '_': a short value inside a run of these is not a whole token. */
  private static boolean isWordChar(char c) {
    return c < 128 ? DetectorScanner.isWord(c) : Character.isLetterOrDigit(c);
  }

  /** As {@link #isWordChar}; a non-ASCII byte is part of a (possibly letter) character. */
  private static boolean isWordByte(byte b) {
    return b < 0 || DetectorScanner.isWord(b);
  }

  private Matches hashPass(String text, int from, int to, Table t) {
    Matches m = null;
    long[] filter = t.filter;
    int filterShift = t.filterShift;
    long wmask = windowMask;
    int firstWindowEnd = from + window - 1;
    long h = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      h = (h << 8) + (c < 256 ? GEAR[c] : gear(c));
      if (i >= firstWindowEnd) {
        long key = (h & wmask) | 1;
        long mixed = key * MIX;
        int bit = (int) (mixed >>> filterShift);
        if ((filter[bit >>> 6] & (1L << bit)) != 0) {
          m = probeChars(t, key, mixed, text, from, to, i - window + 1, m);
        }
      }
    }
    return m;
  }

  private static Matches probeChars(Table t, long key, long mixed, String text, int from, int to,
      int windowStart, Matches m) {
    long[] keys = t.keys;
    int mask = keys.length - 1;
    int idx = (int) (mixed >>> t.shift);
    long k;
    while ((k = keys[idx]) != 0) {
      if (k == key) {
        Entry e = t.heads[idx];
        return e == null ? m : verifyChars(e, text, from, to, windowStart, m);
      }
      idx = (idx + 1) & mask;
    }
    return m;
  }

  /** Merged matches in {@code bytes[from, to)}, or {@code null} when there are none. */
  Matches scanBytes(byte[] bytes, int from, int to) {
    Table t = table; // volatile read: sees every registration that returned before
    Matches m = t.live > 0 && to - from >= window ? hashPass(bytes, from, to, t) : null;
    int lengths = shortLengthsUtf8;
    if (lengths != 0) {
      m = shortPass(bytes, from, to, shortTable, lengths, m);
    }
    if (!detectors.isEmpty()) {
      m = DetectorScanner.scan(bytes, from, to, detectors, m);
    }
    boolean forms = EncodedForms.mayHold(bytes, from, to);
    boolean shortChars = shortNonAscii && hasNonAscii(bytes, from, to);
    if (forms || shortChars) {
      EncodedForms.View chars = EncodedForms.fromUtf8(bytes, from, to);
      List<EncodedForms.View> views = forms ? EncodedForms.views(chars) : new ArrayList<>(1);
      if (shortChars) {
        views.add(chars);
      }
      m = scanViews(views, t, m);
    }
    return m == null ? null : m.merge();
  }

  private static boolean hasNonAscii(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] < 0) {
        return true;
      }
    }
    return false;
  }

  private Matches hashPass(byte[] bytes, int from, int to, Table t) {
    Matches m = null;
    long[] filter = t.filter;
    int filterShift = t.filterShift;
    long wmask = windowMask;
    int firstWindowEnd = from + window - 1;
    long h = 0;
    for (int i = from; i < to; i++) {
      h = (h << 8) + GEAR[bytes[i] & 0xFF];
      if (i >= firstWindowEnd) {
        long key = (h & wmask) | 1;
        long mixed = key * MIX;
        int bit = (int) (mixed >>> filterShift);
        if ((filter[bit >>> 6] & (1L << bit)) != 0) {
          m = probeBytes(t, key, mixed, bytes, from, to, i - window + 1, m);
        }
      }
    }
    return m;
  }

  private static Matches probeBytes(Table t, long key, long mixed, byte[] bytes, int from, int to,
      int windowStart, Matches m) {
    long[] keys = t.keys;
    int mask = keys.length - 1;
    int idx = (int) (mixed >>> t.shift);
    long k;
    while ((k = keys[idx]) != 0) {
      if (k == key) {
        Entry e = t.heads[idx];
        return e == null ? m : verifyBytes(e, bytes, from, to, windowStart, m);
      }
      idx = (idx + 1) & mask;
    }
    return m;
  }

  private static Matches verifyChars(
      Entry e, String text, int from, int to, int windowStart, Matches m) {
    for (; e != null; e = e.next) {
      if ((e.modes & MODE_CHAR) == 0) {
        continue;
      }
      int s = windowStart - e.windowOffset;
      int end = s + e.length;
      if (s < from || end > to) {
        continue;
      }
      boolean equal = true;
      for (int k = 0; k < e.length; k++) {
        if (unit(e.units, k) != Variants.fold(text.charAt(s + k))) {
          equal = false;
          break;
        }
      }
      if (equal) {
        if ((e.flags & Variants.EXTEND_LEFT) != 0 && s > from
            && Variants.isBase64(text.charAt(s - 1))) {
          s--;
        }
        if ((e.flags & Variants.EXTEND_RIGHT) != 0) {
          int limit = Math.min(to, end + EXTEND_RIGHT_CHARS);
          while (end < limit && Variants.isBase64(text.charAt(end))) {
            end++;
          }
          limit = Math.min(to, end + EXTEND_RIGHT_PADDING);
          while (end < limit && text.charAt(end) == '=') {
            end++;
          }
        }
        if (m == null) {
          m = new Matches();
        }
        m.add(s, end, e.owner);
      }
    }
    return m;
  }

  private static Matches verifyBytes(
      Entry e, byte[] bytes, int from, int to, int windowStart, Matches m) {
    for (; e != null; e = e.next) {
      if ((e.modes & MODE_BYTE) == 0) {
        continue;
      }
      int s = windowStart - e.windowOffset;
      int end = s + e.length;
      if (s < from || end > to) {
        continue;
      }
      boolean equal = true;
      for (int k = 0; k < e.length; k++) {
        if (unit(e.units, k) != Variants.fold(bytes[s + k] & 0xFF)) {
          equal = false;
          break;
        }
      }
      if (equal) {
        if ((e.flags & Variants.EXTEND_LEFT) != 0 && s > from
            && Variants.isBase64(bytes[s - 1] & 0xFF)) {
          s--;
        }
        if ((e.flags & Variants.EXTEND_RIGHT) != 0) {
          int limit = Math.min(to, end + EXTEND_RIGHT_CHARS);
          while (end < limit && Variants.isBase64(bytes[end] & 0xFF)) {
            end++;
          }
          limit = Math.min(to, end + EXTEND_RIGHT_PADDING);
          while (end < limit && bytes[end] == '=') {
            end++;
          }
        }
        if (m == null) {
          m = new Matches();
        }
        m.add(s, end, e.owner);
      }
    }
    return m;
  }

  private static int unit(Object units, int k) {
    return units instanceof byte[] ? ((byte[]) units)[k] & 0xFF : ((char[]) units)[k];
  }

  private static int unitLength(Object units) {
    return units instanceof byte[] ? ((byte[]) units).length : ((char[]) units).length;
  }

  private static void wipe(Object units) {
    if (units instanceof byte[]) {
      Arrays.fill((byte[]) units, (byte) 0);
    } else if (units instanceof char[]) {
      Arrays.fill((char[]) units, '\0');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the table (writer side, under lock)

  /** Each variant as unit arrays per mode: {units, modes, flags}. Wipes the variants. */
  private static List<Object[]> prepare(List<Variants.Variant> variants) {
    List<Object[]> out = new ArrayList<>(variants.size() + 2);
    for (Variants.Variant v : variants) {
      char[] c = v.units;
      int max = 0;
      for (char ch : c) {
        max = Math.max(max, ch);
      }
      if (max < 0x80) {
        byte[] b = new byte[c.length];
        for (int i = 0; i < c.length; i++) {
          b[i] = (byte) c[i];
        }
        out.add(new Object[] {b, MODE_CHAR | MODE_BYTE, v.flags});
      } else {
        if (max <= 0xFF) {
          byte[] b = new byte[c.length];
          for (int i = 0; i < c.length; i++) {
            b[i] = (byte) c[i];
          }
          out.add(new Object[] {b, MODE_CHAR, v.flags});
        } else {
          out.add(new Object[] {c.clone(), MODE_CHAR, v.flags});
        }
        out.add(new Object[] {Utf8.encode(c), MODE_BYTE, v.flags});
      }
      Arrays.fill(c, '\0');
    }
    return out;
  }

  private Table insert(Table t, Registration reg, Object units, int modes, int flags) {
    int len = unitLength(units);
    if (len < window) {
      wipe(units);
      return t;
    }
    if ((t.used + 1) * 2 > t.keys.length) {
      t = rehash(t, t.keys.length * 2);
    }
    // choose the window whose bucket is least used
    long h = 0;
    long bestHash = 0;
    int bestOffset = 0;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < len; i++) {
      h = (h << 8) + gear(unit(units, i));
      if (i >= window - 1) {
        long key = (h & windowMask) | 1;
        int load = t.chainLength(key);
        if (load < bestLoad) {
          bestLoad = load;
          bestHash = key;
          bestOffset = i - window + 1;
          if (load == 0) {
            break;
          }
        }
      }
    }
    t.put(new Entry(bestHash, units, len, bestOffset, modes, flags, reg, null));
    reg.add(bestHash, units);
    patternCount++;
    if ((modes & MODE_BYTE) != 0 && len > maxPatternBytes) {
      maxPatternBytes = len;
    }
    return t;
  }

  /** Adds a short value: its whole folded units under one key, in the short-value table. */
  private void insertShort(Registration reg, Object units, int modes) {
    int len = unitLength(units);
    if (len >= MAX_WINDOW) {
      // the UTF-8 form of a non-ASCII short value: bytes holding non-ASCII are matched as chars
      wipe(units);
      shortNonAscii = true;
      return;
    }
    Table st = shortTable;
    if ((st.used + 1) * 2 > st.keys.length) {
      st = rehash(st, st.keys.length * 2);
    }
    long key = shortKey(units, len);
    st.put(new Entry(key, units, len, 0, modes, 0, reg, null));
    reg.add(key, units);
    patternCount++;
    shortCount++;
    shortTable = st;
    if ((modes & MODE_CHAR) != 0) {
      shortLengths |= 1 << len;
    }
    if ((modes & MODE_BYTE) != 0) {
      shortLengthsUtf8 |= 1 << len;
    }
  }

  private static long shortKey(Object units, int len) {
    long h = 0;
    for (int i = 0; i < len; i++) {
      h = (h << 8) + gear(unit(units, i));
    }
    return shortKey(h, len);
  }

  /** The key of a gear hash over exactly {@code len} (at most 7) units. */
  private static long shortKey(long h, int len) {
    return ((h & ((1L << (8 * len)) - 1)) ^ ((long) len << 58)) | 1;
  }

  private Table remove(Table t, Registration reg) {
    for (int i = 0; i < reg.hashes.length; i++) {
      (reg.shortValue ? shortTable : t).removeOwner(reg.hashes[i], reg);
      wipe(reg.arrays[i]);
    }
    if (reg.shortValue) {
      shortCount--;
    }
    patternCount -= reg.hashes.length;
    lru.remove(reg);
    credentials.remove(reg);
    List<Registration> forRef = byRef.get(reg.ref);
    forRef.remove(reg);
    if (forRef.isEmpty()) {
      byRef.remove(reg.ref);
    }
    if (t.tombstones * 4 > t.keys.length) {
      int capacity = 64;
      while (capacity < t.live * 4) {
        capacity *= 2;
      }
      t = rehash(t, capacity);
    }
    return t;
  }

  private static Table rehash(Table old, int capacity) {
    Table t = new Table(capacity);
    for (Entry head : old.heads) {
      for (Entry e = head; e != null; e = e.next) {
        t.put(e);
      }
    }
    return t;
  }

  private byte[] mac(byte[] value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      return mac.doFinal(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * One registered (ref, value) and the patterns it owns. The mark is built when a match is
   * written rather than kept, to save memory per value; matches allocate anyway.
   */
  static final class Registration {
    final SecretRef ref;
    final byte[] mac;
    /** Held in the short-value table, matched only as a whole token. */
    final boolean shortValue;
    long[] hashes = new long[0];
    Object[] arrays = new Object[0];
    private int size;

    Registration(SecretRef ref, byte[] mac, boolean shortValue) {
      this.ref = ref;
      this.mac = mac;
      this.shortValue = shortValue;
    }

    String label() {
      return "[REDACTED:" + ref + "]";
    }

    void add(long hash, Object units) {
      if (size == hashes.length) {
        hashes = Arrays.copyOf(hashes, Math.max(8, size * 2));
        arrays = Arrays.copyOf(arrays, hashes.length);
      }
      hashes[size] = hash;
      arrays[size++] = units;
    }

    void freeze() {
      hashes = Arrays.copyOf(hashes, size);
      arrays = Arrays.copyOf(arrays, size);
    }

    @Override
    public String toString() {
      return "Registration[" + ref + "]";
    }
  }

  /** An immutable chain link: one pattern (in one or both modes) found through one window hash. */
  static final class Entry {
    final long hash;
    final Object units;
    final int length;
    final int windowOffset;
    final int modes;
    final int flags;
    final Registration owner;
    final Entry next;

    Entry(long hash, Object units, int length, int windowOffset, int modes, int flags,
        Registration owner, Entry next) {
      this.hash = hash;
      this.units = units;
      this.length = length;
      this.windowOffset = windowOffset;
      this.modes = modes;
      this.flags = flags;
      this.owner = owner;
      this.next = next;
    }

    Entry withNext(Entry newNext) {
      return new Entry(hash, units, length, windowOffset, modes, flags, owner, newNext);
    }
  }

  /**
   * Open addressing with linear probing; keys are window hashes (never 0), each with an immutable
   * chain. Slots are never emptied in place (a removed chain leaves a tombstone key), so a
   * concurrent reader's probe sequence is never cut short.
   */
  static final class Table {
    final long[] keys;
    final Entry[] heads;
    final int shift;
    /** One bit per (mixed) hash prefix, four times as many bits as slots: most misses stop here. */
    final long[] filter;
    final int filterShift;
    int used;
    int live;
    int tombstones;

    Table(int capacity) {
      keys = new long[capacity];
      heads = new Entry[capacity];
      shift = 64 - Integer.numberOfTrailingZeros(capacity);
      int filterBits = Math.max(4096, capacity * 4);
      filter = new long[filterBits / 64];
      filterShift = 64 - Integer.numberOfTrailingZeros(filterBits);
    }

    private int slot(long key) {
      int mask = keys.length - 1;
      int idx = (int) ((key * MIX) >>> shift);
      while (keys[idx] != 0 && keys[idx] != key) {
        idx = (idx + 1) & mask;
      }
      return idx;
    }

    int chainLength(long key) {
      int idx = slot(key);
      int n = 0;
      for (Entry e = heads[idx]; e != null && n < 64; e = e.next) {
        n++;
      }
      return n;
    }

    void put(Entry e) {
      int idx = slot(e.hash);
      Entry head = heads[idx];
      heads[idx] = e.withNext(head);
      int bit = (int) ((e.hash * MIX) >>> filterShift);
      filter[bit >>> 6] |= 1L << bit;
      if (keys[idx] == 0) {
        keys[idx] = e.hash;
        used++;
      } else if (head == null) {
        tombstones--;
      }
      live++;
    }

    void removeOwner(long key, Registration owner) {
      int idx = slot(key);
      Entry head = heads[idx];
      if (head == null) {
        return;
      }
      List<Entry> kept = new ArrayList<>();
      int removed = 0;
      for (Entry e = head; e != null; e = e.next) {
        if (e.owner != owner) {
          kept.add(e);
        } else {
          removed++;
        }
      }
      if (removed == 0) {
        return; // already gone: two of the owner's patterns shared this window hash
      }
      live -= removed;
      Entry chain = null;
      for (int i = kept.size() - 1; i >= 0; i--) {
        chain = kept.get(i).withNext(chain);
      }
      heads[idx] = chain;
      if (chain == null) {
        tombstones++;
      }
    }
  }

  /** Matches collected during a scan; merged into sorted, non-overlapping spans. */
  static final class Matches {
    int[] starts = new int[4];
    int[] ends = new int[4];
    Object[] owners = new Object[4];
    int size;

    void add(int start, int end, Object owner) {
      if (size == starts.length) {
        starts = Arrays.copyOf(starts, size * 2);
        ends = Arrays.copyOf(ends, size * 2);
        owners = Arrays.copyOf(owners, size * 2);
      }
      starts[size] = start;
      ends[size] = end;
      owners[size++] = owner;
    }

    /**
     * Sorts by start (longest first; a registered value before a detector on the same span, as
     * its ref says more) and merges overlapping spans, keeping the first label.
     */
    Matches merge() {
      // insertion sort: a handful of matches per text
      for (int i = 1; i < size; i++) {
        int s = starts[i];
        int e = ends[i];
        Object o = owners[i];
        int j = i - 1;
        while (j >= 0 && (starts[j] > s || (starts[j] == s && (ends[j] < e
            || (ends[j] == e && o instanceof Registration && !(owners[j] instanceof Registration)))))) {
          starts[j + 1] = starts[j];
          ends[j + 1] = ends[j];
          owners[j + 1] = owners[j];
          j--;
        }
        starts[j + 1] = s;
        ends[j + 1] = e;
        owners[j + 1] = o;
      }
      int out = 0;
      for (int i = 0; i < size; i++) {
        if (out > 0 && starts[i] < ends[out - 1]) {
          ends[out - 1] = Math.max(ends[out - 1], ends[i]);
        } else {
          starts[out] = starts[i];
          ends[out] = ends[i];
          owners[out++] = owners[i];
        }
      }
      size = out;
      return this;
    }
  }
}
