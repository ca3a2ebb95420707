package io.secretsdk.aws.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Stops reading a response body past a bound, so a broken or hostile endpoint cannot make the
 * SDK buffer an unbounded answer. Secrets Manager values are at most 64 KiB and a batch answer
 * holds at most 20 of them; the default bound leaves room for base64 and the JSON around them.
 *
 * <p>Stateless and thread-safe.
 */
public final class BoundedResponses implements ExecutionInterceptor {
  /** Default bound on one response body. */
  public static final long DEFAULT_MAX_BYTES = 3L * 1024 * 1024;

  private final long maxBytes;

  private BoundedResponses(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A bound of {@link #DEFAULT_MAX_BYTES}. */
  public static BoundedResponses ofDefault() {
    return new BoundedResponses(DEFAULT_MAX_BYTES);
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    return context.responseBody().map(body -> new Bounded(body, maxBytes));
  }

  /** Thrown (as the cause of the SDK's exception) when a body passes the bound. */
  public static final class ResponseTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseTooLargeException(long maxBytes) {
      super("response body larger than " + maxBytes + " bytes");
    }
  }

  private static final class Bounded extends FilterInputStream {
    private final long maxBytes;
    private long read;

    Bounded(InputStream in, long maxBytes) {
      super(in);
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws IOException {
      read += n;
      if (read > maxBytes) {
        throw new ResponseTooLargeException(maxBytes);
      }
    }
  }
}
