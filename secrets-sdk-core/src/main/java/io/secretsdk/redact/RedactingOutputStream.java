package io.secretsdk.redact;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An output stream that redacts registered secret values and token formats (see
 * {@link RedactionIndex}) from the UTF-8 bytes written through it.
 *
 * <p><b>Line buffering.</b> Bytes are passed on a line at a time: a value split across two
 * {@code write} calls is still seen whole, and a multi-byte UTF-8 character is never cut. A
 * partial line is held until a newline, {@link #flush()} or {@link #close()}. The trade-off: a
 * prompt without a newline shows only when the writer flushes, and a value split across an
 * explicit {@code flush()} is not caught (flushing means "write it now"). A line longer than
 * {@code maxHeldBytes} is passed on early except for a tail as long as the longest registered
 * pattern (at most {@code maxHeldBytes / 2}), so memory stays bounded and a value of up to that
 * length is still caught.
 *
 * <p><b>Forms that span lines.</b> A line that ends in a run of at least 40 base64 characters may
 * be the first of a wrapped value (MIME base64 at 76 columns, PEM at 64), and a line that opens a
 * {@code -----BEGIN} block starts a private key: such lines are held, with the lines after them,
 * until a line that cannot continue the run (or an {@code -----END} line) arrives, and the whole
 * block is then redacted at once. So a value or key written a line at a time (one
 * {@code println} per line) is caught as if it were written whole; the price is that such a line
 * shows one line later (or on {@code flush()}).
 *
 * <p>Text must be UTF-8 (or another ASCII-compatible encoding, for ASCII values). Thread-safe:
 * methods synchronize on the stream.
 */
public final class RedactingOutputStream extends OutputStream {
  /** Default most bytes of an unfinished line held back: {@value}. */
  public static final int DEFAULT_MAX_HELD_BYTES = 64 * 1024;

  private final OutputStream out;
  private final RedactionIndex index;
  private final int maxHeldBytes;
  private byte[] buf = new byte[256];
  private int len;
  private boolean closed;
  /** Complete lines in {@code buf[0, scanned)} have been classified. */
  private int scanned;
  /** Start of the held block of lines that a later line may continue, or -1. */
  private int holdStart = -1;
  /** A {@code -----BEGIN} line was held and its {@code -----END} has not come yet. */
  private boolean blockOpen;

  /**
   * Wraps {@code out}, redacting against {@code index}.
   *
   * @throws NullPointerException if an argument is null
   */
  public RedactingOutputStream(OutputStream out, RedactionIndex index) {
    this(out, index, DEFAULT_MAX_HELD_BYTES);
  }

  /**
   * Wraps {@code out}, redacting against {@code index}, holding at most about
   * {@code maxHeldBytes} of an unfinished line.
   *
   * @throws NullPointerException if {@code out} or {@code index} is null
   * @throws IllegalArgumentException if {@code maxHeldBytes} is below 256
   */
  public RedactingOutputStream(OutputStream out, RedactionIndex index, int maxHeldBytes) {
    this.out = Objects.requireNonNull(out, "out");
    this.index = Objects.requireNonNull(index, "index");
    if (maxHeldBytes < 256) {
      throw new IllegalArgumentException("maxHeldBytes must be at least 256");
    }
    this.maxHeldBytes = maxHeldBytes;
  }

  @Override
  public synchronized void write(int b) throws IOException {
    ensureOpen();
    if (len == buf.length) {
      grow(len + 1);
    }
    buf[len++] = (byte) b;
    if (b == '\n') {
      emitLines();
    } else if (len > maxHeldBytes) {
      emitLongLine();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int length) throws IOException {
    Objects.checkFromIndexSize(off, length, b.length);
    ensureOpen();
    append(b, off, length);
    emitLines();
    if (len > maxHeldBytes) {
      emitLongLine();
    }
  }

  /** Passes on everything held (redacted), then flushes the underlying stream. */
  @Override
  public synchronized void flush() throws IOException {
    if (closed) {
      return;
    }
    emit(len);
    holdStart = -1;
    blockOpen = false;
    out.flush();
  }

  /** Passes on everything held and closes the underlying stream. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      flush();
    } finally {
      closed = true;
      java.util.Arrays.fill(buf, (byte) 0);
      out.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
  }

  private void grow(int needed) {
    byte[] bigger = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, needed));
    java.util.Arrays.fill(buf, (byte) 0);
    buf = bigger;
  }

  private void append(byte[] b, int off, int length) {
    if (len + length > buf.length) {
      grow(len + length);
    }
    System.arraycopy(b, off, buf, len, length);
    len += length;
  }

  /**
   * Classifies the complete lines not yet seen and writes, redacted, every line up to the held
   * block (or all of them when nothing is held).
   */
  private void emitLines() throws IOException {
    for (int ls = scanned, i = scanned; i < len; i++) {
      if (buf[i] != '\n') {
        continue;
      }
      classify(ls, i + 1);
      ls = i + 1;
      scanned = ls;
    }
    emit(holdStart < 0 ? scanned : holdStart);
  }

  /** Updates the held block with the complete line {@code buf[from, to)}. */
  private void classify(int from, int to) {
    if (blockOpen) {
      if (indexOf(END, from, to) >= 0) {
        blockOpen = false;
        holdStart = -1;
      }
      return;
    }
    int begin = indexOf(BEGIN, from, to);
    if (begin >= 0 && indexOf(END, begin, to) < 0) {
      blockOpen = true;
    } else if (!endsInBase64Run(from, to)) {
      holdStart = -1; // this line ends any run: the block before it goes out with it
      return;
    }
    if (holdStart < 0) {
      holdStart = from;
    }
  }

  private static final byte[] BEGIN = "-----BEGIN".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] END = "-----END".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private int indexOf(byte[] marker, int from, int to) {
    outer:
    for (int i = from; i + marker.length <= to; i++) {
      for (int k = 0; k < marker.length; k++) {
        if (buf[i + k] != marker[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Whether the line {@code buf[from, to)} ends, before its line break, in a long base64 run. */
  private boolean endsInBase64Run(int from, int to) {
    int k = to - 1;
    while (k >= from && (buf[k] == '\n' || buf[k] == '\r')) {
      k--;
    }
    int run = 0;
    while (k >= from && run < EncodedForms.MIN_WRAPPED_LINE && Variants.isBase64(buf[k] & 0xFF)) {
      k--;
      run++;
    }
    return run >= EncodedForms.MIN_WRAPPED_LINE;
  }

  /** Writes {@code buf[0, upTo)} redacted and keeps the rest. */
  private void emit(int upTo) throws IOException {
    if (upTo == 0) {
      return;
    }
    RedactionIndex.Matches m = index.scanBytes(buf, 0, upTo);
    write(m, upTo);
  }

  private void write(RedactionIndex.Matches m, int upTo) throws IOException {
    if (m == null) {
      out.write(buf, 0, upTo);
    } else {
      try {
        RedactionIndex.writeRedacted(buf, 0, upTo, m, out);
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
    }
    System.arraycopy(buf, upTo, buf, 0, len - upTo);
    java.util.Arrays.fill(buf, len - upTo, len, (byte) 0);
    len -= upTo;
    scanned = Math.max(0, scanned - upTo);
    holdStart = holdStart < 0 ? -1 : Math.max(0, holdStart - upTo);
  }

  /** A line longer than the limit: pass it on but for a tail that may start a split value. */
  private void emitLongLine() throws IOException {
    int tail = Math.min(index.maxPatternBytes(), maxHeldBytes / 2);
    int cut = len - tail;
    RedactionIndex.Matches m = index.scanBytes(buf, 0, len);
    if (m != null) {
      for (int k = 0; k < m.size; k++) {
        if (m.starts[k] < cut && m.ends[k] > cut) {
          cut = m.ends[k];
        }
      }
    }
    while (cut > 0 && cut < len && (buf[cut] & 0xC0) == 0x80) {
      cut--; // never split a UTF-8 sequence
    }
    if (cut <= 0) {
      return;
    }
    RedactionIndex.Matches head = null;
    if (m != null) {
      int n = 0;
      while (n < m.size && m.ends[n] <= cut) {
        n++;
      }
      m.size = n;
      head = n == 0 ? null : m;
    }
    write(head, cut);
  }
}
