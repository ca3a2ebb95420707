package io.secretsdk.aws;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures every log event (root logger, DEBUG and up) as text: messages, arguments, throwables. */
final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /**
   * The AWS SDK's SigV4 signer logs the canonical request, session-token header included, at
   * DEBUG (aws-sdk-java-v2 PR #5153). These raw events hold the token; the provider registers it
   * for redaction, so output written through the {@code RedactingEncoder} masks it
   * ({@link CredentialRedactionTest}). Every other event is checked raw at DEBUG.
   */
  static final String SDK_SIGNER = "software.amazon.awssdk.http.auth.aws.internal.signer";

  /** Everything logged so far, one event per line, with throwables and their causes. */
  String text() {
    return appender.list.stream().map(LogCapture::render).collect(Collectors.joining("\n"));
  }

  /** Everything but the SDK signer's DEBUG events. */
  String textOutsideSdkSignerDebug() {
    return appender.list.stream()
        .filter(e -> !(e.getLoggerName().startsWith(SDK_SIGNER)
            && !e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)))
        .map(LogCapture::render).collect(Collectors.joining("\n"));
  }

  List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  private static String render(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder().append(e.getLevel()).append(' ')
        .append(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
    e.getMDCPropertyMap().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append("\n  ").append(t.getClassName()).append(": ").append(t.getMessage());
      for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
        sb.append("\n    ").append(s.getSTEAsString());
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
