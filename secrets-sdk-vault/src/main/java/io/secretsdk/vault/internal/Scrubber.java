package io.secretsdk.vault.internal;

import io.secretsdk.internal.ProviderText;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes Vault's error strings safe to put in an exception message: bounded in number and length,
 * control characters removed, and anything that looks like a token or credential masked — the
 * tokens and credentials this provider sent, every value and credential in
 * {@link io.secretsdk.redact.RedactionIndex#global()} and well-known token formats (through
 * {@link ProviderText#scrub}), Vault token formats, UUIDs (legacy tokens, secret ids, accessors)
 * and long runs of token-like characters. Masking is done on the whole text; the cut comes last.
 *
 * <p>Stateless and thread-safe.
 */
public final class Scrubber {
  static final int MAX_ERRORS = 3;
  static final int MAX_ERROR_LENGTH = 200;
  private static final String MASK = "****";
  private static final Pattern VAULT_TOKEN = Pattern.compile("(?<![A-Za-z0-9])(?:hv[sbr]|[sbr])\\.[A-Za-z0-9_-]{8,}");
  private static final Pattern UUID = Pattern.compile(
      "(?i)(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])");
  private static final Pattern LONG_RUN = Pattern.compile("[A-Za-z0-9+/=_-]{24,}");
  private static final Pattern SPACES = Pattern.compile("\\s{2,}");

  private Scrubber() {}

  /**
   * Scrubs one error string.
   *
   * @param text the text from Vault
   * @param known strings this provider sent or holds (tokens, credentials) to mask exactly
   */
  public static String scrub(String text, Collection<String> known) {
    if (text == null) {
      return "";
    }
    // everything is masked on the whole text and only then cut: a token straddling the cut is
    // still found whole (cutting first left a 29-character token's first 28 characters)
    String s = text;
    for (String k : known) {
      if (k != null && k.length() >= 4) {
        s = s.replace(k, MASK);
      }
    }
    // every registered value and credential, and well-known token formats; control characters out
    s = ProviderText.scrub(s, Integer.MAX_VALUE);
    s = VAULT_TOKEN.matcher(s).replaceAll(MASK);
    s = UUID.matcher(s).replaceAll(MASK);
    Matcher m = LONG_RUN.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String run = m.group();
      boolean tokenLike = run.chars().anyMatch(Character::isDigit) && run.chars().anyMatch(Character::isLetter);
      m.appendReplacement(out, Matcher.quoteReplacement(tokenLike ? MASK : run));
    }
    m.appendTail(out);
    s = SPACES.matcher(out).replaceAll(" ").strip();
    // the cut, never inside a mask
    return ProviderText.scrub(s, MAX_ERROR_LENGTH);
  }

  /** Scrubs and joins up to {@value #MAX_ERRORS} error strings; empty when there are none. */
  public static String scrubAll(List<String> errors, Collection<String> known) {
    List<String> parts = new ArrayList<>();
    for (String e : errors) {
      if (parts.size() == MAX_ERRORS) {
        parts.add("(" + (errors.size() - MAX_ERRORS) + " more)");
        break;
      }
      String s = scrub(e, known);
      if (!s.isEmpty()) {
        parts.add('"' + s.replace('"', '\'') + '"');
      }
    }
    return String.join("; ", parts);
  }
}
