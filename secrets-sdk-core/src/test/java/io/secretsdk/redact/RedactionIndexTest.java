package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.secretsdk.SecretRef;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

final class RedactionIndexTest {
  private static final SecretRef REF = SecretRef.parse("mem://test/openai#api_key");
  private static final String MARK = "[REDACTED:mem://test/openai#api_key]";

  private final RedactionIndex index = RedactionIndex.create();

  private String register(String value) {
    index.register(REF, value.getBytes(UTF_8));
    return value;
  }

  @Test
  void redact_registeredValue_replacedByRefMark() {
    String v = register(Canaries.canary());
    assertThat(index.redact("key=" + v + " done")).isEqualTo("key=" + MARK + " done");
  }

  @Test
  void redact_nothingMatches_returnsSameInstance() {
    register(Canaries.canary());
    String text = "an ordinary log line that mentions a task, a key and the weather: sunny";
    assertThat(index.redact(text)).isSameAs(text);
    assertThat(RedactionIndex.create().redact(text)).isSameAs(text);
  }

  @Test
  void redact_valueAtStartAndEndAndTwice_allReplaced() {
    String v = register(Canaries.canary());
    assertThat(index.redact(v + v + " " + v)).isEqualTo(MARK + MARK + " " + MARK);
    assertThat(index.redact(v)).isEqualTo(MARK);
  }

  @Test
  void register_callerWipesArray_valueStillMasked() {
    String v = Canaries.canary();
    byte[] bytes = v.getBytes(UTF_8);
    index.register(REF, bytes);
    Arrays.fill(bytes, (byte) 0);
    assertThat(index.redact("x " + v)).isEqualTo("x " + MARK);
  }

  @Test
  void redact_base64Forms_allReplacedWhole() {
    String v = register(Canaries.canary() + "?>~");
    byte[] b = v.getBytes(UTF_8);
    List<String> forms = List.of(
        Base64.getEncoder().encodeToString(b),
        Base64.getEncoder().withoutPadding().encodeToString(b),
        Base64.getUrlEncoder().encodeToString(b),
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        Base64.getEncoder().encodeToString((v + "\n").getBytes(UTF_8)),
        Base64.getEncoder().encodeToString((v + "\r\n").getBytes(UTF_8)));
    for (String form : forms) {
      assertThat(index.redact("b64: " + form + " end")).as(form.length() + "-char form")
          .isEqualTo("b64: " + MARK + " end");
    }
  }

