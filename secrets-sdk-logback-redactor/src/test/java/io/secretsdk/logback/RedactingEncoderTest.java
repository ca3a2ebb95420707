package io.secretsdk.logback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.security.SecureRandom;
import java.util.Base64;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;

final class RedactingEncoderTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/openai/ci#api_key");
  private static final String MARK = "[REDACTED:vault://secret/openai/ci#api_key]";

  private final RedactionIndex index = RedactionIndex.create();
  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

  static String canary() {
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder("CANARY");
    for (int i = 0; i < 24; i++) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  private String register(String value) {
    index.register(REF, value.getBytes(UTF_8));
    return value;
  }

  RedactingEncoderTest() {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.start();
  }

  private Logger logger(Encoder<ILoggingEvent> inner) {
    inner.setContext(context);
    inner.start();
    return TestLogging.logger(context, "test.redact", TestLogging.redacting(context, inner, index),
        sink);
  }

  private Logger patternLogger(String pattern) {
    PatternLayoutEncoder inner = new PatternLayoutEncoder();
    inner.setPattern(pattern);
    return logger(inner);
  }

  private String output() {
    return sink.toString(UTF_8);
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  @Test
  void encode_valueInMessageArgumentMdcAndMarker_allRedacted() {
    String v = register(canary());
    Logger log = patternLogger("%level %marker %mdc %kvp - %msg%n");
    log.info("message " + v);
    log.info("argument {} and {}", v, 42);
    context.getMDCAdapter().put("token", v);
    log.info("mdc");
    context.getMDCAdapter().clear();
    log.info(MarkerFactory.getDetachedMarker("m-" + v), "marker");
    log.atInfo().addKeyValue("k", v).log("kvp");

    assertThat(output()).doesNotContain(v)
        .contains("message " + MARK, "argument " + MARK + " and 42", "token=" + MARK,
            "m-" + MARK, "k=\"" + MARK + "\"");
  }

  @Test
  void encode_valueInExceptionCauseAndSuppressed_allRedacted() {
    String v1 = register(canary());
    String v2 = canary();
    String v3 = canary();
    index.register(SecretRef.parse("aws-sm://prod/stripe#api_key"), v2.getBytes(UTF_8));
    index.register(SecretRef.parse("op://Prod/Stripe/credential"), v3.getBytes(UTF_8));
    Logger log = patternLogger("%msg%n%ex");
    IllegalStateException e = new IllegalStateException("outer " + v1,
        new IOException("cause " + v2));
    e.addSuppressed(new RuntimeException("suppressed " + v3));
    log.error("failed", e);

    assertThat(output()).doesNotContain(v1).doesNotContain(v2).doesNotContain(v3)
        .contains("outer " + MARK)
        .contains("cause [REDACTED:aws-sm://prod/stripe#api_key]")
        .contains("suppressed [REDACTED:op://Prod/Stripe/credential]")
        .contains("at io.secretsdk.logback.RedactingEncoderTest");
  }

  @Test
  void encode_multiLineValueAndItsLines_redacted() {
    String line1 = "-----" + canary();
    String line2 = canary() + "=====";
    register(line1 + "\n" + line2);
    Logger log = patternLogger("%msg%n");
    log.info("whole:\n" + line1 + "\n" + line2 + "\nend");
    log.info("one line: " + line2);

    assertThat(output()).doesNotContain(line1).doesNotContain(line2)
        .isEqualTo("whole:\n" + MARK + "\nend\none line: " + MARK + "\n");
  }

  @Test
  void encode_base64AndUrlEncodedForms_redacted() {
    String v = register(canary() + "/+ &?");
    Logger log = patternLogger("%msg%n");
    String b64 = Base64.getEncoder().encodeToString(v.getBytes(UTF_8));
    String b64url = Base64.getUrlEncoder().withoutPadding().encodeToString(v.getBytes(UTF_8));
    String url = URLEncoder.encode(v, UTF_8);
    log.info("basic {}", b64);
    log.info("url-safe {}", b64url);
    log.info("query ?key={}&x=1", url);

    assertThat(output()).doesNotContain(b64.substring(0, 20)).doesNotContain(b64url.substring(0, 20))
        .doesNotContain(url)
        .isEqualTo("basic " + MARK + "\nurl-safe " + MARK + "\nquery ?key=" + MARK + "&x=1\n");
  }

  @Test
  void encode_logstashJson_jsonEscapedValueRedactedAndJsonStillValid() throws IOException {
    String v = register("quote\"back\\slash\ttab-" + canary());
    Logger log = logger(new LogstashEncoder());
    context.getMDCAdapter().put("secret", v);
    log.info("value {} in json", v, new IllegalArgumentException("bad " + v));
    context.getMDCAdapter().clear();

    String json = output();
    String escaped = v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t");
    assertThat(json).doesNotContain(escaped).doesNotContain(v.substring(v.length() - 20));
    JsonNode node = new ObjectMapper().readTree(json);
    assertThat(node.get("message").asText()).isEqualTo("value " + MARK + " in json");
    assertThat(node.get("secret").asText()).isEqualTo(MARK);
    assertThat(node.get("stack_trace").asText()).contains("bad " + MARK);
  }

  @Test
  void encode_tokenFormatNeverRegistered_redactedByDetector() {
    Logger log = patternLogger("%msg%n");
    String token = "ghp" + "_" + canary().substring(0, 30) + "abcdef";
    log.info("auth header: Bearer {}", token);
    assertThat(output()).isEqualTo("auth header: Bearer [REDACTED:github-token]\n");
  }

  @Test
  void encode_nothingToRedact_sameBytesAsWrappedEncoder() {
    register(canary());
    PatternLayoutEncoder plain = new PatternLayoutEncoder();
    plain.setPattern("%msg%n");
    plain.setContext(context);
    plain.start();
    RedactingEncoder encoder = TestLogging.redacting(context, plain, index);
    ILoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
        "fqcn", context.getLogger("x"), ch.qos.logback.classic.Level.INFO, "plain text", null, null);
    assertThat(encoder.encode(event)).isEqualTo("plain text\n".getBytes(UTF_8));
  }

  @Test
  void headerAndFooter_redacted() {
    String v = register(canary());
    PatternLayoutEncoder inner = new PatternLayoutEncoder();
    inner.setPattern("%msg%n");
    inner.setContext(context);
    inner.start();
    ((PatternLayout) inner.getLayout()).setFileHeader("header " + v);
    ((PatternLayout) inner.getLayout()).setFileFooter("footer " + v);
    RedactingEncoder encoder = TestLogging.redacting(context, inner, index);
    assertThat(new String(encoder.headerBytes(), UTF_8)).startsWith("header " + MARK);
    assertThat(new String(encoder.footerBytes(), UTF_8)).startsWith("footer " + MARK);
  }

  @Test
  void start_withoutNestedEncoder_notStartedAndErrorReported() {
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    encoder.start();
    assertThat(encoder.isStarted()).isFalse();
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .anySatisfy(s -> assertThat(s.getMessage()).contains("No nested <encoder>"));
  }

  @Test
  void encode_charsetOtherThanUtf8_redactedInThatCharset() {
    String v = register("välue-" + canary());
    PatternLayoutEncoder inner = new PatternLayoutEncoder();
    inner.setPattern("%msg%n");
    inner.setCharset(java.nio.charset.StandardCharsets.ISO_8859_1);
    Logger log = logger(inner);
    log.info("x {}", v);
    assertThat(sink.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("x " + MARK + "\n");
  }

  @Test
  void joran_nestedEncoderWithoutClass_defaultsToPatternLayoutEncoder() throws Exception {
    String v = canary();
    SecretRef ref = SecretRef.parse("mem://joran/default-class");
    RedactionIndex.global().register(ref, v.getBytes(UTF_8));
    String xml = "<configuration><appender name='OUT' class='ch.qos.logback.core.ConsoleAppender'>"
        + "<encoder class='io.secretsdk.logback.RedactingEncoder'><encoder><pattern>%msg%n</pattern>"
        + "</encoder></encoder></appender><root level='INFO'><appender-ref ref='OUT'/></root>"
        + "</configuration>";
    java.io.PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true, UTF_8));
    try {
      ch.qos.logback.classic.joran.JoranConfigurator configurator =
          new ch.qos.logback.classic.joran.JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(new java.io.ByteArrayInputStream(xml.getBytes(UTF_8)));
      context.getLogger("joran").info("v={}", v);
    } finally {
      System.setOut(saved);
      RedactionIndex.global().unregister(ref);
    }
    assertThat(out.toString(UTF_8)).isEqualTo("v=[REDACTED:mem://joran/default-class]\n");
  }

  @Test
  void stop_stopsWrappedEncoder() {
    PatternLayoutEncoder inner = new PatternLayoutEncoder();
    inner.setPattern("%msg%n");
    inner.setContext(context);
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    encoder.setEncoder(inner);
    encoder.start();
    assertThat(inner.isStarted()).isTrue();
    assertThat(encoder.isStarted()).isTrue();
    encoder.stop();
    assertThat(inner.isStarted()).isFalse();
    assertThat(encoder.isStarted()).isFalse();
  }
}
