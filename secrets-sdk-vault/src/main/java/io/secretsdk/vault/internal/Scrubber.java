package io.secretsdk.vault.internal;

import io.secretsdk.http.internal.ServerText;
import io.secretsdk.internal.ProviderText;
import java.util.Collection;
import java.util.List;

/**
 * Vault's bounds for its error strings in an exception message: at most {@value #MAX_ERRORS}
 * strings of {@value #MAX_ERROR_LENGTH} characters, scrubbed by the SDK's one scrubber for server
 * text ({@link ServerText}, over {@link ProviderText#scrubServerText}): the tokens and credentials
 * this provider sent, every registered value and credential, token formats, UUIDs (legacy tokens,
 * secret ids, accessors) and token-like runs masked on the whole text, the cut last.
 *
 * <p>Stateless and thread-safe.
 */
public final class Scrubber {
  static final int MAX_ERRORS = 3;
  static final int MAX_ERROR_LENGTH = 200;

  private Scrubber() {}

  /**
   * Scrubs one error string.
   *
   * @param text the text from Vault
   * @param known strings this provider sent or holds (tokens, credentials) to mask exactly
   */
  public static String scrub(String text, Collection<String> known) {
    return ServerText.scrub(text, MAX_ERROR_LENGTH, known, null);
  }

  /** Scrubs and joins up to {@value #MAX_ERRORS} error strings; empty when there are none. */
  public static String scrubAll(List<String> errors, Collection<String> known) {
    return ServerText.scrubAll(errors, MAX_ERRORS, MAX_ERROR_LENGTH, known, null);
  }
}
