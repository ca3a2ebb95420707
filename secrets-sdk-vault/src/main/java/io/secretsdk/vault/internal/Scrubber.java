package io.secretsdk.vault.internal;

import io.secretsdk.redact.TokenDetector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes Vault's error strings safe to put in an exception message: bounded in number and length,
 * control characters removed, and anything that looks like a token or credential masked — the
 * tokens and credentials this provider sent, Vault token formats, UUIDs (legacy tokens, secret ids,
 * accessors), well-known token formats and long runs of token-like characters.
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
    String s = text.length() > 4 * MAX_ERROR_LENGTH ? text.substring(0, 4 * MAX_ERROR_LENGTH) : text;
    for (String k : known) {
      if (k != null && k.length() >= 4) {
        s = s.replace(k, MASK);
      }
    }
    s = s.replaceAll("[\\p{Cntrl}\\p{Cf}]", " ").replaceAll("\\s{2,}", " ");
    List<TokenDetector.Match> matches = TokenDetector.findAll(s);
    if (!matches.isEmpty()) {
      StringBuilder sb = new StringBuilder(s);
      for (int i = matches.size() - 1; i >= 0; i--) {
        TokenDetector.Match m = matches.get(i);
        sb.replace(m.start(), m.end(), MASK);
      }
      s = sb.toString();
    }
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
    s = out.toString().strip();
    if (s.length() > MAX_ERROR_LENGTH) {
      s = s.substring(0, MAX_ERROR_LENGTH) + "…";
    }
    return s;
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
