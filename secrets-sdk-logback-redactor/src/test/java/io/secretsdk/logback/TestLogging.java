package io.secretsdk.logback;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.secretsdk.redact.RedactionIndex;
import java.io.OutputStream;

/** Programmatic Logback set-up shared by the encoder tests. */
final class TestLogging {
  private TestLogging() {}

  /** A started RedactingEncoder around {@code inner}, against {@code index} (null: the global one). */
  static RedactingEncoder redacting(LoggerContext context, Encoder<ILoggingEvent> inner,
      RedactionIndex index) {
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    if (index != null) {
      encoder.setIndex(index);
    }
    encoder.setEncoder(inner);
    encoder.start();
    return encoder;
  }

  /** A non-additive logger writing through {@code encoder} to {@code sink}. */
  static Logger logger(LoggerContext context, String name, Encoder<ILoggingEvent> encoder,
      OutputStream sink) {
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(sink);
    appender.start();
    Logger logger = context.getLogger(name);
    logger.setAdditive(false);
    logger.addAppender(appender);
    return logger;
  }
}