  @Test
  void redact_base64InsideLongerBase64_everyAlignmentMasked() {
    for (int length = 12; length < 15; length++) { // three value lengths, three alignments each
      RedactionIndex idx = RedactionIndex.create();
      byte[] value = Canaries.bytes(length);
      idx.register(REF, value);
      for (int align = 0; align < 3; align++) {
        byte[] blob = new byte[30 + align + value.length];
        byte[] noise = Canaries.bytes(blob.length);
        System.arraycopy(noise, 0, blob, 0, blob.length);
        System.arraycopy(value, 0, blob, 15 + align, value.length);
        // the value starts at byte 15 + align: 15 is a multiple of 3, so align is its alignment
        for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
          String text = enc.encodeToString(blob);
          String out = idx.redact(text);
          assertThat(out).contains(MARK);
          // every character that depends only on the value's bits is gone
          int from = (int) Math.ceil((8.0 * (15 + align)) / 6);
          int to = (8 * (15 + align + length)) / 6;
          String core = text.substring(from, to);
          assertThat(out).doesNotContain(core.substring(0, 8))
              .doesNotContain(core.substring(core.length() - 8));
        }
      }
    }
  }

  @Test
  void redact_urlJsonXmlHexForms_replaced() {
    String v = register("p@ss w0rd/\"quoted\"&<tag>'x'" + Canaries.alnum(8));
    byte[] b = v.getBytes(UTF_8);
    String json = v.replace("\\", "\\\\").replace("\"", "\\\"");
    String xml = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&apos;");
    List<String> forms = List.of(
        URLEncoder.encode(v, UTF_8),
        URLEncoder.encode(v, UTF_8).replace("+", "%20"),
        URLEncoder.encode(v, UTF_8).toLowerCase(Locale.ROOT).replace("+", "%20"),
        json,
        json.replace("/", "\\/"),
        xml,
        xml.replace("&quot;", "&#34;").replace("&apos;", "&#39;"),
        HexFormat.of().formatHex(b),
        HexFormat.of().withUpperCase().formatHex(b));
    for (String form : forms) {
      assertThat(index.redact("[" + form + "]")).as("a form of length " + form.length())
          .isEqualTo("[" + MARK + "]");
    }
  }

  @Test
  void redact_multiLineValue_wholeAndEachLineReplaced() {
    String line1 = "first-line-" + Canaries.alnum(10);
    String line2 = "second-line-" + Canaries.alnum(10);
    register(line1 + "\n" + line2 + "\r\nend");
    assertThat(index.redact("a " + line1 + "\n" + line2 + "\r\nend b")).isEqualTo("a " + MARK + " b");
    assertThat(index.redact("only " + line2 + " here")).isEqualTo("only " + MARK + " here");
    assertThat(index.redact("\"" + line1 + "\\n" + line2 + "\\r\\nend\""))
        .isEqualTo("\"" + MARK + "\"");
    // the short last line is below the minimum length: not masked on its own
    assertThat(index.redact("the end")).isEqualTo("the end");
  }

  @Test
  void redact_nonAsciiValue_maskedInCharsAndUtf8() {
    String v = register("pässwörd-€-𝄞-" + Canaries.alnum(8));
    assertThat(index.redact("é " + v + " ü")).isEqualTo("é " + MARK + " ü");
    byte[] out = index.redactUtf8(("é " + v + " ü").getBytes(UTF_8));
    assertThat(new String(out, UTF_8)).isEqualTo("é " + MARK + " ü");
    String asciiJson = v.chars().mapToObj(c -> c > 0x7E ? String.format("\\u%04x", c)
        : String.valueOf((char) c)).reduce("", String::concat);
    assertThat(index.redact(asciiJson)).isEqualTo(MARK);
  }

  @Test
  void redactUtf8_nothingMatches_returnsSameArray() {
    register(Canaries.canary());
    byte[] text = "plain text line with the sky and key words\n".getBytes(UTF_8);
    assertThat(index.redactUtf8(text)).isSameAs(text);
  }

  @Test
  void register_binaryValue_hexAndBase64Masked() {
    byte[] value = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3, (byte) 0x80, 7, 9, 10, 11, 12};
    index.register(REF, value);
    assertThat(index.redact(HexFormat.of().formatHex(value))).isEqualTo(MARK);
    assertThat(index.redact(Base64.getEncoder().encodeToString(value))).isEqualTo(MARK);
  }

  @Test
  void register_shortValue_maskedAsWholeTokenOnlyAndWarnedOnceWithoutValue() {
    Logger logger = (Logger) LoggerFactory.getLogger(RedactionIndex.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      String shortValue = "Ab3$" + Canaries.alnum(3);
      index.register(REF, shortValue.getBytes(UTF_8));
      index.register(REF, shortValue.getBytes(UTF_8));
      String mark = "[REDACTED:" + REF + "]";
      assertThat(index.redact("v=" + shortValue)).isEqualTo("v=" + mark);
      assertThat(index.redact("password: " + shortValue + ", next")).isEqualTo("password: " + mark + ", next");
      assertThat(index.redact(shortValue)).isEqualTo(mark);
      assertThat(new String(index.redactUtf8(("{\"pw\":\"" + shortValue + "\"}").getBytes(UTF_8)), UTF_8))
          .isEqualTo("{\"pw\":\"" + mark + "\"}");
      // inside a longer word it is not a token: left alone
      assertThat(index.redact("x" + shortValue + "y")).isEqualTo("x" + shortValue + "y");
      assertThat(appender.list).hasSize(1);
      ILoggingEvent event = appender.list.get(0);
      assertThat(event.getFormattedMessage()).contains(REF.toString()).contains("whole token")
          .doesNotContain(shortValue);
      assertThat(index.valueCount()).isOne();
      index.unregister(REF);
      assertThat(index.redact("v=" + shortValue)).isEqualTo("v=" + shortValue);
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void register_valueUnderFourChars_notMaskedAndWarned() {
    Logger logger = (Logger) LoggerFactory.getLogger(RedactionIndex.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      String tiny = Canaries.alnum(3);
      index.register(REF, tiny.getBytes(UTF_8));
      assertThat(index.redact("v=" + tiny)).isEqualTo("v=" + tiny);
      assertThat(index.valueCount()).isZero();
      assertThat(appender.list).singleElement().satisfies(e ->
          assertThat(e.getFormattedMessage()).contains("not masked").doesNotContain(tiny));
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void minValueLength_configured_shorterValuesMasked() {
    RedactionIndex idx = RedactionIndex.create(RedactionOptions.builder().minValueLength(5).build());
    idx.register(REF, "x7Yq2".getBytes(UTF_8));
    assertThat(idx.redact("a x7Yq2 b")).isEqualTo("a " + MARK + " b");
    assertThatThrownBy(() -> RedactionOptions.builder().minValueLength(2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minValueLength");
  }

  @Test
  void unregister_ref_valuesNoLongerMaskedAndCountsDrop() {
    String v1 = register(Canaries.canary());
    String v2 = register(Canaries.canary()); // a rotated version under the same ref
    assertThat(index.valueCount()).isEqualTo(2);
    assertThat(index.redact(v1 + " " + v2)).isEqualTo(MARK + " " + MARK);
    index.unregister(REF);
    assertThat(index.redact(v1 + " " + v2)).isEqualTo(v1 + " " + v2);
    assertThat(index.valueCount()).isZero();
    assertThat(index.patternCount()).isZero();
    assertThat(index.refCount()).isZero();
  }

  @Test
  void register_sameValueTwice_keptOnce() {
    String v = register(Canaries.canary());
    int patterns = index.patternCount();
    register(v);
    assertThat(index.valueCount()).isEqualTo(1);
    assertThat(index.patternCount()).isEqualTo(patterns);
  }

  @Test
  void register_pastMaxValues_leastRecentlyRegisteredDropped() {
    RedactionIndex idx = RedactionIndex.create(RedactionOptions.builder().maxValues(3).build());
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      values.add(Canaries.canary());
      idx.register(SecretRef.parse("mem://v/" + i), values.get(i).getBytes(UTF_8));
      if (i == 2) {
        idx.register(SecretRef.parse("mem://v/0"), values.get(0).getBytes(UTF_8)); // touch
      }
    }
    assertThat(idx.valueCount()).isEqualTo(3);
    assertThat(idx.redact(values.get(1))).isEqualTo(values.get(1)); // the oldest, dropped
    assertThat(idx.redact(values.get(0))).isEqualTo("[REDACTED:mem://v/0]");
    assertThat(idx.redact(values.get(3))).isEqualTo("[REDACTED:mem://v/3]");
  }

  @Test
  void register_pastMaxVersionsPerRef_oldestVersionDropped() {
    RedactionIndex idx = RedactionIndex.create(RedactionOptions.builder().maxVersionsPerRef(2).build());
    String v1 = Canaries.canary();
    String v2 = Canaries.canary();
    String v3 = Canaries.canary();
    for (String v : List.of(v1, v2, v3)) {
      idx.register(REF, v.getBytes(UTF_8));
    }
    assertThat(idx.redact(v1 + " " + v2 + " " + v3)).isEqualTo(v1 + " " + MARK + " " + MARK);
  }

  @Test
  void toString_showsCountsOnly() {
    String v = register(Canaries.canary());
    assertThat(index.toString()).startsWith("RedactionIndex[refs=1, values=1, patterns=")
        .doesNotContain(v).doesNotContain(REF.toString());
  }

  @Test
  void findAll_reportsSpansRefsAndDetectorsWithoutValues() {
    String v = register(Canaries.canary());
    String aws = "AKIA" + "ABCDEFGHIJKLMNOP".toUpperCase(Locale.ROOT).replace('O', '2');
    String text = "k=" + v + " aws=" + aws;
    List<RedactionMatch> matches = index.findAll(text);
    assertThat(matches).hasSize(2);
    assertThat(matches.get(0).kind()).isEqualTo(RedactionMatch.Kind.SECRET_VALUE);
    assertThat(matches.get(0).ref()).contains(REF);
    assertThat(matches.get(0).start()).isEqualTo(2);
    assertThat(matches.get(0).end()).isEqualTo(2 + v.length());
    assertThat(matches.get(1).detector()).contains(TokenDetector.AWS_ACCESS_KEY_ID);
    assertThat(matches.get(1).label()).isEqualTo("aws-access-key-id");
    assertThat(matches.toString()).doesNotContain(v).doesNotContain(aws);
    assertThat(index.redact(text)).isEqualTo("k=" + MARK + " aws=[REDACTED:aws-access-key-id]");
  }

  @Test
  void redact_overlappingValues_mergedIntoOneMark() {
    String a = Canaries.alnum(12);
    String b = Canaries.alnum(12);
    index.register(REF, (a + b).getBytes(UTF_8));
    index.register(SecretRef.parse("mem://test/other"), (b + "tail-tail").getBytes(UTF_8));
    String out = index.redact("<" + a + b + "tail-tail>");
    assertThat(out).isEqualTo("<" + MARK + ">");
  }

  @Test
  void redact_manyValuesSharingAPrefix_eachMaskedAndOthersUntouched() {
    RedactionIndex idx = RedactionIndex.create();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      values.add("sk-proj-" + Canaries.alnum(40));
      idx.register(SecretRef.parse("mem://shared/" + i), values.get(i).getBytes(UTF_8));
    }
    String unregistered = "sk-proj-" + Canaries.alnum(40);
    idx.register(SecretRef.parse("mem://other/x"), Canaries.canary().getBytes(UTF_8));
    for (int i = 0; i < 500; i += 37) {
      assertThat(idx.redact("a " + values.get(i) + " b")).isEqualTo("a [REDACTED:mem://shared/" + i + "] b");
    }
    // not registered, but an OpenAI key format: the detector masks it
    assertThat(idx.redact(unregistered)).isEqualTo("[REDACTED:openai-api-key]");
  }

  @Test
  void register_tenThousandValues_allMaskedAndUnregisteredTextUntouched() {
    RedactionIndex idx = RedactionIndex.create();
    int n = 10_000;
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      values[i] = Canaries.alnum(32);
      idx.register(SecretRef.parse("mem://bulk/" + i), values[i].getBytes(UTF_8));
    }
    assertThat(idx.valueCount()).isEqualTo(n);
    StringBuilder text = new StringBuilder();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < n; i += 7) {
      text.append("line ").append(i).append(": ").append(values[i]).append('\n');
      expected.append("line ").append(i).append(": [REDACTED:mem://bulk/").append(i).append("]\n");
    }
    assertThat(idx.redact(text)).isEqualTo(expected.toString());
    String clean = "nothing secret here, only words and numbers 1234567890 ".repeat(50);
    assertThat(idx.redact(clean)).isSameAs(clean);
    String fresh = Canaries.alnum(32);
    assertThat(idx.redact("x " + fresh)).isEqualTo("x " + fresh);
    for (int i = 0; i < n; i += 2) {
      idx.unregister(SecretRef.parse("mem://bulk/" + i));
    }
    assertThat(idx.redact(values[2] + " " + values[3])).isEqualTo(values[2] + " [REDACTED:mem://bulk/3]");
  }

  @Test
  void detectorsOption_empty_onlyValuesMasked() {
    RedactionIndex idx = RedactionIndex.create(RedactionOptions.builder().detectors(Set.of()).build());
    String token = "ghp_" + Canaries.alnum(36);
    assertThat(idx.redact(token)).isSameAs(token);
    assertThat(index.redact(token)).isEqualTo("[REDACTED:github-token]");
  }

  @Test
  void register_nulls_rejected() {
    assertThatThrownBy(() -> index.register(null, new byte[8])).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> index.register(REF, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> index.redact(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void global_isSingleton() {
    assertThat(RedactionIndex.global()).isSameAs(RedactionIndex.global()).isNotSameAs(index);
  }

  @Test
  void registerUnregister_churn_tableRebuiltAndStillCorrect() {
    RedactionIndex idx = RedactionIndex.create();
    String[] values = new String[3000];
    for (int i = 0; i < values.length; i++) {
      values[i] = Canaries.alnum(20);
      idx.register(SecretRef.parse("mem://churn/" + i), values[i].getBytes(UTF_8));
      if (i >= 10) {
        idx.unregister(SecretRef.parse("mem://churn/" + (i - 10)));
      }
    }
    assertThat(idx.valueCount()).isEqualTo(10);
    assertThat(idx.patternCount()).isEqualTo(10 * 5); // raw, hex, base64 at three alignments
    for (int i = 0; i < values.length; i += 97) {
      String expected = i >= values.length - 10 ? "[REDACTED:mem://churn/" + i + "]" : values[i];
      assertThat(idx.redact(values[i])).isEqualTo(expected);
    }
    assertThat(idx.redact(values[values.length - 1])).isEqualTo("[REDACTED:mem://churn/2999]");
  }
}
