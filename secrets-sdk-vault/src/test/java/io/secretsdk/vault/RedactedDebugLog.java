package io.secretsdk.vault;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.secretsdk.logback.RedactingEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Turns every logger up for one test and captures what a production set-up would write: Logback's
 * root at DEBUG, {@code java.util.logging} (OkHttp, MockWebServer, the JDK) bridged with
 * {@link SLF4JBridgeHandler} and its root at {@code ALL}, everything written through the
 * {@link RedactingEncoder} into memory. {@link #close()} puts both configurations back as they were,
 * so the module's other tests stay quiet and fast.
 */
final class RedactedDebugLog implements AutoCloseable {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level rootLevel = root.getLevel();
  private final java.util.logging.Logger julRoot = LogManager.getLogManager().getLogger("");
  private final java.util.logging.Level julLevel = julRoot.getLevel();
  private final Handler[] julHandlers = julRoot.getHandlers();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();

  RedactedDebugLog() {
    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern("%-5level [%thread] %logger - %msg %mdc%n");
    RedactingEncoder redacting = new RedactingEncoder();
    redacting.setContext(context);
    redacting.setEncoder(pattern);
    redacting.start();
    appender.setContext(context);
    appender.setName("redacted-debug-capture");
    appender.setEncoder(redacting);
    appender.setOutputStream(out);
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    julRoot.setLevel(java.util.logging.Level.ALL);
  }

  /** Everything written so far, as the redacting encoder produced it. */
  String output() {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    SLF4JBridgeHandler.uninstall();
    for (Handler h : julRoot.getHandlers()) {
      julRoot.removeHandler(h);
    }
    for (Handler h : julHandlers) {
      julRoot.addHandler(h);
    }
    julRoot.setLevel(julLevel);
    root.setLevel(rootLevel);
    root.detachAppender(appender);
    appender.stop();
  }
}
