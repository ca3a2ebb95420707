package io.secretsdk.onepassword;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import io.secretsdk.logback.RedactingEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Turns every logger up to DEBUG — Logback's (root and every logger already made) and
 * java.util.logging's (root at ALL, bridged into SLF4J with {@link SLF4JBridgeHandler}) — and
 * writes every event through the SDK's {@link RedactingEncoder} into memory, as an application
 * configured for redaction would. {@link #close()} restores the previous configuration.
 */
final class RedactedLogs implements AutoCloseable {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Map<Logger, Level> levels = new HashMap<>();
  private final java.util.logging.Logger julRoot = LogManager.getLogManager().getLogger("");
  private final java.util.logging.Level julLevel = julRoot.getLevel();
  private final List<Handler> julHandlers = new ArrayList<>(List.of(julRoot.getHandlers()));
  private final Map<java.util.logging.Logger, java.util.logging.Level> julLevels = new HashMap<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  RedactedLogs() {
    for (Logger l : context.getLoggerList()) {
      levels.put(l, l.getLevel());
      l.setLevel(l == root ? Level.DEBUG : null); // every logger inherits DEBUG from the root
    }
    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern("%level [%thread] %logger - %msg %mdc%n%ex");
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    encoder.setEncoder(pattern);
    encoder.start();
    appender.setContext(context);
    appender.setName("redacted-memory");
    appender.setEncoder(encoder);
    appender.setImmediateFlush(true);
    appender.setOutputStream(bytes);
    appender.start();
    root.addAppender(appender);
    events.setContext(context);
    events.start();
    root.addAppender(events);

    for (Handler h : julHandlers) {
      julRoot.removeHandler(h); // the console handler would print what the bridge now carries
    }
    SLF4JBridgeHandler.install();
    julRoot.setLevel(java.util.logging.Level.ALL);
    for (String name : java.util.Collections.list(LogManager.getLogManager().getLoggerNames())) {
      java.util.logging.Logger l = LogManager.getLogManager().getLogger(name);
      if (l != null && l != julRoot && l.getLevel() != null) {
        julLevels.put(l, l.getLevel());
        l.setLevel(null); // inherits ALL
      }
    }
  }

  /** Everything written so far, after redaction. */
  String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * What the SDK's own loggers ({@code io.secretsdk.*}) wrote, before redaction: the SDK must not
   * depend on the encoder to keep its own lines clean.
   */
  String rawSdkText() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : List.copyOf(events.list)) {
      if (!e.getLoggerName().startsWith("io.secretsdk.")) {
        continue;
      }
      sb.append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    SLF4JBridgeHandler.uninstall();
    julLevels.forEach(java.util.logging.Logger::setLevel);
    julRoot.setLevel(julLevel);
    for (Handler h : julHandlers) {
      julRoot.addHandler(h);
    }
    root.detachAppender(appender);
    appender.stop();
    root.detachAppender(events);
    events.stop();
    levels.forEach(Logger::setLevel);
    for (Logger l : context.getLoggerList()) {
      if (!levels.containsKey(l)) {
        l.setLevel(null); // made during the test: inherit the restored root level
      }
    }
  }
}
