package io.secretsdk.platform.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.http.internal.ServerText;
import java.util.Collection;

/**
 * Maps a failed answer of the Secrets API onto the core exceptions. The server's error text
 * enters a message only through {@link ServerText} (at most {@value #MAX_ERRORS} strings of
 * {@value #MAX_ERROR_LENGTH} characters, every known credential and registered value masked).
 *
 * <p>400/422 → {@link SecretAccessDeniedException} for a login, else {@link
 * InvalidSecretRefException}; 401/403 → {@link SecretAccessDeniedException}; 404 → {@link
 * SecretNotFoundException} ({@link SecretConfigException} for a login endpoint); 409 → {@link
 * SecretVersionConflictException}; 408, 425, 429 and 5xx → {@link ProviderUnavailableException}
 * with {@code Retry-After}; anything else → {@link SecretException}. For a placement or a
 * revocation the message also says whether anything changed: nothing after a refusal, unknown
 * after a 5xx or 408.
 */
public final class PlatformErrors {
  static final int MAX_ERRORS = 3;
  static final int MAX_ERROR_LENGTH = 200;

  private PlatformErrors() {}

  /**
   * The exception for a non-2xx answer.
   *
   * @param ref the ref concerned, or {@code null}
   * @param op what the call was for
   * @param target a safe description of the target (a ref without values, an API path)
   * @param known strings to mask in the server's text (tokens, credentials, a value written)
   */
  public static SecretException map(SecretRef ref, Op op, String target, PlatformResponse r, Collection<String> known) {
    int status = r.status();
    String said = ServerText.scrubAll(r.errors(), MAX_ERRORS, MAX_ERROR_LENGTH, known, null);
    String msg = "platform " + op.label + " of " + target + " failed: HTTP " + status
        + (said.isEmpty() ? "" : ": " + said) + outcome(op, status);
    switch (status) {
      case 400:
      case 422:
        if (op == Op.LOGIN) {
          return new SecretAccessDeniedException(ref, msg);
        }
        return ref != null ? new InvalidSecretRefException(ref, msg) : new SecretException(null, msg);
      case 401:
      case 403:
        return new SecretAccessDeniedException(ref, msg);
      case 404:
        if (op == Op.LOGIN) {
          return new SecretConfigException(null, 0, "baseUrl", msg + " (does the base URL point at the Secrets API?)");
        }
        return new SecretNotFoundException(ref, msg);
      case 409:
        return new SecretVersionConflictException(ref, msg);
      case 408:
      case 425:
      case 429:
        return new ProviderUnavailableException(ref, msg, null, r.retryAfter().orElse(null));
      default:
        if (status >= 500) {
          return new ProviderUnavailableException(ref, msg, null, r.retryAfter().orElse(null));
        }
        return new SecretException(ref, msg);
    }
  }

  /**
   * For a call that changes something (a placement, a revocation): what the status says about
   * whether it happened. A refusal (4xx but 408) changed nothing; a 5xx or 408 may have been
   * applied before it failed, so the caller must look before retrying.
   */
  static String outcome(Op op, int status) {
    if (op != Op.WRITE && op != Op.REVOKE) {
      return "";
    }
    return status >= 500 || status == 408 ? "; " + UNKNOWN : "; nothing was changed";
  }

  /** What a failure after a changing call was sent says about its effect. */
  public static final String UNKNOWN = "whether it was applied is unknown (look at the secret's versions before retrying)";

  /** A typed error for an answer that lacks or garbles {@code field}; never quotes the body. */
  public static ProviderUnavailableException malformed(SecretRef ref, String target, String field, String problem) {
    return new ProviderUnavailableException(ref, "malformed platform response to " + target + ": '" + field + "' "
        + problem);
  }
}
