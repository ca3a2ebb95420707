package io.secretsdk.aws;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.secretsdk.logback.RedactingEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Turns every logger up and writes everything through the {@link RedactingEncoder}, the way an
 * application would that logs the AWS SDK at DEBUG: Logback's root and the AWS SDK's loggers at
 * TRACE, java.util.logging bridged to SLF4J with its root at ALL (so Apache HttpClient's loggers,
 * {@code org.apache.http.wire} and {@code .headers} included, and the JDK
 * {@code HttpURLConnection}'s header dumps arrive). {@link #close()} puts
 * back the levels, JUL handlers and appenders it found.
 */
final class RedactedLogs implements AutoCloseable {
  private static final String[] LOGGERS = {
      org.slf4j.Logger.ROOT_LOGGER_NAME, "software.amazon.awssdk",
      LogCapture.SDK_SIGNER, "sun.net.www.protocol.http.HttpURLConnection", "org.apache.http"};

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Map<String, Level> levels = new LinkedHashMap<>();
  private final java.util.logging.Logger julRoot = LogManager.getLogManager().getLogger("");
  private final java.util.logging.Level julLevel = julRoot.getLevel();
  private final List<Handler> julHandlers = new ArrayList<>(List.of(julRoot.getHandlers()));
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();

  RedactedLogs() {
    for (String name : LOGGERS) {
      Logger l = context.getLogger(name);
      levels.put(name, l.getLevel());
      l.setLevel(Level.TRACE);
    }
    for (Handler h : julHandlers) {
      julRoot.removeHandler(h);
    }
    SLF4JBridgeHandler.install();
    julRoot.setLevel(java.util.logging.Level.ALL);

    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern("%level %logger %mdc - %msg%n%ex");
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    encoder.setEncoder(pattern);
    encoder.start();
    appender.setContext(context);
    appender.setName("redacted-test-output");
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  /** Everything written so far, as the redacting encoder wrote it. */
  String text() {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
    SLF4JBridgeHandler.uninstall();
    for (Handler h : julHandlers) {
      julRoot.addHandler(h);
    }
    julRoot.setLevel(julLevel);
    levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }
}
