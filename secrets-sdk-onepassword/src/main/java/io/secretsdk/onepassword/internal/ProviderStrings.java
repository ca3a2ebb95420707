package io.secretsdk.onepassword.internal;

import io.secretsdk.http.internal.ServerText;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.redact.RedactionIndex;
import java.util.Objects;

/**
 * A backend's guard for what 1Password sends back: the backend's token is registered as a
 * credential the moment the backend is made, server text is scrubbed before it enters a message,
 * and short server strings (ids, versions, types) are checked before they are shown.
 *
 * <p>The token goes into the process-wide {@link RedactionIndex#global()} (so any log line written
 * through the redacting encoder masks it) and into a private index of this backend's own, which
 * keeps it masked here even after the global index has let it go (it keeps a few versions per
 * credential kind and a bounded number of values). Both are consulted by {@link ProviderText}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProviderStrings {
  /** Longest scrubbed text kept in a message, in characters (before the ellipsis). */
  public static final int MAX_CHARS = 300;

  private final RedactionIndex own = RedactionIndex.create();

  /**
   * Registers {@code token} as credential {@code kind} in the global index and in this guard's own.
   *
   * @param kind the credential kind, e.g. {@code onepassword/connect-token}
   */
  public ProviderStrings(String kind, String token) {
    Objects.requireNonNull(token, "token");
    RedactionIndex.global().registerCredential(kind, token);
    own.registerCredential(kind, token);
  }

  /**
   * {@code text} fit for an exception message, by the SDK's one scrubber for server text
   * ({@link ServerText#scrub}, over {@link ProviderText#scrubServerText}): every registered value and credential, this backend's
   * token, every token format and token-like string masked, control and format characters
   * blanked, whitespace runs made one space, and only then cut to {@link #MAX_CHARS}.
   *
   * @return the scrubbed text; empty for null or empty input
   */
  public String scrub(String text) {
    return ServerText.scrub(text, MAX_CHARS, java.util.List.of(), own);
  }

  /**
   * {@code text} as is when it is a short plain string that matches no registered value,
   * credential (this backend's token included) or token format; else its keyed fingerprint.
   */
  public String shown(String text) {
    return ProviderText.shown(text, own);
  }
}
