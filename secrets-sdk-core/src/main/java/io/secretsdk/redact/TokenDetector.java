package io.secretsdk.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Detectors for well-known credential formats with fixed vendor prefixes (OpenAI, Anthropic, AWS,
 * GitHub, Slack, Stripe, PEM private keys, JWTs).
 *
 * <p>Each detector is a cheap regular expression anchored on a vendor prefix, chosen to be nearly
 * free of false positives (gitleaks' vendor rules are the reference); there is deliberately no
 * generic entropy rule here, because these run on the logging path. Used by the log redactor, the
 * leak scanner, and the configuration loaders (a registry or policy file must hold refs, never
 * tokens).
 *
 * <p>Thread-safe and stateless.
 */
public enum TokenDetector {
  /** Anthropic API keys: {@code sk-ant-api03-…}. Listed before OpenAI, whose prefix it shares. */
  ANTHROPIC_API_KEY("anthropic-api-key", "sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,120}"),
  /** OpenAI API keys: {@code sk-proj-…}, {@code sk-svcacct-…}, {@code sk-admin-…} and legacy {@code sk-…T3BlbkFJ…}. */
  OPENAI_API_KEY(
      "openai-api-key",
      "sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})"),
  /** AWS access key ids: {@code AKIA…}, {@code ASIA…} and the other documented prefixes. */
  AWS_ACCESS_KEY_ID("aws-access-key-id", "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"),
  /** GitHub tokens: {@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_}, {@code ghr_}. */
  GITHUB_TOKEN("github-token", "gh[pousr]_[A-Za-z0-9]{36,255}"),
  /** GitHub fine-grained personal access tokens: {@code github_pat_…}. */
  GITHUB_FINE_GRAINED_PAT("github-fine-grained-pat", "github_pat_[A-Za-z0-9_]{82}"),
  /** Slack tokens: {@code xoxb-}, {@code xoxp-}, {@code xoxa-}, {@code xoxr-}, {@code xoxs-}, {@code xoxe-}. */
  SLACK_TOKEN("slack-token", "xox[baprse]-[0-9A-Za-z-]{10,250}"),
  /** Stripe live secret and restricted keys: {@code sk_live_…}, {@code rk_live_…}. */
  STRIPE_LIVE_KEY("stripe-live-key", "(?:sk|rk)_live_[A-Za-z0-9]{20,247}"),
  /** PEM private-key blocks, from the BEGIN line to the END line. */
  PRIVATE_KEY_BLOCK(
      "private-key",
      "-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{0,16384}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----"),
  /** JSON Web Tokens: three base64url parts, the first two starting with an encoded JSON object. */
  JWT("jwt", "eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}");

  private final String id;
  private final Pattern pattern;

  TokenDetector(String id, String regex) {
    this.id = id;
    // word boundaries on both sides so a token inside a longer identifier is not cut in half
    this.pattern = Pattern.compile("(?<![A-Za-z0-9_])" + regex + "(?![A-Za-z0-9_])");
  }

  /** A short stable id for reports and redaction marks, e.g. {@code github-token}. */
  public String id() {
    return id;
  }

  /** The compiled pattern; matches are whole tokens. */
  public Pattern pattern() {
    return pattern;
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

  /** Every match of every detector in {@code text}, ordered by start index. */
  public static List<Match> findAll(CharSequence text) {
    Objects.requireNonNull(text, "text");
    List<Match> matches = new ArrayList<>();
    for (TokenDetector d : values()) {
      Matcher m = d.pattern.matcher(text);
      while (m.find()) {
        matches.add(new Match(d, m.start(), m.end()));
      }
    }
    matches.sort((a, b) -> Integer.compare(a.start, b.start));
    return matches;
  }

  /** The first detector that matches anywhere in {@code text}. */
  public static Optional<TokenDetector> firstMatching(CharSequence text) {
    Objects.requireNonNull(text, "text");
    for (TokenDetector d : values()) {
      if (d.pattern.matcher(text).find()) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
