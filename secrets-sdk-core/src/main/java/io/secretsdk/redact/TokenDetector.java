package io.secretsdk.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Detectors for well-known credential formats with fixed vendor prefixes (OpenAI, Anthropic, AWS,
 * GitHub, GitLab, Slack, Stripe, Google, npm, HashiCorp Vault, 1Password, PEM private keys, JWTs).
 *
 * <p>Each detector is a cheap regular expression anchored on a vendor prefix, chosen to be nearly
 * free of false positives (gitleaks' vendor rules are the reference); there is deliberately no
 * generic entropy rule here, because these run on the logging path. Used by the log redactor, the
 * leak scanner, and the configuration loaders (a registry or policy file must hold refs, never
 * tokens).
 *
 * <p>{@link #findAll} and {@link #firstMatching} first look for the literal vendor prefixes in one
 * pass over the text and run a detector's regular expression only where its prefix occurs, so
 * text without any prefix costs one pass and no allocation of matchers.
 *
 * <p>Thread-safe and stateless.
 */
public enum TokenDetector {
  /** Anthropic API keys: {@code sk-ant-api03-…}. Listed before OpenAI, whose prefix it shares. */
  ANTHROPIC_API_KEY(
      "anthropic-api-key", "sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,120}", "sk-ant-"),
  /** OpenAI API keys: {@code sk-proj-…}, {@code sk-svcacct-…}, {@code sk-admin-…} and legacy {@code sk-…T3BlbkFJ…}. */
  OPENAI_API_KEY(
      "openai-api-key",
      "sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})",
      "sk-"),
  /** AWS access key ids: {@code AKIA…}, {@code ASIA…} and the other documented prefixes. */
  AWS_ACCESS_KEY_ID(
      "aws-access-key-id",
      "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
      "A3T", "AKIA", "ASIA", "ABIA", "ACCA"),
  /** GitHub tokens: {@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_}, {@code ghr_}. */
  GITHUB_TOKEN(
      "github-token", "gh[pousr]_[A-Za-z0-9]{36,255}", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
  /** GitHub fine-grained personal access tokens: {@code github_pat_…}. */
  GITHUB_FINE_GRAINED_PAT("github-fine-grained-pat", "github_pat_[A-Za-z0-9_]{82}", "github_pat_"),
  /**
   * Slack tokens: {@code xoxb-}, {@code xoxp-}, {@code xoxa-}, {@code xoxr-}, {@code xoxs-},
   * {@code xoxe-}; the first part after the prefix is numeric in every Slack token format.
   */
  SLACK_TOKEN("slack-token", "xox[abeprs]-\\d{1,13}-[0-9A-Za-z-]{10,250}", "xox"),
  /** Stripe live secret and restricted keys: {@code sk_live_…}, {@code rk_live_…}. */
  STRIPE_LIVE_KEY("stripe-live-key", "(?:sk|rk)_live_[A-Za-z0-9]{20,247}", "sk_live_", "rk_live_"),
  /** PEM private-key blocks, from the BEGIN line to the END line. */
  PRIVATE_KEY_BLOCK(
      "private-key",
      "-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{0,16384}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
      "-----BEGIN"),
  /** JSON Web Tokens: three base64url parts, the first two starting with an encoded JSON object. */
  JWT("jwt", "eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}", "eyJ"),
  /** HashiCorp Vault / OpenBao service, batch and recovery tokens: {@code hvs.…}, {@code hvb.…}, {@code hvr.…}. */
  VAULT_TOKEN("vault-token", "hv[sbr]\\.[A-Za-z0-9_-]{24,300}", "hvs.", "hvb.", "hvr."),
  /** GitLab personal, project and group access tokens: {@code glpat-…}. */
  GITLAB_TOKEN("gitlab-token", "glpat-[A-Za-z0-9_-]{20,64}", "glpat-"),
  /** Google API keys: {@code AIza…}. */
  GOOGLE_API_KEY("google-api-key", "AIza[A-Za-z0-9_-]{35}", "AIza"),
  /** npm access tokens: {@code npm_…}. */
  NPM_TOKEN("npm-token", "npm_[A-Za-z0-9]{36}", "npm_"),
  /** 1Password service-account tokens: {@code ops_eyJ…}. */
  ONEPASSWORD_SERVICE_ACCOUNT_TOKEN(
      "1password-service-account-token", "ops_eyJ[A-Za-z0-9+/_-]{100,}={0,3}", "ops_eyJ");

  private static final TokenDetector[] ALL = values();
  private static final java.util.Set<TokenDetector> ALL_SET =
      java.util.Collections.unmodifiableSet(java.util.EnumSet.allOf(TokenDetector.class));

  private final String id;
  private final Pattern pattern;
  private final String[] prefixes;

  TokenDetector(String id, String regex, String... prefixes) {
    this.id = id;
    // word boundaries on both sides so a token inside a longer identifier is not cut in half
    this.pattern = Pattern.compile("(?<![A-Za-z0-9_])" + regex + "(?![A-Za-z0-9_])");
    this.prefixes = prefixes;
  }

  /** A short stable id for reports and redaction marks, e.g. {@code github-token}. */
  public String id() {
    return id;
  }

  /** The compiled pattern; matches are whole tokens. */
  public Pattern pattern() {
    return pattern;
  }

  /** The literal prefixes every match of this detector starts with. */
  List<String> prefixes() {
    return List.of(prefixes);
  }

  /** A match of one detector in a text: where it is, never what it is. */
  public static final class Match {
    private final TokenDetector detector;
    private final int start;
    private final int end;

    Match(TokenDetector detector, int start, int end) {
      this.detector = detector;
      this.start = start;
      this.end = end;
    }

    /** The detector that matched. */
    public TokenDetector detector() {
      return detector;
    }

    /** Start index (inclusive) in the scanned text. */
    public int start() {
      return start;
    }

    /** End index (exclusive) in the scanned text. */
    public int end() {
      return end;
    }

    @Override
    public String toString() {
      return "Match[" + detector.id + " at " + start + ".." + end + "]";
    }
  }

  /**
   * Every match of every detector in {@code text}, ordered by start index. Matches of different
   * detectors may overlap (an Anthropic key is not also reported as an OpenAI key, though: the
   * more specific detector wins at a position).
   *
   * @throws NullPointerException if {@code text} is null
   */
  public static List<Match> findAll(CharSequence text) {
    Objects.requireNonNull(text, "text");
    List<Match> matches = new ArrayList<>();
    RedactionIndex.Matches m = DetectorScanner.scan(text, 0, text.length(), ALL_SET, null);
    for (int k = 0; m != null && k < m.size; k++) {
      matches.add(new Match((TokenDetector) m.owners[k], m.starts[k], m.ends[k]));
    }
    return matches;
  }

  /**
   * The first detector (in declaration order) that matches anywhere in {@code text}.
   *
   * @throws NullPointerException if {@code text} is null
   */
  public static Optional<TokenDetector> firstMatching(CharSequence text) {
    Objects.requireNonNull(text, "text");
    for (TokenDetector d : ALL) {
      for (String p : d.prefixes) {
        if (indexOf(text, p) >= 0) {
          if (d.pattern.matcher(text).find()) {
            return Optional.of(d);
          }
          break;
        }
      }
    }
    return Optional.empty();
  }

  private static int indexOf(CharSequence text, String s) {
    if (text instanceof String) {
      return ((String) text).indexOf(s);
    }
    int n = text.length() - s.length();
    outer:
    for (int i = 0; i <= n; i++) {
      for (int k = 0; k < s.length(); k++) {
        if (text.charAt(i + k) != s.charAt(k)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Whether {@code m} (positioned at a prefix) matches this detector right there. */
  boolean matchAt(Matcher m, int start, int end) {
    m.region(start, end);
    return m.lookingAt();
  }
}
