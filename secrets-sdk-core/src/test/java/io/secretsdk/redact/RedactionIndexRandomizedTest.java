package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import java.net.URLEncoder;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Random values with awkward characters, in every form, at random places: never written out. */
final class RedactionIndexRandomizedTest {
  private static final int[] CODE_POINTS = "abcXYZ019 \"\\/<>&'%+=-_~.:;é€ß\u00a0\t".codePoints()
      .toArray();
  private static final List<Function<String, String>> FORMS = List.of(
      v -> v,
      v -> v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t"),
      v -> v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
          .replace("'", "&apos;"),
      v -> URLEncoder.encode(v, UTF_8),
      v -> Base64.getEncoder().encodeToString(v.getBytes(UTF_8)),
      v -> Base64.getUrlEncoder().withoutPadding().encodeToString(v.getBytes(UTF_8)),
      v -> HexFormat.of().formatHex(v.getBytes(UTF_8)));

  @Test
  void redact_randomValuesInEveryForm_neverInOutput() {
    Random random = new Random(20261122L);
    for (int round = 0; round < 300; round++) {
      RedactionIndex index = RedactionIndex.create();
      StringBuilder value = new StringBuilder();
      int length = 8 + random.nextInt(40);
      while (value.length() < length) {
        value.appendCodePoint(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
      }
      value.append(random.nextInt(1000)).append((char) ('a' + random.nextInt(26)));
      String v = value.toString();
      index.register(SecretRef.parse("mem://random/" + round), v.getBytes(UTF_8));
      String form = FORMS.get(random.nextInt(FORMS.size())).apply(v);
      String text = "t" + round + " prefix " + Canaries.alnum(random.nextInt(5)) + form
          + Canaries.alnum(random.nextInt(5)) + " suffix";
      String out = index.redact(text);
      assertThat(out).as("round %d", round).doesNotContain(form).contains("[REDACTED:mem://random/" + round + "]");
      byte[] outBytes = index.redactUtf8(text.getBytes(UTF_8));
      assertThat(new String(outBytes, UTF_8)).as("round %d, bytes", round).doesNotContain(form);
    }
  }
}
