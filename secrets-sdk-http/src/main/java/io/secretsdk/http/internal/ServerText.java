package io.secretsdk.http.internal;

import io.secretsdk.internal.ProviderText;
import io.secretsdk.redact.RedactionIndex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Server text (error strings, messages of error bodies) made fit for an exception message by the
 * SDK's one scrubber, {@link ProviderText#scrubServerText}: the strings the provider sent or holds,
 * every registered value and credential, token formats and token-like runs are masked on the whole
 * text, control characters blanked, and only then is it cut — so a secret across the cut is never
 * half shown.
 *
 * <p>Stateless and thread-safe.
 */
public final class ServerText {
  private ServerText() {}

  /**
   * Scrubs, then cuts, one string.
   *
   * @param text the server's text; null or empty gives empty
   * @param maxChars the longest result, before the ellipsis
   * @param known strings the provider sent or holds (tokens, credentials) to mask exactly
   * @param own a provider's own index consulted besides the global one, or {@code null}
   */
  public static String scrub(String text, int maxChars, Collection<String> known, RedactionIndex own) {
    return ProviderText.scrubServerText(text, maxChars, known, own);
  }

  /**
   * Scrubs each of up to {@code maxTexts} strings (cut to {@code maxChars}), quotes them and joins
   * them with {@code "; "}; a count stands for the rest. Empty when there are none.
   */
  public static String scrubAll(List<String> texts, int maxTexts, int maxChars, Collection<String> known,
      RedactionIndex own) {
    List<String> parts = new ArrayList<>();
    for (String t : texts) {
      if (parts.size() == maxTexts) {
        parts.add("(" + (texts.size() - maxTexts) + " more)");
        break;
      }
      String s = scrub(t, maxChars, known, own);
      if (!s.isEmpty()) {
        parts.add('"' + s.replace('"', '\'') + '"');
      }
    }
    return String.join("; ", parts);
  }
}
