package io.secretsdk.onepassword.internal;

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
   * {@code text} fit for an exception message: every registered value and credential, this
   * backend's token and every token format masked, control and format characters blanked, and only
   * then cut to {@link #MAX_CHARS} (so nothing straddling the cut survives in part); runs of
   * whitespace become one space.
   *
   * @return the scrubbed text; empty for null or empty input
   */
  public String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    String s = ProviderText.scrub(text, MAX_CHARS, own);
    StringBuilder out = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        space = true;
        continue;
      }
      if (space && out.length() > 0) {
        out.append(' ');
      }
      space = false;
      out.append(c);
    }
    return out.toString();
  }

  /**
   * {@code text} as is when it is a short plain string that matches no registered value,
   * credential (this backend's token included) or token format; else its keyed fingerprint.
   */
  public String shown(String text) {
    return ProviderText.shown(text, own);
  }
}
