package io.secretsdk.provider.file;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures one logger's events at DEBUG and above, with their full rendered text. */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(Class<?> type) {
    logger = (Logger) LoggerFactory.getLogger(type);
    previousLevel = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    appender.start();
    logger.addAppender(appender);
  }

  List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  List<ILoggingEvent> events(Level level) {
    return events().stream().filter(e -> e.getLevel() == level).collect(Collectors.toList());
  }

  /** Every message, argument, MDC value and throwable text, joined. */
  String allText() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : events()) {
      sb.append(e.getFormattedMessage()).append('\n');
      if (e.getArgumentArray() != null) {
        for (Object a : e.getArgumentArray()) {
          sb.append(a).append('\n');
        }
      }
      sb.append(e.getMDCPropertyMap()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
    appender.stop();
  }
}
