package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.redact.RedactionMatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Credentials and values made at run time (never in the repository), and the search for them in
 * any output: raw, URL-encoded, JSON-escaped and base64 (both alphabets, padded or not, alone or at
 * any alignment inside a longer base64 text, through an index of its own). Failures name the
 * canary's label, never its text.
 */
final class Canaries {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> byLabel = new LinkedHashMap<>();
  private final RedactionIndex witness = RedactionIndex.create();

  /** {@code n} random letters and digits. */
  static String random(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
    }
    return sb.toString();
  }

  /** A new canary {@code prefix + 32 random characters}, searched for under {@code label}. */
  String make(String label, String prefix) {
    return add(label, prefix + random(32));
  }

  /** Searches for {@code value} under {@code label} from now on; returns it. */
  String add(String label, String value) {
    byLabel.put(label, value);
    witness.register(SecretRef.parse("canary://" + label), value.getBytes(StandardCharsets.UTF_8));
    return value;
  }

  String get(String label) {
    return byLabel.get(label);
  }

  /** The forms a canary may take in text. */
  static List<String> forms(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    List<String> f = new ArrayList<>();
    f.add(value);
    f.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
    try {
      String json = JSON.writeValueAsString(value);
      f.add(json.substring(1, json.length() - 1));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    f.add(Base64.getEncoder().encodeToString(b));
    f.add(Base64.getEncoder().withoutPadding().encodeToString(b));
    f.add(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    return f;
  }

  /** Fails if any canary, in any form, is in {@code text}. */
  void assertAbsent(String where, String text) {
    for (Map.Entry<String, String> e : byLabel.entrySet()) {
      for (String form : forms(e.getValue())) {
        assertThat(text.contains(form)).as("canary '" + e.getKey() + "' (or an encoded form) in " + where).isFalse();
      }
    }
    List<String> found = witness.findAll(text).stream()
        .filter(m -> m.kind() == RedactionMatch.Kind.SECRET_VALUE)
        .map(RedactionMatch::label).collect(Collectors.toList());
    assertThat(found).as("canaries found by value (any encoding) in " + where).isEmpty();
  }

  /** As {@link #assertAbsent(String, String)} for a throwable's message, toString and printed trace. */
  void assertAbsent(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    assertAbsent("exception " + t.getClass().getSimpleName(), t + "\n" + t.getMessage() + "\n" + sw);
  }
}
