package io.secretsdk.spring;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.AppenderAttachable;
import io.secretsdk.logback.RedactingEncoder;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Puts the SDK's {@link RedactingEncoder} around the encoder of every output-stream appender
 * (console, file, rolling file; those behind an {@code AsyncAppender} too) of a Logback context,
 * as Boot configured it: no {@code logback.xml} needed, Boot's patterns and structured formats kept.
 * Appenders already writing through a {@code RedactingEncoder} are left as they are.
 */
final class LogbackRedaction {
  private LogbackRedaction() {}

  /** Wraps the encoders of SLF4J's Logback context, when Logback is SLF4J's binding. */
  static void wrapCurrent() {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      wrapAll(context);
    }
  }

  /**
   * Wraps the encoders; returns how many were wrapped. Idempotent.
   *
   * @param context the context Boot configured
   */
  static int wrapAll(LoggerContext context) {
    Map<Appender<ILoggingEvent>, Boolean> seen = new IdentityHashMap<>();
    int wrapped = 0;
    for (Logger logger : context.getLoggerList()) {
      wrapped += wrap(context, logger, seen);
    }
    return wrapped;
  }

  private static int wrap(LoggerContext context, AppenderAttachable<ILoggingEvent> attachable,
      Map<Appender<ILoggingEvent>, Boolean> seen) {
    int wrapped = 0;
    for (Iterator<Appender<ILoggingEvent>> it = attachable.iteratorForAppenders(); it.hasNext();) {
      Appender<ILoggingEvent> appender = it.next();
      if (seen.put(appender, Boolean.TRUE) != null) {
        continue;
      }
      if (appender instanceof OutputStreamAppender<ILoggingEvent> stream) {
        Encoder<ILoggingEvent> current = stream.getEncoder();
        if (current != null && !(current instanceof RedactingEncoder)) {
          RedactingEncoder redacting = new RedactingEncoder();
          redacting.setContext(context);
          redacting.setEncoder(current);
          redacting.start();
          stream.setEncoder(redacting);
          wrapped++;
        }
      }
      if (appender instanceof AppenderAttachable<?> nested) {
        @SuppressWarnings("unchecked")
        AppenderAttachable<ILoggingEvent> events = (AppenderAttachable<ILoggingEvent>) nested;
        wrapped += wrap(context, events, seen);
      }
    }
    return wrapped;
  }
}
