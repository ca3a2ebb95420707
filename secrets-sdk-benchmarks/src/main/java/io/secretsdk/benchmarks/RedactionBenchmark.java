package io.secretsdk.benchmarks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import io.secretsdk.SecretRef;
import io.secretsdk.logback.RedactingEncoder;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.redact.RedactionOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question 4: what does redacting a log line cost, and does it grow with the number of secrets?
 * One 200-byte INFO message, encoded again and again.
 *
 * <ul>
 *   <li>{@code pattern}: Logback's {@code PatternLayoutEncoder}
 *       ({@value #PATTERN}); {@code pattern-redacting}: the same inside our
 *       {@link RedactingEncoder};
 *   <li>{@code json}: logstash-logback-encoder's {@code LogstashEncoder};
 *       {@code json-redacting}: the same inside our {@link RedactingEncoder};
 *   <li>{@code json-logstash-masking}: {@code LogstashEncoder} with logstash-logback-encoder's own
 *       value masking ({@code MaskingJsonGeneratorDecorator}, one quoted literal per registered
 *       value — its values are regular expressions);
 *   <li>diagnostics, not encoders: {@code index-scan} is {@link RedactionIndex#redactUtf8} alone
 *       on the pattern encoder's output line, {@code index-scan-no-detectors} the same with an
 *       index that has no token detectors, so the cost splits into value matching and detectors;
 *   <li>{@code registered}: how many distinct 40-byte values are registered (in a private
 *       {@link RedactionIndex} for ours); {@code message}: {@code clean}, or {@code with-value}
 *       (one registered value inside the 200 bytes). The plain encoders ignore both.
 * </ul>
 *
 * <p>Set-up checks that a masked output never contains the value, and that a clean message
 * comes out byte for byte as the plain encoder writes it.
 *
 * <p>Target (DESIGN.md): {@code *-redacting} within 1.25x of the plain encoder with 1,000 values,
 * and the same cost with 10 or 10,000.
 *
 * <pre>{@code
 * java -jar secrets-sdk-benchmarks/target/benchmarks.jar RedactionBenchmark \
 *     -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc -rf json -rff target/redaction.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class RedactionBenchmark {
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";
  static final int MESSAGE_LENGTH = 200;

  @Param({"pattern", "pattern-redacting", "json", "json-redacting", "json-logstash-masking",
      "index-scan", "index-scan-no-detectors"})
  public String impl;

  @Param({"10", "1000", "10000"})
  public int registered;

  @Param({"clean", "with-value"})
  public String message;

  private LoggerContext context;
  private Encoder<ILoggingEvent> encoder;
  private Supplier<byte[]> scan;
  private ILoggingEvent event;
  String value;

  @Setup
  public void setUp() {
    context = new LoggerContext();
    String[] values = new String[registered];
    RedactionIndex index = impl.equals("index-scan-no-detectors")
        ? RedactionIndex.create(RedactionOptions.builder().detectors(Set.of()).build())
        : RedactionIndex.create();
    boolean usesIndex = impl.endsWith("-redacting") || impl.startsWith("index-scan");
    for (int i = 0; i < registered; i++) {
      String path = "redact/vendor-" + i;
      values[i] = new String(CountingProvider.valueOf(path), StandardCharsets.US_ASCII);
      if (usesIndex) {
        index.register(SecretRef.parse(CountingProvider.SCHEME + "://" + path),
            CountingProvider.valueOf(path));
      }
    }
    value = values[registered / 2];
    event = event(context, message(message.equals("with-value") ? value : null));
    if (impl.startsWith("index-scan")) {
      Encoder<ILoggingEvent> plain = encoder("pattern", context, index, values);
      byte[] line = plain.encode(event);
      plain.stop();
      scan = () -> index.redactUtf8(line);
      byte[] out = scan.get();
      if (message.equals("with-value")
          ? new String(out, StandardCharsets.UTF_8).contains(value) : out != line) {
        throw new IllegalStateException(impl + " did not mask the value, or changed a clean line");
      }
      return;
    }
    encoder = encoder(impl, context, index, values);
    Encoder<ILoggingEvent> plain = encoder(impl.startsWith("pattern") ? "pattern" : "json",
        context, index, values);
    String out = new String(encoder.encode(event), StandardCharsets.UTF_8);
    boolean masking = impl.endsWith("-redacting") || impl.endsWith("-masking");
    if (masking && out.contains(value)) {
      throw new IllegalStateException(impl + " left a registered value in its output");
    }
    if (message.equals("clean")
        && !out.equals(new String(plain.encode(event), StandardCharsets.UTF_8))) {
      throw new IllegalStateException(impl + " changed a message that holds no value");
    }
    plain.stop();
  }

  /** The message: 200 bytes of request log text, with {@code value} in its middle when given. */
  static String message(String value) {
    StringBuilder sb = new StringBuilder(
        "order 48213 for customer 7731 charged via upstream payments-eu-west-1 in 12 ms, attempt 1,"
        + " idempotency key 5f1c2a; token ");
    sb.append(value != null ? value : "not-logged-here-only-its-reference-is-fine");
    sb.append(" response 201 created, retries 0, cache miss, region eu-west-1, shard 17");
    while (sb.length() < MESSAGE_LENGTH) {
      sb.append('.');
    }
    sb.setLength(MESSAGE_LENGTH);
    return sb.toString();
  }

  static ILoggingEvent event(LoggerContext context, String message) {
    LoggingEvent e = new LoggingEvent(RedactionBenchmark.class.getName(),
        context.getLogger("io.example.orders.OrderService"), Level.INFO, message, null, null);
    e.setInstant(Instant.parse("2026-11-23T00:30:00.123Z"));
    e.setThreadName("http-nio-8080-exec-7");
    e.setMDCPropertyMap(Map.of("traceId", "4bf92f3577b34da6a3ce929d0e0e4736"));
    e.getFormattedMessage(); // computed once, as an appender's first encoder would
    return e;
  }

  static Encoder<ILoggingEvent> encoder(String impl, LoggerContext context, RedactionIndex index,
      String[] values) {
    switch (impl) {
      case "pattern":
        return pattern(context);
      case "json":
        return json(context);
      case "pattern-redacting":
        return redacting(pattern(context), context, index);
      case "json-redacting":
        return redacting(json(context), context, index);
      case "json-logstash-masking":
        MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
        for (String v : values) {
          masking.addValue(Pattern.quote(v));
        }
        masking.start();
        LogstashEncoder e = new LogstashEncoder();
        e.setContext(context);
        e.setJsonGeneratorDecorator(masking);
        e.start();
        return e;
      default:
        throw new IllegalArgumentException("impl " + impl);
    }
  }

  private static PatternLayoutEncoder pattern(LoggerContext context) {
    PatternLayoutEncoder e = new PatternLayoutEncoder();
    e.setContext(context);
    e.setPattern(PATTERN);
    e.start();
    return e;
  }

  private static LogstashEncoder json(LoggerContext context) {
    LogstashEncoder e = new LogstashEncoder();
    e.setContext(context);
    e.start();
    return e;
  }

  private static RedactingEncoder redacting(Encoder<ILoggingEvent> inner, LoggerContext context,
      RedactionIndex index) {
    RedactingEncoder r = new RedactingEncoder();
    r.setContext(context);
    r.setEncoder(inner);
    r.setIndex(index);
    r.start();
    return r;
  }

  @TearDown
  public void tearDown() {
    if (encoder != null) {
      encoder.stop();
    }
    context.stop();
  }

  /** One log line encoded. */
  @Benchmark
  public byte[] encode() {
    return scan != null ? scan.get() : encoder.encode(event);
  }
}
