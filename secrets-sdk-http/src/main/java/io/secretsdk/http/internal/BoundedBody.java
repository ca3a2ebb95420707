package io.secretsdk.http.internal;

import java.io.IOException;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Reads response bodies up to a bound, so a server (or anything between it and us) cannot make
 * the SDK buffer without limit. The bound is on the bytes as OkHttp hands them over: when OkHttp
 * asked for gzip itself (no {@code Accept-Encoding} set by the caller) it decodes transparently
 * and drops {@code Content-Length}, so a small compressed body that inflates to gigabytes is
 * refused after {@code max + 1} decoded bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class BoundedBody {
  private BoundedBody() {}

  /** A body longer than the bound; the message names the bound only, never body text. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long limit;

    TooLargeException(long limit) {
      super("response body exceeds " + limit + " bytes");
      this.limit = limit;
    }

    /** The bound that was exceeded, in bytes. */
    public long limit() {
      return limit;
    }
  }

  /**
   * The whole body, at most {@code max} bytes; empty for a null body.
   *
   * @throws TooLargeException if the declared length or the bytes read exceed {@code max}
   * @throws IOException on I/O errors and time-outs
   */
  public static byte[] read(ResponseBody body, long max) throws IOException {
    if (body == null) {
      return new byte[0];
    }
    if (body.contentLength() > max) {
      throw new TooLargeException(max);
    }
    BufferedSource source = body.source();
    if (source.request(max + 1)) {
      source.getBuffer().clear();
      throw new TooLargeException(max);
    }
    return source.getBuffer().readByteArray();
  }

  /**
   * The first {@code max} bytes of the body at the most, without complaint about the rest (for
   * error bodies, of which only a prefix is ever looked at); empty for a null body.
   *
   * @throws IOException on I/O errors and time-outs
   */
  public static byte[] readPrefix(ResponseBody body, long max) throws IOException {
    if (body == null) {
      return new byte[0];
    }
    BufferedSource source = body.source();
    source.request(max);
    long n = Math.min(source.getBuffer().size(), max);
    return source.getBuffer().readByteArray(n);
  }
}
