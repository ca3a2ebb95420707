package io.secretsdk.onepassword;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Captures every log event of the test run, so tests can search them for canaries. */
final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** All captured text: formatted messages, arguments, throwables and their causes. */
  String text() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : appender.list) {
      sb.append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return sb.toString();
  }

  int size() {
    return appender.list.size();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
