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
 * length is still caught. Token formats that span lines (PEM blocks) are caught when the block
 * arrives in one {@code write} (as {@code println} of the whole key does); written line by line,
 * only the lines of a registered value are masked.
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
      emit(len);
    } else if (len > maxHeldBytes) {
      emitLongLine();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int length) throws IOException {
    Objects.checkFromIndexSize(off, length, b.length);
    ensureOpen();
    int start = len;
    append(b, off, length);
    for (int i = len - 1; i >= start; i--) {
      if (buf[i] == '\n') {
        emit(i + 1);
        break;
      }
    }
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
