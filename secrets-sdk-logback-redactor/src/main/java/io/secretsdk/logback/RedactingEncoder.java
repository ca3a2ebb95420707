package io.secretsdk.logback;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.joran.spi.DefaultClass;
import ch.qos.logback.core.spi.LifeCycle;
import io.secretsdk.redact.RedactionIndex;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A Logback encoder that wraps any other encoder and redacts its final output: every registered
 * secret value (and its base64, URL-encoded, JSON- and XML-escaped and hex forms) becomes
 * {@code [REDACTED:<ref>]} and every well-known token format {@code [REDACTED:<detector>]}.
 * Because it works on the bytes the wrapped encoder produced, the message, its arguments, MDC
 * values, markers, key-value pairs and stack traces (messages of causes and suppressed exceptions
 * included) are all covered, for pattern layouts and JSON encoders alike.
 *
 * <pre>{@code
 * <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
 *   <encoder class="io.secretsdk.logback.RedactingEncoder">
 *     <encoder class="ch.qos.logback.classic.encoder.PatternLayoutEncoder">
 *       <pattern>%d %-5level %logger - %msg%n</pattern>
 *     </encoder>
 *   </encoder>
 * </appender>
 * }</pre>
 *
 * <p>The nested encoder defaults to {@link PatternLayoutEncoder} when its {@code class} is left
 * out. Values are looked up in {@link RedactionIndex#global()} unless {@link #setIndex} says
 * otherwise; a value registered at any time is masked from the moment its registration returns.
 * The wrapped encoder's output is matched as UTF-8 (the default of Logback's and
 * logstash-logback-encoder's encoders) or, for a {@link LayoutWrappingEncoder} with another
 * charset, decoded and re-encoded in that charset. When nothing matches, the wrapped encoder's
 * byte array is returned as is.
 *
 * <p>Thread-safe as far as the wrapped encoder is: Logback appenders call encoders under their
 * own lock.
 */
public class RedactingEncoder extends EncoderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> encoder;
  private volatile RedactionIndex index = RedactionIndex.global();
  private Charset charset = StandardCharsets.UTF_8;

  /** Logback instantiates the encoder by class name from the appender's {@code <encoder>}. */
  public RedactingEncoder() {}

  /** The encoder whose output is redacted; set from the nested {@code <encoder>} element. */
  @DefaultClass(PatternLayoutEncoder.class)
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  /** The wrapped encoder, or {@code null} before configuration. */
  public Encoder<ILoggingEvent> getEncoder() {
    return encoder;
  }

  /**
   * The index to redact against (default: {@link RedactionIndex#global()}); for programmatic
   * set-up and tests.
   *
   * @throws NullPointerException if {@code index} is null
   */
  public void setIndex(RedactionIndex index) {
    this.index = Objects.requireNonNull(index, "index");
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("No nested <encoder> set for the RedactingEncoder: nothing to wrap");
      return;
    }
    if (encoder.getContext() == null) {
      encoder.setContext(getContext());
    }
    if (encoder instanceof LifeCycle && !encoder.isStarted()) {
      encoder.start();
    }
    if (encoder instanceof LayoutWrappingEncoder) {
      Charset cs = ((LayoutWrappingEncoder<?>) encoder).getCharset();
      charset = cs != null ? cs : Charset.defaultCharset();
    }
    super.start();
  }

  @Override
  public void stop() {
    super.stop();
    if (encoder != null) {
      encoder.stop();
    }
  }

  @Override
  public byte[] headerBytes() {
    return redact(encoder.headerBytes());
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return redact(encoder.encode(event));
  }

  @Override
  public byte[] footerBytes() {
    return redact(encoder.footerBytes());
  }

  private byte[] redact(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return bytes;
    }
    if (charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)) {
      return index.redactUtf8(bytes);
    }
    String text = new String(bytes, charset);
    String redacted = index.redact(text);
    return redacted == text ? bytes : redacted.getBytes(charset);
  }
}
