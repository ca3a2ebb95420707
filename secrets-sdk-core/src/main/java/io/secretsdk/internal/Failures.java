package io.secretsdk.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.event.AuditEvent;

/** Helpers that keep failures typed, fresh per caller, and free of provider-supplied text. */
final class Failures {
  private Failures() {}

  /**
   * A new exception of the same type as {@code original} for another caller, with the original
   * as its cause: each caller gets its own stack trace, and the shared failure stays visible.
   */
  static SecretException copyFor(SecretException original) {
    SecretRef ref = original.ref().orElse(null);
    String message = original.getMessage();
    if (original instanceof SecretNotFoundException) {
      return new SecretNotFoundException(ref, message, original);
    }
    if (original instanceof SecretAccessDeniedException) {
      return new SecretAccessDeniedException(ref, message, original);
    }
    if (original instanceof PolicyViolationException) {
      return new PolicyViolationException(ref, message, original);
    }
    if (original instanceof ProviderUnavailableException) {
      return new ProviderUnavailableException(ref, message, original,
          ((ProviderUnavailableException) original).retryAfter().orElse(null));
    }
    if (original instanceof SecretVersionConflictException) {
      return new SecretVersionConflictException(ref, message, original);
    }
    if (original instanceof InvalidSecretRefException) {
      InvalidSecretRefException copy = new InvalidSecretRefException(ref, message);
      copy.initCause(original);
      return copy;
    }
    if (original instanceof SecretConfigException) {
      return original; // configuration errors are not shared between callers
    }
    return new SecretException(ref, message, original);
  }

  /**
   * Wraps a non-SDK exception thrown by a provider (a bug, or an unmapped library error). Its
   * message may hold anything, so only its type and stack are kept.
   */
  static SecretException fromUnexpected(SecretRef ref, String scheme, RuntimeException e) {
    return new UnexpectedFailure(ref, "the " + scheme + " provider failed with "
        + ExceptionExit.text(e.getClass().getName()) + " (message withheld)",
        ExceptionExit.withheld(e));
  }

  /**
   * A provider's unexpected runtime exception: typed as unavailable for callers (the exit
   * rebuilds it as a plain {@link ProviderUnavailableException}), but never retried at once —
   * a bug does not go away in 200 ms — only after the ref's backoff.
   */
  static final class UnexpectedFailure extends ProviderUnavailableException {
    private static final long serialVersionUID = 1L;

    UnexpectedFailure(SecretRef ref, String message, Throwable cause) {
      super(ref, message, cause);
    }
  }

  static AuditEvent.Outcome outcomeOf(SecretException e) {
    if (e instanceof SecretNotFoundException) {
      return AuditEvent.Outcome.NOT_FOUND;
    }
    if (e instanceof SecretAccessDeniedException || e instanceof PolicyViolationException) {
      return AuditEvent.Outcome.DENIED;
    }
    if (e instanceof ProviderUnavailableException) {
      return AuditEvent.Outcome.UNAVAILABLE;
    }
    return AuditEvent.Outcome.ERROR;
  }
}
