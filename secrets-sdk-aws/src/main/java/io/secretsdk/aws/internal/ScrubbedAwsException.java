package io.secretsdk.aws.internal;

/**
 * Stands in for an AWS SDK exception as the cause of a core exception: it keeps the original's
 * class names and stack trace (code locations only) and replaces its message, which may quote
 * request or response data, by facts checked to be safe.
 *
 * <p>Not thread-safe beyond what {@link Throwable} offers; created once per failure.
 */
public final class ScrubbedAwsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private ScrubbedAwsException(String message) {
    super(message, null, false, true);
  }

  static ScrubbedAwsException of(Throwable original, String facts) {
    ScrubbedAwsException e = new ScrubbedAwsException(original.getClass().getName() + ": " + facts);
    e.setStackTrace(original.getStackTrace());
    return e;
  }

  /** The class names of {@code t} and its causes, e.g. {@code SdkClientException <- ConnectException}. */
  static String classChain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    int depth = 0;
    for (Throwable c = t; c != null && depth < 8; c = c.getCause(), depth++) {
      if (depth > 0) {
        sb.append(" <- ");
      }
      sb.append(c.getClass().getSimpleName());
    }
    return sb.toString();
  }
}
