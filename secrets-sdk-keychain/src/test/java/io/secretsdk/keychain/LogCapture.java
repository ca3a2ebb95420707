package io.secretsdk.keychain;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Every log event while open (the root logger is at DEBUG), as text to search for canaries. */
final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  LogCapture() {
    events.start();
    root.addAppender(events);
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    events.list.forEach(e -> {
      sb.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        sb.append(e.getThrowableProxy().getMessage()).append('\n');
      }
    });
    return sb.toString();
  }

  int size() {
    return events.list.size();
  }

  @Override
  public void close() {
    root.detachAppender(events);
    events.stop();
  }
}
