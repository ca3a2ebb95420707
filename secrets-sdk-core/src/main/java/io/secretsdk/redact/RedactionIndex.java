package io.secretsdk.redact;

import io.secretsdk.SecretRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of secret values that must never be written out, with the forms they may take in text,
 * and the redaction of text against it.
 *
 * <p><b>What is masked.</b> A value registered with {@link #register(SecretRef, byte[])} is
 * masked as itself, line by line when it has several lines, and in the forms programs write it
 * in: percent-encoded (form style and RFC 3986), hex, and base64 at each of the three byte
 * alignments it can take inside a longer base64 text (padded or not, either alphabet, wrapped
 * into MIME or PEM lines). Escaped forms are recognised by decoding the text rather than stored:
 * JSON and Java/C backslash escapes at any depth (a JSON string inside a JSON string, surrogate
 * pairs as {@code \}{@code uD83D\}{@code uDE00}, {@code \}{@code xHH} and octal bytes), XML and
 * HTML entities (named, decimal, hexadecimal), and {@code Arrays.toString} of the value's
 * {@code byte[]}, {@code char[]} or code points; token formats ({@link TokenDetector}) are found
 * in those decoded views too, so a PEM key after an escaped newline is masked. Matching ignores
 * ASCII case and treats {@code -}/{@code +} and {@code _}/{@code /} as equal (hex and
 * percent-encoding in both cases, both base64 alphabets); the price is that text differing from
 * a secret only in those ways is masked too.
 *
 * <p><b>Short values.</b> A value of {@value #SHORT_VALUE_MIN} characters up to one less than
 * {@link RedactionOptions#minValueLength()} is masked only where it stands as a whole token:
 * where the characters on either side are not letters, digits or {@code _} (so
 * {@code password=hunter2,} and {@code "pw":"hunter2"} are masked, {@code xhunter2y} is not).
 * Shorter values are not masked by value. Either way a warning naming the ref is logged once.
 *
 * <p><b>Matching.</b> One pass over the text, whatever the number of registered values: a rolling
 * hash of every window of {@code min(minValueLength, 8)} characters is looked up in an
 * open-addressing table that holds, for each form, the hash of one of its windows (the window
 * whose bucket was least used when the form was added, so values sharing a prefix such as
 * {@code sk-proj-} do not pile up in one bucket); a hit is checked against hashes of the form's
 * last and first windows, and only then verified against the form generated from the value at
 * that moment.
 * UTF-8 text (the logging path) is read eight bytes at a time: a filter of 4-byte grams says
 * where window hashes are worth computing, word-wide tests find the bytes that may start an
 * escape, an entity, a list or a wrapped line, and {@link TokenDetector}s run only where a run of
 * token characters long enough for one of their formats starts. Decoded views are made only when
 * such a byte really starts a form. When nothing matches, {@link #redact(CharSequence)} returns
 * the very string it was given and {@link #redactUtf8(byte[])} the very array, allocating nothing
 * unless a byte started an encoded form.
 *
 * <p><b>Concurrency.</b> Readers take no lock. Registration is serialized on a lock, costs time
 * proportional to the value (never a rebuild of the index; the table doubles when it fills),
 * updates the table in place (a new table is published through a volatile field when it grows)
 * and ends with a volatile write, so any redaction that starts after {@code register} returns
 * sees the value. A redaction running concurrently with a registration may or may not see it.
 *
 * <p><b>Memory policy.</b> The index holds one copy of each value (its forms are generated from
 * it when a window hash hits) and a table entry per form: about 600 bytes for a 40-byte value.
 * At most {@link RedactionOptions#maxValues()} (ref, value) pairs are held (default 20,000);
 * past it the least recently registered pair is dropped, and a warning is logged once. A ref
 * keeps at most {@link RedactionOptions#maxVersionsPerRef()} distinct values (rotated versions
 * stay masked through a grace window). {@link #unregister(SecretRef)} drops every value of a ref
 * at once. Dropped values are overwritten with zeros; the caller's array is never kept.
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
  public static final int SHORT_VALUE_MIN = 4;
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

  /** Gram filter bits per table slot: a table is at most half full, so 64+ bits per entry. */
  private static final int GRAM_BITS_PER_SLOT = 32;

  private static final class GlobalHolder {
    static final RedactionIndex GLOBAL = new RedactionIndex(RedactionOptions.ofDefaults());
  }

  private final RedactionOptions options;
  private final Set<TokenDetector> detectors;
  private final int window;
  private final long windowMask;

  private final Object lock = new Object();
  /** What a byte pass returns when nothing matched but a byte may start an encoded form. */
  private static final Matches FORMS_SEEN = new Matches();

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
  private final RecencyList lru = new RecencyList();
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
   * shorter than {@link RedactionOptions#minValueLength()} is masked only as a whole token, and one
   * under {@value #SHORT_VALUE_MIN} characters not at all (either way warned once per ref).
   *
   * @throws NullPointerException if {@code ref} or {@code value} is null
   */
  public void register(SecretRef ref, byte[] value) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(value, "value");
    byte[] copy = value.clone();
    char[] chars = null;
    List<Planned> planned = List.of();
    boolean kept = false;
    boolean warnShort = false;
    int evicted = 0;
    boolean isShort = false;
    try {
      boolean ascii = Variants.isAscii(copy);
      chars = ascii ? null : Variants.decodeUtf8(copy);
      boolean text = ascii || chars != null;
      int length = chars != null ? chars.length : copy.length;
      if (length < options.minValueLength()) {
        isShort = text && length >= SHORT_VALUE_MIN && length < MAX_WINDOW;
        synchronized (lock) {
          if (warnedShort.size() < MAX_WARNED_REFS && warnedShort.add(ref)) {
            warnShort = true;
          }
        }
        if (!isShort) {
          return;
        }
      }
      planned = plan(copy, chars, text, isShort);
      synchronized (lock) {
        List<Registration> forRef = byRef.get(ref);
        if (forRef != null) {
          for (Registration r : forRef) {
            if (MessageDigest.isEqual(r.value, copy)) {
              lru.touch(r);
              forRef.remove(r);
              forRef.add(r);
              return;
            }
          }
        }
        Registration reg = new Registration(ref, copy, chars, isShort);
        kept = true;
        Table t = table;
        for (Planned p : planned) {
          if (isShort) {
            insertShort(reg, p);
          } else {
            t = insert(t, reg, p);
          }
        }
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
          t = remove(t, lru.oldest());
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
      if (!kept) {
        Arrays.fill(copy, (byte) 0);
        if (chars != null) {
          Arrays.fill(chars, '\0');
        }
      }
      for (Planned p : planned) {
        Arrays.fill(p.units, '\0');
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

  /** One form to insert, with its folded units (wiped once inserted). */
  private static final class Planned {
    final int form;
    final int from;
    final int to;
    final int modes;
    final char[] units;

    Planned(int form, int from, int to, int modes, char[] units) {
      this.form = form;
      this.from = from;
      this.to = to;
      this.modes = modes;
      this.units = units;
    }
  }

  /**
   * The forms of a value to insert: the value and its lines as text (chars and, where they
   * differ, UTF-8 bytes), then its byte encodings; forms with the same units are kept once.
   */
  private List<Planned> plan(byte[] value, char[] chars, boolean text, boolean isShort) {
    List<Planned> out = new ArrayList<>(8);
    int length = chars != null ? chars.length : value.length;
    if (text) {
      addRaw(out, value, chars, 0, -1, length);
      if (!isShort) {
        List<int[]> lines = chars != null ? Variants.lines(chars, options.minValueLength())
            : Variants.lines(value, options.minValueLength());
        for (int[] line : lines) {
          addRaw(out, value, chars, line[0], line[1], line[1]);
        }
      }
    }
    if (!isShort && value.length <= options.maxEncodedValueBytes()) {
      for (int form = Variants.PERCENT_FORM; form < Variants.FORMS; form++) {
        add(out, new Planned(form, 0, -1, MODE_CHAR | MODE_BYTE,
            Variants.units(form, value, chars, 0, 0, false)));
      }
    }
    return out;
  }

  private static void addRaw(List<Planned> out, byte[] value, char[] chars, int from, int to,
      int end) {
    if (chars == null) {
      add(out, new Planned(Variants.RAW, from, to, MODE_CHAR | MODE_BYTE,
          Variants.units(Variants.RAW, value, null, from, end, false)));
    } else {
      add(out, new Planned(Variants.RAW, from, to, MODE_CHAR,
          Variants.units(Variants.RAW, value, chars, from, end, false)));
      add(out, new Planned(Variants.RAW, from, to, MODE_BYTE,
          Variants.units(Variants.RAW, value, chars, from, end, true)));
    }
  }

  private static void add(List<Planned> out, Planned p) {
    if (p.units == null) {
      return;
    }
    for (Planned q : out) {
      if (q.modes == p.modes && Arrays.equals(q.units, p.units)) {
        Arrays.fill(p.units, '\0');
        return;
      }
    }
    out.add(p);
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
        t = remove(t, lru.oldest());
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

  /** The published table, for tests that check registration does not rebuild it. */
  Object tableForTest() {
    return table;
  }

  /** The detectors this index runs. */
  Set<TokenDetector> detectors() {
    return detectors;
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
    // the labels first, so the output is allocated once at its exact size
    byte[][] labels = new byte[m.size][];
    int size = utf8.length;
    for (int k = 0; k < m.size; k++) {
      labels[k] = labelUtf8Of(m.owners[k]);
      size += labels[k].length - (m.ends[k] - m.starts[k]);
    }
    byte[] out = new byte[size];
    int pos = 0;
    int at = 0;
    for (int k = 0; k < m.size; k++) {
      int kept = m.starts[k] - pos;
      System.arraycopy(utf8, pos, out, at, kept);
      at += kept;
      System.arraycopy(labels[k], 0, out, at, labels[k].length);
      at += labels[k].length;
      pos = m.ends[k];
    }
    System.arraycopy(utf8, pos, out, at, utf8.length - pos);
    return out;
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
    for (int start = from; start < to; ) {
      int end = chunkEnd(text, start, to);
      if (EncodedForms.mayHold(text, start, end)) {
        m = scanViews(EncodedForms.views(text, start, end), t, m);
      }
      start = nextChunk(text, start, end, to);
    }
    return m == null ? null : m.merge();
  }

  /**
   * Decoded views are made per chunk of about {@value #VIEW_CHUNK} characters ending at a line
   * break, so a large file costs bounded memory; chunks overlap by {@value #VIEW_OVERLAP}
   * (whole lines), so a form split across a chunk boundary (wrapped base64) is still whole in one.
   */
  private static final int VIEW_CHUNK = 64 * 1024;
  private static final int VIEW_OVERLAP = 2 * 1024;

  private static int chunkEnd(CharSequence text, int start, int to) {
    if (to - start <= VIEW_CHUNK + VIEW_OVERLAP) {
      return to;
    }
    int limit = Math.min(to, start + VIEW_CHUNK + VIEW_CHUNK / 2);
    for (int i = start + VIEW_CHUNK; i < limit; i++) {
      if (text.charAt(i) == '\n') {
        return i + 1;
      }
    }
    return limit; // one very long line: cut inside it
  }

  private static int nextChunk(CharSequence text, int start, int end, int to) {
    if (end >= to) {
      return to;
    }
    int next = end - VIEW_OVERLAP;
    for (int i = next; i > end - 2 * VIEW_OVERLAP; i--) {
      if (text.charAt(i - 1) == '\n') {
        return i; // the overlap starts on a line of its own
      }
    }
    return next;
  }

  private static int chunkEnd(byte[] bytes, int start, int to) {
    if (to - start <= VIEW_CHUNK + VIEW_OVERLAP) {
      return to;
    }
    int limit = Math.min(to, start + VIEW_CHUNK + VIEW_CHUNK / 2);
    for (int i = start + VIEW_CHUNK; i < limit; i++) {
      if (bytes[i] == '\n') {
        return i + 1;
      }
    }
    return limit; // one very long line: cut inside it
  }

  private static int nextChunk(byte[] bytes, int start, int end, int to) {
    if (end >= to) {
      return to;
    }
    int next = end - VIEW_OVERLAP;
    for (int i = next; i > end - 2 * VIEW_OVERLAP; i--) {
      if (bytes[i - 1] == '\n') {
        return i; // the overlap starts on a line of its own
      }
    }
    return next;
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
    boolean values = t.live > 0 && to - from >= window;
    Matches m;
    if (values && window == MAX_WINDOW) {
      m = sampledPass(bytes, from, to, t, detectors);
    } else if (values && !detectors.isEmpty()) {
      m = hashAndDetectorPass(bytes, from, to, t, detectors);
    } else {
      m = values ? hashPass(bytes, from, to, t) : null;
      if (!detectors.isEmpty()) {
        m = DetectorScanner.scan(bytes, from, to, detectors, m);
      }
    }
    // the value pass noted whether any byte may start an encoded form; without it, look
    boolean mayHoldForms = !values || m == FORMS_SEEN || (m != null && m.formsSeen);
    if (m == FORMS_SEEN) {
      m = null;
    }
    int lengths = shortLengthsUtf8;
    if (lengths != 0) {
      m = shortPass(bytes, from, to, shortTable, lengths, m);
    }
    boolean nonAscii = shortNonAscii;
    // the pass checked each trigger byte: a chunk needs its own look only when the text is cut
    boolean checked = values && to - from <= VIEW_CHUNK + VIEW_OVERLAP;
    for (int start = from; (mayHoldForms || nonAscii) && start < to; ) {
      int end = chunkEnd(bytes, start, to);
      boolean forms = mayHoldForms && (checked || EncodedForms.mayHold(bytes, start, end));
      boolean shortChars = shortNonAscii && hasNonAscii(bytes, start, end);
      if (forms || shortChars) {
        EncodedForms.View chars = EncodedForms.fromUtf8(bytes, start, end);
        List<EncodedForms.View> views = forms ? EncodedForms.views(chars) : new ArrayList<>(1);
        if (shortChars) {
          views.add(chars);
        }
        m = scanViews(views, t, m);
      }
      start = nextChunk(bytes, start, end, to);
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

  /**
   * The value matches in {@code bytes[from, to)}; while reading each byte once it also notes
   * whether a form {@link EncodedForms} decodes starts somewhere ({@link Matches#formsSeen}, or
   * {@link #FORMS_SEEN} when nothing matched), so clean text needs no second pass.
   */
  Matches hashPass(byte[] bytes, int from, int to, Table t) {
    Matches m = null;
    long[] filter = t.filter;
    int filterShift = t.filterShift;
    long wmask = windowMask;
    int firstWindowEnd = from + window - 1;
    boolean[] trigger = EncodedForms.TRIGGER_BYTES;
    boolean forms = false;
    long h = 0;
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xFF;
      h = (h << 8) + GEAR[b];
      if (trigger[b] && !forms) {
        forms = EncodedForms.startsFormAt(bytes, i, from, to);
      }
      if (i >= firstWindowEnd) {
        long key = (h & wmask) | 1;
        long mixed = key * MIX;
        int bit = (int) (mixed >>> filterShift);
        if ((filter[bit >>> 6] & (1L << bit)) != 0) {
          m = probeBytes(t, key, mixed, bytes, from, to, i - window + 1, m);
        }
      }
    }
    return withForms(m, forms);
  }

  /** A byte pass's result with its "may hold a form" note. */
  private static Matches withForms(Matches m, boolean forms) {
    if (!forms) {
      return m;
    }
    if (m == null) {
      return FORMS_SEEN;
    }
    m.formsSeen = true;
    return m;
  }

  /**
   * The byte pass of the logging path, reading eight bytes per step (one {@code long}) instead of
   * looking at every position. It finds exactly what {@link #hashAndDetectorPass} finds:
   *
   * <ul>
   *   <li><b>Values.</b> Every form is keyed by one window of {@value #MAX_WINDOW} units at an
   *       offset {@code w}. When at least {@value #FULL_GRAM_SPAN} units of the form start at
   *       {@code w}, {@link Table#grams} holds the eight 4-unit grams at offsets {@code w..w+7};
   *       any occurrence of the form then holds a step start among those eight positions, so one
   *       gram per step is looked up. Other forms (8 to 10 units from {@code w}) put the grams
   *       at {@code w..w+3} and make the pass look up the gram at the step's middle too. Only
   *       around a gram in the filter are window hashes computed.
   *   <li><b>Detectors.</b> Every token format starts with a run of at least 15 of the bytes
   *       {@link #isRunByte} accepts (letters, digits and {@code _ - . + / \}, among a few
   *       others), except the PEM header, which starts with {@code --}. A run that long holds a
   *       whole step, so the detectors run only over a run that holds a step made of run bytes
   *       or a doubled dash, at each word start in it.
   *   <li><b>Encoded forms.</b> A few word-wide range tests find the bytes that may start a form
   *       (controls, {@code % & [ \}, and a quote or apostrophe doubled); only those are looked
   *       at one by one, and none once one form start was seen.
   * </ul>
   *
   * <p>Clean text costs about forty word operations per eight bytes.
   */
  Matches sampledPass(byte[] bytes, int from, int to, Table t, Set<TokenDetector> enabled) {
    Matches m = null;
    long[] grams = t.grams;
    int gramShift = t.gramShift;
    boolean half = t.halfForms > 0;
    boolean detect = !enabled.isEmpty();
    boolean[] trigger = EncodedForms.TRIGGER_BYTES;
    boolean forms = false;
    int detectedUpTo = from;
    // the previous step, for detector starts that reach back into it
    long prevH = 0;
    long prevAscii = 0;
    long prevNonRun = HIGH_BITS;
    for (int p = from; p < to; p += 8) {
      int n = to - p;
      long x;
      long valid;
      if (n >= 8) {
        x = (long) LONGS.get(bytes, p);
        valid = HIGH_BITS;
        if (gramHit(grams, gramShift, (int) x)) {
          m = windowsAround(bytes, p, from, to, t, m);
          if (detect) {
            int before = m == null ? 0 : m.size;
            m = pemAt(bytes, p, from, to, detectedUpTo, enabled, m);
            if (m != null && m.size > before) {
              detectedUpTo = m.ends[m.size - 1];
            }
          }
        }
        if (half && gramHit(grams, gramShift, (int) (x >>> 32))) {
          m = windowsAround(bytes, p + 4, from, to, t, m);
        }
      } else {
        x = tail(bytes, p, to);
        valid = HIGH_BITS & ((1L << (8 * n)) - 1);
        if (n >= 4 && gramHit(grams, gramShift, (int) x)) {
          m = windowsAround(bytes, p, from, to, t, m);
        }
      }
      long hi = x & HIGH_BITS;
      long h = x ^ hi;
      long ascii = ~hi & valid;
      if (!forms) {
        long flags = formStarts(h) & ascii;
        for (; flags != 0; flags &= flags - 1) {
          int i = p + (Long.numberOfTrailingZeros(flags) >>> 3);
          if (trigger[bytes[i] & 0xFF] && EncodedForms.startsFormAt(bytes, i, from, to)) {
            forms = true;
            break;
          }
        }
      }
      if (!detect) {
        continue;
      }
      long nonRun = ~(runBytes(h) & ascii) & HIGH_BITS;
      if (nonRun == 0) {
        // a token of 15+ run bytes holds a whole step: it starts at a word start the run
        // reaches back to in the previous step, or here
        long prevWord = wordBytes(prevH) & prevAscii;
        int reachBits = 64 - Long.numberOfLeadingZeros(prevNonRun);
        long reach = reachBits == 64 ? 0 : -1L << reachBits; // above the last non-run byte
        long starts = (~prevWord << 8) & (prevWord | equalBytes(prevH, '-')) & reach & HIGH_BITS;
        if (p == from) {
          starts = 0;
        }
        boolean startHere = (prevWord & TOP_BYTE) == 0
            && (bytes[p] == '-' || DetectorScanner.isWord(bytes[p] & 0xFF));
        if (starts != 0 || startHere) {
          int before = m == null ? 0 : m.size;
          m = tryStarts(bytes, p - 8, starts, startHere, from, to, detectedUpTo, enabled, m);
          if (m != null && m.size > before) {
            detectedUpTo = m.ends[m.size - 1];
          }
        }
      }
      prevH = h;
      prevAscii = ascii;
      prevNonRun = nonRun;
    }
    return withForms(m, forms);
  }

  /**
   * A fixed part of every PEM private key header: its grams are in every table's filter, so a
   * header is found where a gram hits, without a per-step test for dashes.
   */
  private static final byte[] PEM_ANCHOR = "PRIVATE KEY".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PEM_BEGIN = "-----BEGIN".getBytes(StandardCharsets.US_ASCII);
  /** Characters the PEM detector allows between its {@code -----BEGIN} and the anchor. */
  private static final int PEM_HEADER_GAP = 100;

  /**
   * The PEM detector at each {@code -----BEGIN} before an anchor that a gram hit at {@code p}
   * may mean, farthest first, at or after {@code detectedUpTo}; stops at the first match.
   */
  private static Matches pemAt(byte[] bytes, int p, int from, int to, int detectedUpTo,
      Set<TokenDetector> enabled, Matches m) {
    for (int a = Math.max(from, p - 7); a <= p && a + PEM_ANCHOR.length <= to; a++) {
      if (!startsWith(bytes, a, to, PEM_ANCHOR)) {
        continue;
      }
      int lowest = Math.max(Math.max(from, detectedUpTo), a - PEM_BEGIN.length - PEM_HEADER_GAP);
      for (int b = lowest; b <= a - PEM_BEGIN.length; b++) {
        if (startsWith(bytes, b, to, PEM_BEGIN)) {
          long hit = tryStart(bytes, b, to, enabled);
          if (hit >= 0) {
            return Matches.detected(m, b, hit);
          }
        }
      }
    }
    return m;
  }

  private static boolean startsWith(byte[] bytes, int i, int to, byte[] literal) {
    if (to - i < literal.length) {
      return false;
    }
    for (int k = 0; k < literal.length; k++) {
      if (bytes[i + k] != literal[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Tries the detectors, in order, at the starts {@code base + k} for each byte {@code k} of
   * {@code starts} flagged, then at {@code base + 8} when {@code startHere}: where a word starts
   * with a prefix pair, at or after {@code detectedUpTo}.
   */
  private static Matches tryStarts(byte[] bytes, int base, long starts, boolean startHere,
      int from, int to, int detectedUpTo, Set<TokenDetector> enabled, Matches m) {
    int upTo = detectedUpTo;
    for (; starts != 0; starts &= starts - 1) {
      int s = base + (Long.numberOfTrailingZeros(starts) >>> 3);
      if (s >= upTo && s >= from) {
        long hit = tryStart(bytes, s, to, enabled);
        if (hit >= 0) {
          upTo = (int) hit;
          m = Matches.detected(m, s, hit);
        }
      }
    }
    int s = base + 8;
    if (startHere && s >= upTo) {
      long hit = tryStart(bytes, s, to, enabled);
      if (hit >= 0) {
        m = Matches.detected(m, s, hit);
      }
    }
    return m;
  }

  /** The detectors at {@code s} if a word starts there with a prefix pair; else {@code -1}. */
  private static long tryStart(byte[] bytes, int s, int to, Set<TokenDetector> enabled) {
    if (s + 1 >= to || (s > 0 && DetectorScanner.isWord(bytes[s - 1] & 0xFF))
        || !DetectorScanner.pair(bytes[s] & 0xFF, bytes[s + 1] & 0xFF)) {
      return -1;
    }
    return DetectorScanner.tryBytesAt(bytes, s, to, enabled);
  }

  /** The high bit of each byte of the ASCII word {@code h} that is a letter, digit or {@code _}. */
  private static long wordBytes(long h) {
    return inRange(h | (LOW_BITS * 0x20), 0x61, 0x7A) | inRange(h, 0x30, 0x39)
        | equalBytes(h, '_');
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;
  private static final long TOP_BYTE = 0x80L << 56;
  /** Bits of {@link Entry#check} that hold the form's length. */
  private static final int CHECK_LENGTH_BITS = 12;
  /** Bits of {@link Entry#check} for each of the hashes of a form's last and first windows. */
  private static final int END_BITS = 10;
  private static final int END_SHIFT_LAST = CHECK_LENGTH_BITS;
  private static final int END_SHIFT_FIRST = CHECK_LENGTH_BITS + END_BITS;
  /** Units from a form's key window on that let the pass look up one gram per step. */
  static final int FULL_GRAM_SPAN = 11;

  /** The bytes {@code [p, to)} (fewer than eight) as a little-endian word, zero above. */
  private static long tail(byte[] bytes, int p, int to) {
    long x = 0;
    for (int i = to - 1; i >= p; i--) {
      x = (x << 8) | (bytes[i] & 0xFF);
    }
    return x;
  }

  /**
   * Whether the 4-byte gram may be one a form put into {@code grams}: two bits of one word, so
   * one load. The gram is projected as {@link #projectGram} does.
   */
  private static boolean gramHit(long[] grams, int gramShift, int gram) {
    long z = ((gram | 0x20202020) & 0xFFFFFFFFL) * MIX;
    long bits = (1L << (int) (z >>> 20)) | (1L << (int) (z >>> 26));
    return (grams[(int) (z >>> gramShift)] & bits) == bits;
  }

  /** The high bit of each byte of the ASCII word {@code h} equal to {@code c}. */
  private static long equalBytes(long h, int c) {
    long z = h ^ (LOW_BITS * c);
    return ~((z + 0x7F7F7F7F7F7F7F7FL) | z) & HIGH_BITS;
  }

  /** The high bit of each byte of the ASCII word {@code h} in {@code [lo, hi]}. */
  private static long inRange(long h, int lo, int hi) {
    return (h + LOW_BITS * (0x80 - lo)) & ~(h + LOW_BITS * (0x7F - hi)) & HIGH_BITS;
  }

  /**
   * Bytes of the ASCII word {@code h} that may start an encoded form: controls (line breaks),
   * {@code % &}, {@code [ \}, and {@code " ' # $} when the next byte is the same one (or is in
   * the next word).
   */
  private static long formStarts(long h) {
    long controls = ~((h | HIGH_BITS) - LOW_BITS * 0x20) & HIGH_BITS;
    long quotes = inRange(h, 0x22, 0x27);
    long y = h ^ (h >>> 8);
    long sameAsNext = ~((y + 0x7F7F7F7F7F7F7F7FL) | y) & HIGH_BITS;
    return controls | (quotes & (sameAsNext | TOP_BYTE)) | inRange(h, 0x25, 0x26)
        | inRange(h, 0x5B, 0x5C);
  }

  /**
   * Bytes of the ASCII word {@code h} that {@link #isRunByte} accepts: {@code h | 0x20} in
   * {@code a..DEL} (letters, {@code @ [ \ ] ^ _} folded up, {@code { | } ~}) or {@code h} in
   * {@code + , - . / 0-9}.
   */
  private static long runBytes(long h) {
    long folded = h | (LOW_BITS * 0x20);
    return ((folded + LOW_BITS * 0x1F) | inRange(h, 0x2B, 0x39)) & HIGH_BITS;
  }

  /** As {@link #runBytes} for one byte: a byte a token format's run may hold. */
  static boolean isRunByte(byte b) {
    return b >= 0 && ((b | 0x20) >= 0x61 || (b >= 0x2B && b <= 0x39));
  }

  /** The windows starting in {@code [g - 7, g]}, probed: those a gram hit at {@code g} may mean. */
  private static Matches windowsAround(byte[] bytes, int g, int from, int to, Table t,
      Matches m) {
    int lo = Math.max(from, g - 7);
    int hi = Math.min(g, to - MAX_WINDOW);
    if (lo > hi) {
      return m;
    }
    long[] filter = t.filter;
    int filterShift = t.filterShift;
    long h = 0;
    for (int k = lo; k < lo + MAX_WINDOW; k++) {
      h = (h << 8) + GEAR[bytes[k] & 0xFF];
    }
    for (int ws = lo; ; ws++) {
      long key = h | 1;
      long mixed = key * MIX;
      int bit = (int) (mixed >>> filterShift);
      if ((filter[bit >>> 6] & (1L << bit)) != 0) {
        m = probeBytes(t, key, mixed, bytes, from, to, ws, m);
      }
      if (ws == hi) {
        return m;
      }
      h = (h << 8) + GEAR[bytes[ws + MAX_WINDOW] & 0xFF];
    }
  }

  /**
   * {@link #hashPass(byte[], int, int, Table)} and the token detectors in one loop over the
   * bytes (the logging path): each byte is read once, and a detector runs only where the pair of
   * bytes before it starts one of its prefixes at a word boundary.
   */
  Matches hashAndDetectorPass(byte[] bytes, int from, int to, Table t,
      Set<TokenDetector> enabled) {
    Matches m = null;
    long[] filter = t.filter;
    int filterShift = t.filterShift;
    long wmask = windowMask;
    int firstWindowEnd = from + window - 1;
    long h = 0;
    int p1 = from > 0 ? bytes[from - 1] & 0xFF : ' ';
    int p2 = from > 1 ? bytes[from - 2] & 0xFF : ' ';
    int detectedUpTo = from;
    boolean[] trigger = EncodedForms.TRIGGER_BYTES;
    boolean forms = false;
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xFF;
      h = (h << 8) + GEAR[b];
      if (trigger[b] && !forms) {
        forms = EncodedForms.startsFormAt(bytes, i, from, to);
      }
      if (i >= firstWindowEnd) {
        long key = (h & wmask) | 1;
        long mixed = key * MIX;
        int bit = (int) (mixed >>> filterShift);
        if ((filter[bit >>> 6] & (1L << bit)) != 0) {
          m = probeBytes(t, key, mixed, bytes, from, to, i - window + 1, m);
        }
      }
      if (DetectorScanner.pair(p1, b) && i - 1 >= detectedUpTo
          && (i - 1 == 0 || !DetectorScanner.isWord(p2))) {
        long hit = DetectorScanner.tryBytesAt(bytes, i - 1, to, enabled);
        if (hit >= 0) {
          if (m == null) {
            m = new Matches();
          }
          detectedUpTo = (int) hit;
          m.add(i - 1, detectedUpTo, TokenDetector.values()[(int) (hit >>> 32)]);
        }
      }
      p2 = p1;
      p1 = b;
    }
    return withForms(m, forms);
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
      if ((e.modes() & MODE_CHAR) == 0
          || !e.mayMatch(text, windowStart - e.windowOffset, from, to)) {
        continue;
      }
      char[] u = e.units(false);
      if (u == null) {
        continue;
      }
      try {
        int s = windowStart - e.windowOffset;
        int end = s + u.length;
        if (s < from || end > to) {
          continue;
        }
        boolean equal = true;
        for (int k = 0; k < u.length; k++) {
          if (u[k] != Variants.fold(text.charAt(s + k))) {
            equal = false;
            break;
          }
        }
        if (equal) {
          int flags = Variants.flags(e.form());
          if ((flags & Variants.EXTEND_LEFT) != 0 && s > from
              && Variants.isBase64(text.charAt(s - 1))) {
            s--;
          }
          if ((flags & Variants.EXTEND_RIGHT) != 0) {
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
      } finally {
        Arrays.fill(u, '\0');
      }
    }
    return m;
  }

  private static Matches verifyBytes(
      Entry e, byte[] bytes, int from, int to, int windowStart, Matches m) {
    for (; e != null; e = e.next) {
      int s = windowStart - e.windowOffset;
      if ((e.modes() & MODE_BYTE) == 0 || !e.mayMatch(bytes, s, from, to)) {
        continue;
      }
      if (e.form() == Variants.RAW && e.owner.chars == null) {
        // the value's own bytes are its units: compared in place, nothing generated
        if (equalsFolded(e.owner.value, e.from(), e.to(), bytes, s, from, to)) {
          m = addByteMatch(e, bytes, s, s + e.to() - e.from(), from, to, m);
        }
        continue;
      }
      char[] u = e.units(true);
      if (u == null) {
        continue;
      }
      try {
        int end = s + u.length;
        if (s < from || end > to) {
          continue;
        }
        boolean equal = true;
        for (int k = 0; k < u.length; k++) {
          if (u[k] != Variants.fold(bytes[s + k] & 0xFF)) {
            equal = false;
            break;
          }
        }
        if (equal) {
          m = addByteMatch(e, bytes, s, end, from, to, m);
        }
      } finally {
        Arrays.fill(u, '\0');
      }
    }
    return m;
  }

  /** Whether {@code value[vFrom, vTo)} occurs folded at {@code bytes[s]}, within {@code [from, to)}. */
  private static boolean equalsFolded(byte[] value, int vFrom, int vTo, byte[] bytes, int s,
      int from, int to) {
    int len = vTo - vFrom;
    if (s < from || s + len > to) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      byte a = value[vFrom + k];
      byte b = bytes[s + k];
      if (a != b && Variants.fold(a & 0xFF) != Variants.fold(b & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  /** {@code m} (made when null) with a byte-path hit at {@code [s, end)}, widened as its form says. */
  private static Matches addByteMatch(Entry e, byte[] bytes, int s, int end, int from, int to,
      Matches m) {
    int flags = Variants.flags(e.form());
    if ((flags & Variants.EXTEND_LEFT) != 0 && s > from
        && Variants.isBase64(bytes[s - 1] & 0xFF)) {
      s--;
    }
    if ((flags & Variants.EXTEND_RIGHT) != 0) {
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
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // the table (writer side, under lock)

  private Table insert(Table t, Registration reg, Planned p) {
    char[] units = p.units;
    int len = units.length;
    if (len < window) {
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
    // a window leaving FULL_GRAM_SPAN units from its start lets the sampled pass take whole steps
    int lastStart = len >= FULL_GRAM_SPAN ? len - FULL_GRAM_SPAN : len - window;
    for (int i = 0; i <= lastStart + window - 1; i++) {
      h = (h << 8) + gear(units[i]);
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
    if ((p.modes & MODE_BYTE) != 0 && window == MAX_WINDOW) {
      t.addGrams(units, bestOffset);
    }
    t.put(bestHash, Entry.of(reg, p, bestOffset));
    reg.addKey(bestHash);
    patternCount++;
    if ((p.modes & MODE_BYTE) != 0 && len > maxPatternBytes) {
      maxPatternBytes = len;
    }
    return t;
  }

  /** Adds a short value: its whole folded units under one key, in the short-value table. */
  private void insertShort(Registration reg, Planned p) {
    int len = p.units.length;
    if (len >= MAX_WINDOW) {
      // the UTF-8 form of a non-ASCII short value: bytes holding non-ASCII are matched as chars
      shortNonAscii = true;
      return;
    }
    Table st = shortTable;
    if ((st.used + 1) * 2 > st.keys.length) {
      st = rehash(st, st.keys.length * 2);
    }
    long h = 0;
    for (char c : p.units) {
      h = (h << 8) + gear(c);
    }
    long key = shortKey(h, len);
    st.put(key, Entry.of(reg, p, 0));
    reg.addKey(key);
    patternCount++;
    shortCount++;
    shortTable = st;
    if ((p.modes & MODE_CHAR) != 0) {
      shortLengths |= 1 << len;
    }
    if ((p.modes & MODE_BYTE) != 0) {
      shortLengthsUtf8 |= 1 << len;
    }
  }

  /** The key of a gear hash over exactly {@code len} (at most 7) units. */
  private static long shortKey(long h, int len) {
    return ((h & ((1L << (8 * len)) - 1)) ^ ((long) len << 58)) | 1;
  }

  private Table remove(Table t, Registration reg) {
    for (long key : reg.keys) {
      (reg.shortValue ? shortTable : t).removeOwner(key, reg);
    }
    reg.wipe();
    if (reg.shortValue) {
      shortCount--;
    }
    patternCount -= reg.keys.length;
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
    } else if (t.removed > Math.max(1024, t.live)) {
      t = rehash(t, t.keys.length); // the grams of removed entries are stale bits: drop them
    }
    return t;
  }

  private Table rehash(Table old, int capacity) {
    Table t = new Table(capacity);
    boolean grams = old != shortTable && window == MAX_WINDOW;
    for (int idx = 0; idx < old.heads.length; idx++) {
      for (Entry e = old.heads[idx]; e != null; e = e.next) {
        if (grams && (e.modes() & MODE_BYTE) != 0) {
          char[] u = e.units(true);
          if (u != null) {
            t.addGrams(u, e.windowOffset);
            Arrays.fill(u, '\0');
          }
        }
        t.put(old.keys[idx], e);
      }
    }
    return t;
  }

  /**
   * One registered (ref, value): the value itself (its only copy in the index, from which every
   * form is generated when a window hash hits) and the keys of its table entries.
   */
  static final class Registration {
    private static final long[] NO_KEYS = new long[0];

    final SecretRef ref;
    /** The value's bytes; zeroed when the registration is dropped. */
    final byte[] value;
    /** The value's UTF-16 when it has non-ASCII chars, else {@code null}; zeroed when dropped. */
    final char[] chars;
    /** Held in the short-value table, matched only as a whole token. */
    final boolean shortValue;
    long[] keys = NO_KEYS;
    private int size;
    /** Neighbours in the index's {@link RecencyList}, under the index's lock. */
    Registration older;
    Registration newer;
    boolean listed;

    Registration(SecretRef ref, byte[] value, char[] chars, boolean shortValue) {
      this.ref = ref;
      this.value = value;
      this.chars = chars;
      this.shortValue = shortValue;
    }

    String label() {
      return "[REDACTED:" + ref + "]";
    }

    void addKey(long key) {
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, Math.max(8, size * 2));
      }
      keys[size++] = key;
    }

    void freeze() {
      keys = Arrays.copyOf(keys, size);
    }

    void wipe() {
      Arrays.fill(value, (byte) 0);
      if (chars != null) {
        Arrays.fill(chars, '\0');
      }
    }

    @Override
    public String toString() {
      return "Registration[" + ref + "]";
    }
  }

  /**
   * Resolved values from least to most recently registered, linked through the registrations
   * themselves (a node per value would cost more than the value). Used under the index's lock.
   */
  static final class RecencyList {
    private Registration oldest;
    private Registration newest;
    private int size;

    void add(Registration r) {
      r.older = newest;
      r.newer = null;
      if (newest != null) {
        newest.newer = r;
      } else {
        oldest = r;
      }
      newest = r;
      r.listed = true;
      size++;
    }

    void remove(Registration r) {
      if (!r.listed) {
        return;
      }
      if (r.older != null) {
        r.older.newer = r.newer;
      } else {
        oldest = r.newer;
      }
      if (r.newer != null) {
        r.newer.older = r.older;
      } else {
        newest = r.older;
      }
      r.older = null;
      r.newer = null;
      r.listed = false;
      size--;
    }

    /** Marks a listed registration as the most recent; others are left alone. */
    void touch(Registration r) {
      if (r.listed) {
        remove(r);
        add(r);
      }
    }

    Registration oldest() {
      return oldest;
    }

    int size() {
      return size;
    }

    boolean isEmpty() {
      return size == 0;
    }
  }

  /**
   * An immutable chain link: one form of a registered value (in one or both modes), found
   * through one window hash (the table's key). The form's units are generated from the owner's
   * value when the window hits, not stored.
   */
  static class Entry {
    final Registration owner;
    /** The form in the low 4 bits, the modes above. */
    private final int kind;
    final int windowOffset;
    /**
     * The form's length in units (low {@value #CHECK_LENGTH_BITS} bits; 0 when longer) and,
     * above it, {@value #END_BITS} bits each of the hashes of its last and its first
     * {@value #MAX_WINDOW} units: a hit whose ends differ is dropped without generating the
     * form. Fits the object's padding.
     */
    final int check;
    final Entry next;

    Entry(Registration owner, int kind, int windowOffset, int check, Entry next) {
      this.owner = owner;
      this.kind = kind;
      this.windowOffset = windowOffset;
      this.check = check;
      this.next = next;
    }

    static Entry of(Registration owner, Planned p, int windowOffset) {
      int kind = p.form | (p.modes << 4);
      int check = checkOf(p.units);
      return p.to < 0 ? new Entry(owner, kind, windowOffset, check, null)
          : new LineEntry(owner, kind, windowOffset, check, null, p.from, p.to);
    }

    private static int checkOf(char[] units) {
      int len = units.length;
      if (len >= 1 << CHECK_LENGTH_BITS || len < MAX_WINDOW) {
        return 0;
      }
      long first = 0;
      long last = 0;
      for (int i = 0; i < MAX_WINDOW; i++) {
        first |= packedUnit(units[i]) << (8 * i);
        last |= packedUnit(units[len - MAX_WINDOW + i]) << (8 * i);
      }
      return endHash(first) << END_SHIFT_FIRST | endHash(last) << END_SHIFT_LAST | len;
    }

    /** A folded unit as one byte of a packed window (units past Latin-1 share bytes: a filter). */
    private static long packedUnit(int unit) {
      return Variants.fold(unit) & 0xFF;
    }

    /** The {@value #END_BITS} bits of a packed window that a check keeps. */
    private static int endHash(long packed) {
      long z = packed * MIX;
      return (int) ((z ^ (z >>> 29)) * MIX >>> (64 - END_BITS));
    }

    /** The packed window of {@code bytes[i, i + 8)}: one read, folded a word at a time. */
    private static long packed(byte[] bytes, int i) {
      long x = (long) LONGS.get(bytes, i);
      long hi = x & HIGH_BITS;
      long h = x ^ hi;
      long ascii = ~hi & HIGH_BITS;
      long upper = inRange(h, 'A', 'Z') & ascii;
      long dash = equalBytes(h, '-') & ascii;
      long underscore = equalBytes(h, '_') & ascii;
      // as Variants.fold: upper case to lower, '-' to '+' and '_' to '/'
      return (x | upper >>> 2) ^ (dash >>> 7) * ('-' ^ '+') ^ (underscore >>> 7) * ('_' ^ '/');
    }

    /** The packed window of {@code text[i, i + 8)}. */
    private static long packed(String text, int i) {
      long x = 0;
      for (int k = 0; k < MAX_WINDOW; k++) {
        x |= packedUnit(text.charAt(i + k)) << (8 * k);
      }
      return x;
    }

    /**
     * Whether the form may start at {@code s} of the text: false only when its length is known
     * and it would not fit in {@code [from, to)}, or the hash of its last or its first window
     * differs (the last tells values with a common prefix apart; the first, a form that holds
     * the value shifted, such as its percent-encoding, whose tail is the value's).
     */
    final boolean mayMatch(byte[] bytes, int s, int from, int to) {
      int end = fittingEnd(s, from, to);
      return end == s || (end > s
          && hasEnd(packed(bytes, end - MAX_WINDOW), END_SHIFT_LAST)
          && hasEnd(packed(bytes, s), END_SHIFT_FIRST));
    }

    /** As {@link #mayMatch(byte[], int, int, int)} over chars. */
    final boolean mayMatch(String text, int s, int from, int to) {
      int end = fittingEnd(s, from, to);
      return end == s || (end > s
          && hasEnd(packed(text, end - MAX_WINDOW), END_SHIFT_LAST)
          && hasEnd(packed(text, s), END_SHIFT_FIRST));
    }

    /** {@code s} when the length is unknown, {@code -1} when the form cannot fit, else its end. */
    private int fittingEnd(int s, int from, int to) {
      int len = check & ((1 << CHECK_LENGTH_BITS) - 1);
      if (len == 0) {
        return s;
      }
      return s < from || s + len > to ? -1 : s + len;
    }

    private boolean hasEnd(long packedWindow, int shift) {
      return ((check >>> shift) & ((1 << END_BITS) - 1)) == endHash(packedWindow);
    }

    final int kind() {
      return kind;
    }

    final int form() {
      return kind & 15;
    }

    final int modes() {
      return kind >>> 4;
    }

    int from() {
      return 0;
    }

    int to() {
      return owner.chars != null ? owner.chars.length : owner.value.length;
    }

    /** This form's folded units, as a new array the caller wipes; {@code null} if empty. */
    final char[] units(boolean byteMode) {
      return Variants.units(form(), owner.value, owner.chars, from(), to(),
          byteMode && owner.chars != null);
    }

    Entry withNext(Entry newNext) {
      return new Entry(owner, kind, windowOffset, check, newNext);
    }
  }

  /** One line of a multi-line value, {@code [from, to)} in its chars. */
  static final class LineEntry extends Entry {
    private final int from;
    private final int to;

    LineEntry(Registration owner, int kind, int windowOffset, int check, Entry next, int from,
        int to) {
      super(owner, kind, windowOffset, check, next);
      this.from = from;
      this.to = to;
    }

    @Override
    int from() {
      return from;
    }

    @Override
    int to() {
      return to;
    }

    @Override
    Entry withNext(Entry newNext) {
      return new LineEntry(owner, kind(), windowOffset, check, newNext, from, to);
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
    /**
     * The sampled byte pass's filter: two bits in one word per (hashed) 4-unit gram of each
     * byte-mode entry ({@link #addGrams}). Bits are never cleared in place; {@link #removed}
     * counts the entries whose bits went stale, and the table is rebuilt when they outnumber the
     * live ones.
     */
    final long[] grams;
    final int gramShift;
    /**
     * {@link #PEM_ANCHOR} as units, held here: a table can be made while the index's own static
     * fields are still being set (the global index is).
     */
    private static final char[] ANCHOR_UNITS = "PRIVATE KEY".toCharArray();
    /** Byte-mode entries whose grams cover only half a step: the pass looks at step middles. */
    int halfForms;
    int used;
    int live;
    int tombstones;
    int removed;

    Table(int capacity) {
      keys = new long[capacity];
      heads = new Entry[capacity];
      shift = 64 - Integer.numberOfTrailingZeros(capacity);
      int filterBits = Math.max(4096, capacity * 4);
      filter = new long[filterBits / 64];
      filterShift = 64 - Integer.numberOfTrailingZeros(filterBits);
      int gramWords = Math.max(64, capacity * GRAM_BITS_PER_SLOT / 64);
      grams = new long[gramWords];
      gramShift = 64 - Integer.numberOfTrailingZeros(gramWords);
      for (int j = 0; j + 4 <= ANCHOR_UNITS.length && j < 8; j++) {
        addGram(ANCHOR_UNITS, j, 0, 0);
      }
    }

    /**
     * Adds the grams of a byte-mode form whose key window is at {@code offset} of {@code units}:
     * at offsets {@code offset..offset+7} when {@value #FULL_GRAM_SPAN} units start there, else
     * at {@code offset..offset+3} (a form the pass must also look for at each step's middle).
     */
    void addGrams(char[] units, int offset) {
      boolean full = units.length - offset >= FULL_GRAM_SPAN;
      if (!full) {
        halfForms++;
      }
      for (int j = offset, last = offset + (full ? 7 : 3); j <= last; j++) {
        addGram(units, j, 0, 0);
      }
    }

    /**
     * Sets the gram at {@code units[j, j+4)} as the pass projects text (each byte {@code | 0x20}):
     * a folded {@code +} or {@code /} stands for two bytes that project apart ({@code + -} and
     * {@code / _}), so each such unit adds both.
     */
    private void addGram(char[] units, int j, int k, int gram) {
      if (k == 4) {
        long z = (gram & 0xFFFFFFFFL) * MIX;
        grams[(int) (z >>> gramShift)] |= (1L << (int) (z >>> 20)) | (1L << (int) (z >>> 26));
        return;
      }
      int u = units[j + k] & 0xFF;
      addGram(units, j, k + 1, gram | ((u | 0x20) << (8 * k)));
      if (u == '+' || u == '/') {
        addGram(units, j, k + 1, gram | ((u == '+' ? '-' : '_' | 0x20) << (8 * k)));
      }
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

    void put(long key, Entry e) {
      int idx = slot(key);
      Entry head = heads[idx];
      heads[idx] = e.withNext(head);
      int bit = (int) ((key * MIX) >>> filterShift);
      filter[bit >>> 6] |= 1L << bit;
      if (keys[idx] == 0) {
        keys[idx] = key;
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
      this.removed += removed;
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
    /** A byte that may start an encoded form was seen by the pass that made this. */
    boolean formsSeen;

    /** {@code m} (made when null) with a detector's hit at {@code start} ({@code id << 32 | end}). */
    static Matches detected(Matches m, int start, long hit) {
      Matches out = m == null ? new Matches() : m;
      out.add(start, (int) hit, TokenDetector.values()[(int) (hit >>> 32)]);
      return out;
    }

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
