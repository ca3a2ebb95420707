package io.secretsdk.hardening;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event that reaches the root logger, with {@code io.secretsdk} at DEBUG, while a
 * test runs: formatted message, arguments, MDC and stack trace.
 */
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

  List<String> lines() {
    List<String> out = new ArrayList<>();
    synchronized (appender.list) {
      for (ILoggingEvent e : new ArrayList<>(appender.list)) {
        out.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage() + " "
            + e.getMDCPropertyMap()
            + (e.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())));
      }
    }
    return out;
  }

  String text() {
    return String.join("\n", lines());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    sdk.setLevel(before);
  }
}
