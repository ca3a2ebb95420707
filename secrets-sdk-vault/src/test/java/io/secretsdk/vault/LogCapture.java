package io.secretsdk.vault;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures every log event (DEBUG and up) while a test runs. */
final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger sdk = (Logger) LoggerFactory.getLogger("io.secretsdk");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level before = sdk.getLevel();

  LogCapture() {
    appender.start();
    root.addAppender(appender);
    sdk.setLevel(Level.DEBUG);
  }

  /** Every captured line: formatted message, MDC and stack trace. */
  List<String> lines() {
    List<ILoggingEvent> events;
    synchronized (appender) { // AppenderBase appends under this lock; other threads may still log
      events = new ArrayList<>(appender.list);
    }
    return events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
        + " " + e.getMDCPropertyMap()
        + (e.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())))
        .collect(Collectors.toList());
  }

  String all() {
    return String.join("\n", lines());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    sdk.setLevel(before);
  }
}
