package io.secretsdk.logback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each form a program commonly writes a resolved value in, logged through the pattern encoder,
 * logstash-logback-encoder and Logback's JSON encoder (UTF-8, and US-ASCII where the encoder
 * supports it): masked, and JSON lines stay JSON.
 */
final class RedactingEncoderFormsTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger PATHS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static MemSecretProvider mem;
  private static SecretsClient client;

  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

  RedactingEncoderFormsTest() {
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.start();
  }

  @BeforeAll
  static void client() {
    mem = MemSecretProvider.create();
    client = SecretsClient.builder().provider(mem).build();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  private static String random(int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private record Resolved(String value, String core, String mask) {}

  /** A value with JSON/XML-special and non-ASCII characters around a random core. */
  private static Resolved resolve(String core, String value) {
    String path = "forms/f" + PATHS.incrementAndGet();
    mem.put(path, value);
    try (Secret secret = client.resolve("mem://" + path)) {
      assertThat(secret.reveal()).isEqualTo(value);
    }
    return new Resolved(value, core, "[REDACTED:mem://" + path + "]");
  }

  private static Resolved awkward() {
    String core = random(20);
    return resolve(core, "p\"w\\<&>'é" + core + "\uD83D\uDE00");
  }

  private static String json(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The forms, each a function of the value, named for failure messages. */
  private static Map<String, java.util.function.Function<String, String>> forms() {
    Map<String, java.util.function.Function<String, String>> forms = new LinkedHashMap<>();
    forms.put("raw", v -> v);
    forms.put("JSON string", v -> json(v));
    forms.put("JSON string in a JSON string", v -> json("{\"password\":" + json(v) + "}"));
    forms.put("XML text", v -> v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
    forms.put("HTML attribute", v -> v.replace("&", "&amp;").replace("\"", "&quot;")
        .replace("'", "&#39;").replace("<", "&lt;"));
    forms.put("MIME base64", v -> Base64.getMimeEncoder().encodeToString(
        (random(RANDOM.nextInt(90)) + v).getBytes(UTF_8)));
    forms.put("MIME base64 CRLF at 64", v -> new String(Base64.getMimeEncoder(64,
        "\r\n".getBytes(UTF_8)).encode((random(RANDOM.nextInt(90)) + v).getBytes(UTF_8)), UTF_8));
    forms.put("Arrays.toString(byte[])", v -> Arrays.toString(v.getBytes(UTF_8)));
    forms.put("Arrays.toString(char[])", v -> Arrays.toString(v.toCharArray()));
    forms.put("\\u escapes", v -> v.chars().mapToObj(c -> String.format("\\u%04x", c))
        .collect(Collectors.joining()));
    return forms;
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String encoder : List.of("pattern", "logstash", "logback-json")) {
      for (String charset : List.of("UTF-8", "US-ASCII")) {
        if (!encoder.equals("pattern") && !charset.equals("UTF-8")) {
          continue; // the JSON encoders write UTF-8 (logstash's other encodings are broken upstream)
        }
        for (String form : forms().keySet()) {
          cases.add(Arguments.of(encoder, charset, form));
        }
      }
    }
    return cases.stream();
  }

  private Encoder<ILoggingEvent> encoder(String kind, Charset charset) {
    Supplier<Encoder<ILoggingEvent>> make = switch (kind) {
      case "pattern" -> () -> {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setPattern("%level %msg%n");
        e.setCharset(charset);
        return e;
      };
      case "logstash" -> LogstashEncoder::new;
      default -> JsonEncoder::new;
    };
    Encoder<ILoggingEvent> inner = make.get();
    inner.setContext(context);
    inner.start();
    return TestLogging.redacting(context, inner, null);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void formOfResolvedValue_masked(String encoderKind, String charsetName, String formName)
      throws Exception {
    Charset charset = Charset.forName(charsetName);
    Resolved r = awkward();
    String form = forms().get(formName).apply(r.value());
    Logger log = TestLogging.logger(context, "test.forms", encoder(encoderKind, charset), sink);
    log.info("payload: {} end", form);
    String out = sink.toString(charset);
    assertThat(out.contains(r.core())).as("random core of the value in the output").isFalse();
    assertThat(out.contains(form)).as("the %s form in the output", formName).isFalse();
    if (!encoderKind.equals("pattern")) {
      // one JSON object, and none of its decoded strings holds the value
      com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(out);
      assertThat(node.isObject()).as("still one JSON object").isTrue();
      List<String> texts = new ArrayList<>();
      collectTexts(node, texts);
      assertThat(texts).isNotEmpty().noneMatch(t -> t.contains(r.core()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("encoders")
  void shortValueAsWholeToken_masked(String encoderKind) throws Exception {
    String core = random(6);
    Resolved r = resolve(core, core);
    Logger log = TestLogging.logger(context, "test.short", encoder(encoderKind,
        StandardCharsets.UTF_8), sink);
    log.info("db password={} connecting", r.value());
    log.info("json {}", json("{\"pw\":\"" + r.value() + "\"}"));
    String out = sink.toString(UTF_8);
    assertThat(out.contains(core)).as("short value in the output").isFalse();
    assertThat(out).contains(r.mask());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("encoders")
  void privateKeyInEscapedMultiLineString_masked(String encoderKind) throws Exception {
    byte[] der = new byte[256];
    RANDOM.nextBytes(der);
    String body = Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(der);
    String pem = "-----BEGIN " + "PRIVATE KEY-----\n" + body + "\n-----END " + "PRIVATE KEY-----\n";
    Logger log = TestLogging.logger(context, "test.pem", encoder(encoderKind, UTF_8), sink);
    log.info("config {}", json("{\"key\":" + json(pem) + "}"));
    String out = sink.toString(UTF_8);
    assertThat(out.contains(body.substring(0, 48))).as("key material in the output").isFalse();
    assertThat(out).contains("[REDACTED:private-key]");
  }

  private static void collectTexts(com.fasterxml.jackson.databind.JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.asText());
    }
    node.forEach(child -> collectTexts(child, out));
  }

  static Stream<String> encoders() {
    return Stream.of("pattern", "logstash", "logback-json");
  }
}
