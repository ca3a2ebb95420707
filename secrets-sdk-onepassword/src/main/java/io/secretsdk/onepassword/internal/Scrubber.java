package io.secretsdk.onepassword.internal;

import io.secretsdk.redact.TokenDetector;
import java.util.List;

/**
 * Makes provider-supplied text (an error body's message, the CLI's stderr) fit for an exception
 * message: removes the credentials in use and anything a {@link TokenDetector} recognises,
 * replaces control characters, and bounds the length.
 *
 * <p>Stateless and thread-safe.
 */
public final class Scrubber {
  /** Longest scrubbed text kept, in characters. */
  public static final int MAX_CHARS = 300;

  private Scrubber() {}

  /**
   * Scrubs {@code text}.
   *
   * @param text the untrusted text, or {@code null}
   * @param secrets exact strings to remove (tokens); null or short entries are ignored
   * @return the scrubbed text, never null, at most {@link #MAX_CHARS} characters plus an ellipsis
   */
  public static String scrub(String text, List<String> secrets) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    String s = text;
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 4) {
        s = s.replace(secret, "[REDACTED]");
      }
    }
    List<TokenDetector.Match> matches = TokenDetector.findAll(s);
    if (!matches.isEmpty()) {
      StringBuilder sb = new StringBuilder(s.length());
      int at = 0;
      for (TokenDetector.Match m : matches) {
        if (m.start() < at) {
          continue; // overlapping match, already covered
        }
        sb.append(s, at, m.start()).append("[REDACTED:").append(m.detector().id()).append(']');
        at = m.end();
      }
      s = sb.append(s.substring(at)).toString();
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_CHARS + 1));
    boolean lastSpace = false;
    for (int i = 0; i < s.length() && out.length() < MAX_CHARS; i++) {
      char c = s.charAt(i);
      int type = Character.getType(c);
      boolean blank = Character.isWhitespace(c) || type == Character.CONTROL
          || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR;
      if (blank) {
        if (!lastSpace && out.length() > 0) {
          out.append(' ');
        }
        lastSpace = true;
      } else {
        out.append(c);
        lastSpace = false;
      }
    }
    String result = out.toString().strip();
    return s.length() > MAX_CHARS ? result + "…" : result;
  }
}
