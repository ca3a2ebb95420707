package io.secretsdk.internal;

import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.redact.internal.SecretLikeness;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Treats text that came from a provider or a server as data: it is checked before the SDK shows
 * it, and scrubbed before it enters a message.
 *
 * <p>{@link #shown(String)} is for the short strings the SDK displays — version ids, lease ids,
 * metadata values, error codes, request ids: one that is too long, holds a character outside a
 * small set, matches a registered value or credential, or matches a token format is replaced by
 * a keyed fingerprint {@code fp:<12 hex>} (HMAC-SHA-256 under a key made per process, so equal
 * strings show equal fingerprints within a run and nothing can be learned from one).
 *
 * <p>{@link #scrub(String, int)} is for free text (error bodies, messages, stderr): registered
 * values, token formats and words that look like random key material are masked first, and only then is the text cut, so a value that
 * straddles the cut is still found whole. Control characters become spaces (no log injection).
 *
 * <p>Exported to the SDK's own modules only.
 */
public final class ProviderText {
  /** Longest provider string shown as it is. */
  public static final int MAX_SHOWN = 128;

  /** Shown in place of a word of free text that looks like random key material. */
  public static final String RANDOM_MASK = "[REDACTED:high-entropy]";

  private static final byte[] KEY = new byte[32];

  static {
    new SecureRandom().nextBytes(KEY);
  }

  private ProviderText() {}

  /**
   * {@code text} itself when it is safe to show, otherwise its fingerprint; {@code null} for null.
   * Checked against the process-wide index.
   */
  public static String shown(String text) {
    return shown(text, null);
  }

  /** As {@link #shown(String)}, also checked against {@code index} when it is not null. */
  public static String shown(String text, RedactionIndex index) {
    if (text == null) {
      return null;
    }
    // The randomness check is not applied here: version ids are often random by design (UUIDs,
    // the docs' EXAMPLE ids), and a fingerprinted version could no longer be pinned.
    if (!plain(text) || matches(RedactionIndex.global(), text)
        || (index != null && index != RedactionIndex.global() && matches(index, text))) {
      return fingerprint(text);
    }
    return text;
  }

  /** Whether {@code text} is short and made of letters, digits and {@code ._:/+=@,~#-} and spaces. */
  static boolean plain(String text) {
    int n = text.length();
    if (n == 0 || n > MAX_SHOWN || text.charAt(0) == ' ' || text.charAt(n - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || "._:/+=@,~#- ".indexOf(c) >= 0)) {
          return false;
        }
      } else if (!Character.isLetterOrDigit(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(RedactionIndex index, String text) {
    return !index.findAll(text).isEmpty();
  }

  /** The keyed fingerprint shown in place of a string that may not be shown. */
  public static String fingerprint(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      byte[] d = mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder("fp:");
      for (int i = 0; i < 6; i++) {
        sb.append(Character.forDigit((d[i] >> 4) & 0xF, 16)).append(Character.forDigit(d[i] & 0xF, 16));
      }
      return sb.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** {@link #scrub(String, int, RedactionIndex)} against the process-wide index only. */
  public static String scrub(String text, int maxChars) {
    return scrub(text, maxChars, null);
  }

  /**
   * {@code text} with every value and credential registered in the process-wide index (and in
   * {@code index}, when not null) and every token format masked, control and format characters
   * (bidirectional overrides, zero-width) turned into spaces, and then cut to {@code maxChars} (an ellipsis marks a cut). Null stays null.
   */
  public static String scrub(String text, int maxChars, RedactionIndex index) {
    return scrub(text, maxChars, index, null);
  }

  /**
   * As {@link #scrub(String, int, RedactionIndex)}, leaving the words of {@code ref} (the ref a
   * message is about) unmasked by the random-word rule; registered values and token formats are
   * masked wherever they stand.
   */
  public static String scrub(String text, int maxChars, RedactionIndex index, String ref) {
    if (text == null) {
      return null;
    }
    String s = RedactionIndex.global().redact(text);
    if (index != null && index != RedactionIndex.global()) {
      s = index.redact(s);
    }
    // what no index knows yet but looks like key material is masked too
    s = SecretLikeness.maskRandomWords(s, RANDOM_MASK, ref);
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
          || Character.getType(c) == Character.FORMAT) {
        if (sb == null) {
          sb = new StringBuilder(s);
        }
        sb.setCharAt(i, ' ');
      }
    }
    if (sb != null) {
      s = sb.toString();
    }
    if (s.length() > maxChars) {
      int cut = maxChars;
      // never leave half a mask or half a surrogate pair at the end
      int open = s.lastIndexOf("[REDACTED:", cut);
      if (open >= 0 && s.indexOf(']', open) >= cut) {
        cut = open;
      }
      if (cut > 0 && Character.isHighSurrogate(s.charAt(cut - 1))) {
        cut--;
      }
      s = s.substring(0, cut) + "…";
    }
    return s;
  }

  private static final String MASK = "****";
  /** Vault tokens in every format, legacy {@code s.}/{@code b.}/{@code r.} ones included. */
  private static final java.util.regex.Pattern VAULT_LIKE_TOKEN =
      java.util.regex.Pattern.compile("(?<![A-Za-z0-9])(?:hv[sbr]|[sbr])\\.[A-Za-z0-9_-]{8,}");
  private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
      "(?i)(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])");
  private static final java.util.regex.Pattern LONG_RUN =
      java.util.regex.Pattern.compile("[A-Za-z0-9+/=_-]{24,}");
  private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile("\\s{2,}");

  /**
   * The one scrubber for text a server wrote (error bodies, error strings) before it enters a
   * message: the strings the provider sent or holds ({@code known}: tokens, credentials) masked
   * exactly; then {@link #scrub(String, int, RedactionIndex)}'s masking on the whole text; then
   * what looks like a credential though nothing registered it — Vault-style tokens, UUIDs (lease
   * and accessor ids), runs of 24+ token characters mixing letters and digits; runs of whitespace
   * made one space; and only then the cut to {@code maxChars}, so nothing straddling it survives in
   * part. Null becomes empty.
   */
  public static String scrubServerText(String text, int maxChars, java.util.Collection<String> known,
      RedactionIndex index) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    String s = text;
    for (String k : known) {
      if (k != null && k.length() >= 4) {
        s = s.replace(k, MASK);
      }
    }
    s = scrub(s, Integer.MAX_VALUE, index);
    s = VAULT_LIKE_TOKEN.matcher(s).replaceAll(MASK);
    s = UUID.matcher(s).replaceAll(MASK);
    java.util.regex.Matcher m = LONG_RUN.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String run = m.group();
      boolean tokenLike = run.chars().anyMatch(Character::isDigit)
          && run.chars().anyMatch(Character::isLetter);
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(tokenLike ? MASK : run));
    }
    m.appendTail(out);
    s = SPACES.matcher(out).replaceAll(" ").strip();
    return scrub(s, maxChars, null);
  }
}
