package io.secretsdk.spring;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Every log event, at DEBUG, as text (message, arguments and stack traces), while open. */
final class DebugLogs implements AutoCloseable {
  private final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory())
      .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level before = root.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  DebugLogs() {
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
  }

  /** Everything logged so far. */
  String text() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : appender.list.toArray(ILoggingEvent[]::new)) {
      sb.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        sb.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(before);
    appender.stop();
  }
}
