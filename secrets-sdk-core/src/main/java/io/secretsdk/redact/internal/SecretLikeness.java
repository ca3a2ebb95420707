package io.secretsdk.redact.internal;

import io.secretsdk.redact.TokenDetector;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a string looks like a secret value rather than a ref, a name or an id: used for
 * configuration files (which must hold refs only) and for text a provider wrote (random-looking
 * words are masked before the SDK shows it). Exported to the SDK's own modules only.
 *
 * <p>Two tests. First the vendor token formats of {@link TokenDetector} (near-zero false
 * positives). Then a randomness check on each "word" (a run of base64 or base64url characters; {@code =} splits words, as in {@code ?version=…}):
 * a word is flagged when it is long and looks random, judged by Shannon entropy per character,
 * the character classes it mixes (upper, lower, digit) and how often it switches between them
 * once camel-case words are folded ({@code MyServiceApiKey} switches rarely, {@code q6qHNj0R7h}
 * on almost every character). The thresholds were tuned on samples: a random 40-character
 * base64 string is flagged about 99 times in 100 (a 20-character one about 85 times), while
 * real refs pass: Vault paths, AWS ARNs, UUID version ids, 26-character 1Password item ids,
 * 32-character hex version ids, {@code op://Private/My Item/password}.
 *
 * <p>Inside a ref ({@code scheme://…}) words also break at {@code /}, since path segments are
 * separate names; elsewhere a {@code /} is kept inside the word, as standard base64 uses it.
 *
 * <p>Stateless and thread-safe. Results name a detector id, never the text.
 */
public final class SecretLikeness {
  /** Detector id reported for the randomness check. */
  public static final String HIGH_ENTROPY = "high-entropy-string";

  /** Shortest run of letters and digits the randomness check looks at. */
  public static final int MIN_WORD = 20;

  private static final Pattern REF_WORD = Pattern.compile("[A-Za-z0-9+_-]+");
  private static final Pattern RAW_WORD = Pattern.compile("[A-Za-z0-9+/_-]+");
  /** Camel-case pieces: {@code HTTPServer2Key} is HTTP, Server, 2, Key. */
  private static final Pattern PIECE =
      Pattern.compile("[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+");

  private SecretLikeness() {}

  /**
   * The id of the first test that flags {@code text}: a {@link TokenDetector#id()} or
   * {@link #HIGH_ENTROPY}.
   */
  public static Optional<String> detect(String text) {
    Optional<TokenDetector> token = TokenDetector.firstMatching(text);
    if (token.isPresent()) {
      return Optional.of(token.get().id());
    }
    Matcher m = (text.contains("://") ? REF_WORD : RAW_WORD).matcher(text);
    while (m.find()) {
      if (m.end() - m.start() >= MIN_WORD
          && looksRandom(text.substring(m.start(), m.end()))) {
        return Optional.of(HIGH_ENTROPY);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code text} with every word (a run of base64 or base64url characters) that looks like random
   * key material replaced by {@code mask}; {@code text} itself when there is none.
   */
  public static String maskRandomWords(String text, String mask) {
    return maskRandomWords(text, mask, null);
  }

  /**
   * As {@link #maskRandomWords(String, String)}, leaving alone words inside an occurrence of
   * {@code keep} (a ref the text names: refs are not secrets, and a message must still say which
   * ref failed).
   */
  public static String maskRandomWords(String text, String mask, String keep) {
    int[] kept = occurrences(text, keep);
    Matcher m = RAW_WORD.matcher(text);
    StringBuilder sb = null;
    int pos = 0;
    while (m.find()) {
      if (m.end() - m.start() >= MIN_WORD && !inside(kept, m.start(), m.end())
          && looksRandom(text.substring(m.start(), m.end()))) {
        if (sb == null) {
          sb = new StringBuilder(text.length());
        }
        sb.append(text, pos, m.start()).append(mask);
        pos = m.end();
      }
    }
    return sb == null ? text : sb.append(text, pos, text.length()).toString();
  }

  private static int[] occurrences(String text, String keep) {
    if (keep == null || keep.isEmpty()) {
      return new int[0];
    }
    int[] out = new int[8];
    int n = 0;
    for (int at = text.indexOf(keep); at >= 0; at = text.indexOf(keep, at + keep.length())) {
      if (n + 2 > out.length) {
        out = java.util.Arrays.copyOf(out, out.length * 2);
      }
      out[n++] = at;
      out[n++] = at + keep.length();
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static boolean inside(int[] spans, int start, int end) {
    for (int i = 0; i < spans.length; i += 2) {
      if (start >= spans[i] && end <= spans[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** Whether one word (base64 alphabet only) looks like random key material. */
  public static boolean looksRandom(String word) {
    int upper = 0;
    int lower = 0;
    int digits = 0;
    boolean hexOnly = true;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        upper++;
      } else if (c >= 'a' && c <= 'z') {
        lower++;
      } else if (c >= '0' && c <= '9') {
        digits++;
      } else {
        hexOnly = false; // a symbol: '+', '/', '=', '_' or '-'
        continue;
      }
      if (Character.digit(c, 16) < 0) {
        hexOnly = false;
      }
    }
    int alnum = upper + lower + digits;
    if (alnum < MIN_WORD) {
      return false;
    }
    int classes = (upper > 0 ? 1 : 0) + (lower > 0 ? 1 : 0) + (digits > 0 ? 1 : 0);
    double entropy = shannonEntropy(word);
    if (classes == 3) {
      // mixed case and digits: random unless it reads as camel-case words
      return entropy >= 3.7 && pieceSwitchRatio(word, alnum) >= 0.38;
    }
    if (hexOnly) {
      // 40+ hex characters: SHA-1 size and up. 32-character hex version ids stay legal.
      return alnum >= 40 && entropy >= 3.0;
    }
    // one letter case plus digits (base32, lower-case alphanumeric tokens): longer words only,
    // so 26-character 1Password item ids pass
    return alnum >= 32 && digits >= 4 && classes == 2 && entropy >= 4.0
        && pieceSwitchRatio(word, alnum) >= 0.25;
  }

  /** Shannon entropy of the characters of {@code s}, in bits per character. */
  public static double shannonEntropy(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    int[] counts = new int[128];
    int other = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 128) {
        counts[c]++;
      } else {
        other++;
      }
    }
    double h = 0;
    double n = s.length();
    for (int count : counts) {
      if (count > 0) {
        double p = count / n;
        h -= p * Math.log(p);
      }
    }
    if (other > 0) {
      double p = other / n;
      h -= p * Math.log(p);
    }
    return h / Math.log(2);
  }

  /** (camel-case pieces - 1) / (letters and digits - 1): near 0 for words, ~0.45+ for noise. */
  private static double pieceSwitchRatio(String word, int alnum) {
    Matcher m = PIECE.matcher(word);
    int pieces = 0;
    while (m.find()) {
      pieces++;
    }
    return (pieces - 1) / (double) (alnum - 1);
  }
}
