package io.secretsdk.vault.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import java.util.Collection;
import java.util.Locale;

/**
 * Maps a failed Vault answer onto the core exceptions. Vault's error strings enter the message only
 * through {@link Scrubber}.
 *
 * <p>400 → {@link SecretVersionConflictException} for check-and-set failures,
 * {@link SecretAccessDeniedException} for logins, else {@link InvalidSecretRefException};
 * 401/403 → {@link SecretAccessDeniedException}; 404 → {@link SecretNotFoundException}
 * ({@link SecretConfigException} for a login path); 405 → {@link InvalidSecretRefException};
 * 412, 429 and 5xx → {@link ProviderUnavailableException} with {@code Retry-After}; anything else
 * → {@link SecretException}.
 */
public final class VaultErrors {
  private VaultErrors() {}

  /**
   * The exception for a non-2xx answer.
   *
   * @param ref the ref concerned, or {@code null}
   * @param op what the call was for
   * @param target a safe description of the target (a ref or an API path without values)
   * @param known strings to mask in Vault's text
   */
  public static SecretException map(SecretRef ref, Op op, String target, VaultResponse r, Collection<String> known) {
    int status = r.status();
    String said = Scrubber.scrubAll(r.errors(), known);
    String msg = "Vault " + op.label + " of " + target + " failed: HTTP " + status
        + (said.isEmpty() ? "" : ": " + said);
    String lower = String.join(" ", r.errors()).toLowerCase(Locale.ROOT);
    switch (status) {
      case 400:
        if (op == Op.WRITE && lower.contains("check-and-set")) {
          // "did not match the current version", or "required for this call" on a cas_required secret
          return new SecretVersionConflictException(ref, lower.contains("required")
              ? msg + " (the secret requires check-and-set: pass the expected version)" : msg);
        }
        if (op == Op.LOGIN || op == Op.UNWRAP || op == Op.TOKEN) {
          return new SecretAccessDeniedException(ref, msg);
        }
        return ref != null ? new InvalidSecretRefException(ref, msg) : new SecretException(null, msg);
      case 401:
      case 403:
        return new SecretAccessDeniedException(ref, msg);
      case 404:
        if (op == Op.LOGIN) {
          return new SecretConfigException(null, 0, "authentication", msg + " (is the auth method mounted at that path?)");
        }
        return new SecretNotFoundException(ref, msg);
      case 405:
        return ref != null ? new InvalidSecretRefException(ref, msg + " (the path does not support this operation)")
            : new SecretException(null, msg);
      case 412:
      case 429:
        return new ProviderUnavailableException(ref, msg, null, r.retryAfter().orElse(null));
      default:
        if (status >= 500) {
          return new ProviderUnavailableException(ref, msg, null, r.retryAfter().orElse(null));
        }
        return new SecretException(ref, msg);
    }
  }
}
