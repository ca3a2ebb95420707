package io.secretsdk.logback;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.joran.spi.DefaultClass;
import ch.qos.logback.core.spi.LifeCycle;
import io.secretsdk.redact.RedactionIndex;
import java.lang.reflect.Method;
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
 *
 * <p>Any charset is covered. When the wrapped encoder writes UTF-8 (the default of Logback's
 * encoders, including {@code JsonEncoder}, and of logstash-logback-encoder's) its bytes are
 * redacted as they are, and when nothing matches its byte array is returned as is. A
 * {@link LayoutWrappingEncoder} (such as {@link PatternLayoutEncoder}) with any other
 * {@code <charset>} — US-ASCII, ISO-8859-1, windows-1252, UTF-16, or the platform default when
 * none is set — has its layout's text redacted <em>before</em> it is encoded to that charset, so a
 * value whose characters the charset cannot represent (written as {@code ?} otherwise) is masked
 * too. Other encoders that declare their charset through a {@code getCharset()} or
 * {@code getEncoding()} property (logstash-logback-encoder's {@code <encoding>}: UTF-16 and
 * UTF-32) have their output decoded with it, redacted and re-encoded.
 *
 * <p>Thread-safe as far as the wrapped encoder is: Logback appenders call encoders under their
 * own lock.
 */
public class RedactingEncoder extends EncoderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> encoder;
  private volatile RedactionIndex index = RedactionIndex.global();
  /** The charset the wrapped encoder writes; UTF-8 selects the byte path. */
  private Charset charset = StandardCharsets.UTF_8;
  /** Set when the layout's text is redacted before it is encoded to {@link #charset}. */
  private Layout<ILoggingEvent> layout;

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
    charset = charsetOf(encoder);
    layout = null;
    if (!charset.equals(StandardCharsets.UTF_8) && encoder instanceof LayoutWrappingEncoder
        && encodesThroughLayout(encoder.getClass())) {
      layout = ((LayoutWrappingEncoder<ILoggingEvent>) encoder).getLayout();
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
    Layout<ILoggingEvent> l = layout;
    if (l == null) {
      return redact(encoder.headerBytes());
    }
    // as LayoutWrappingEncoder.headerBytes() builds it
    StringBuilder sb = new StringBuilder();
    appendIfNotNull(sb, l.getFileHeader());
    appendIfNotNull(sb, l.getPresentationHeader());
    if (sb.length() > 0) {
      sb.append(CoreConstants.LINE_SEPARATOR);
    }
    return encodeRedacted(sb);
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    Layout<ILoggingEvent> l = layout;
    if (l == null) {
      return redact(encoder.encode(event));
    }
    return encodeRedacted(l.doLayout(event));
  }

  @Override
  public byte[] footerBytes() {
    Layout<ILoggingEvent> l = layout;
    if (l == null) {
      return redact(encoder.footerBytes());
    }
    // as LayoutWrappingEncoder.footerBytes() builds it
    StringBuilder sb = new StringBuilder();
    appendIfNotNull(sb, l.getPresentationFooter());
    appendIfNotNull(sb, l.getFileFooter());
    return encodeRedacted(sb);
  }

  /** The text redacted, then encoded: a value the charset cannot represent is masked first. */
  private byte[] encodeRedacted(CharSequence text) {
    return index.redact(text).getBytes(charset);
  }

  private byte[] redact(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return bytes;
    }
    if (charset.equals(StandardCharsets.UTF_8)) {
      return index.redactUtf8(bytes);
    }
    String text = new String(bytes, charset);
    String redacted = index.redact(text);
    return redacted == text ? bytes : redacted.getBytes(charset);
  }

  private static void appendIfNotNull(StringBuilder sb, String s) {
    if (s != null) {
      sb.append(s);
    }
  }

  /**
   * Whether {@code type} keeps LayoutWrappingEncoder's own {@code encode}, {@code headerBytes}
   * and {@code footerBytes}, so that encoding the redacted layout text is what it would write.
   */
  private static boolean encodesThroughLayout(Class<?> type) {
    try {
      return type.getMethod("encode", Object.class).getDeclaringClass()
              == LayoutWrappingEncoder.class
          && type.getMethod("headerBytes").getDeclaringClass() == LayoutWrappingEncoder.class
          && type.getMethod("footerBytes").getDeclaringClass() == LayoutWrappingEncoder.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * The charset {@code encoder} writes: a LayoutWrappingEncoder's {@code charset} (the platform
   * default when unset), else the value of a public {@code getCharset()} or {@code getEncoding()}
   * (logstash-logback-encoder), else UTF-8.
   */
  private Charset charsetOf(Encoder<ILoggingEvent> encoder) {
    if (encoder instanceof LayoutWrappingEncoder) {
      Charset cs = ((LayoutWrappingEncoder<?>) encoder).getCharset();
      return cs != null ? cs : Charset.defaultCharset();
    }
    for (String getter : new String[] {"getCharset", "getEncoding"}) {
      Method method;
      try {
        method = encoder.getClass().getMethod(getter);
      } catch (NoSuchMethodException e) {
        continue;
      }
      try {
        Object value = method.invoke(encoder);
        if (value instanceof Charset) {
          return (Charset) value;
        }
        if (value instanceof String) {
          return Charset.forName((String) value);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        addWarn("Could not read " + getter + "() of " + encoder.getClass().getName()
            + "; matching its output as UTF-8");
        return StandardCharsets.UTF_8;
      }
    }
    return StandardCharsets.UTF_8;
  }
}
