package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.redact.RedactionOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes {@link RedactionIndex}: a registered value (at least the minimum length) never survives
 * {@link RedactionIndex#redact} — raw, base64 (standard and URL-safe, padded or not), URL-encoded,
 * JSON-escaped or hex — wherever it sits in arbitrary surrounding text, and
 * {@link RedactionIndex#redactUtf8} agrees for the raw form.
 *
 * <p>Seeds: {@code RedactionFuzzTestInputs/redact/}.
 */
final class RedactionFuzzTest {
  private static final SecretRef REF = SecretRef.parse("mem://fuzz/value");

  @FuzzTest(maxDuration = "5m")
  void redact(FuzzedDataProvider data) {
    String value = data.consumeString(80);
    String prefix = data.consumeString(80);
    String suffix = data.consumeRemainingAsString();
    int min = RedactionOptions.DEFAULT_MIN_VALUE_LENGTH;
    if (value.length() < min || value.isBlank() || value.strip().length() < min
        || !value.equals(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))) {
      return; // short or blank values are not registered by design; lone surrogates do not round-trip
    }
    String label = "[REDACTED:" + REF + "]";
    RedactionIndex index = RedactionIndex.create();
    index.register(REF, value.getBytes(StandardCharsets.UTF_8));

    for (Map.Entry<String, String> form : forms(value).entrySet()) {
      String secret = form.getValue();
      String text = prefix + secret + suffix;
      String out = index.redact(text);
      assertThat(survives(out, label, secret))
          .as("%s form %s of registered value %s survived redaction of %s: %s", form.getKey(),
              escape(secret), escape(value), escape(text), escape(out)).isFalse();
      if (form.getKey().equals("raw")) {
        String outUtf8 = new String(index.redactUtf8(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        assertThat(survives(outUtf8, label, secret)).as("raw form %s survived redactUtf8 of %s: %s",
            escape(secret), escape(text), escape(outUtf8)).isFalse();
      }
    }
  }

  /**
   * Whether {@code secret} is still in a piece of the original text: the output is split at the
   * replacement labels, so a label's own characters never count (a value that starts with
   * {@code ]} would otherwise "reappear" out of the label's closing bracket and the text after it).
   */
  static boolean survives(String out, String label, String secret) {
    for (String piece : out.split(java.util.regex.Pattern.quote(label), -1)) {
      if (piece.contains(secret)) {
        return true;
      }
    }
    return false;
  }

  /** Fuzz inputs are not secrets: failures show them, escaped, so a finding can be reproduced. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return sb.append('"').toString();
  }

  static Map<String, String> forms(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    Map<String, String> f = new LinkedHashMap<>();
    f.put("raw", value);
    f.put("base64", Base64.getEncoder().encodeToString(b));
    f.put("base64url", Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    f.put("url-encoded", URLEncoder.encode(value, StandardCharsets.UTF_8));
    f.put("json-escaped", new String(JsonStringEncoder.getInstance().quoteAsString(value)));
    f.put("hex", HexFormat.of().formatHex(b));
    return f;
  }
}
