package io.secretsdk.testing;

import java.util.List;

/** Captures Logback events as text, when Logback is on the classpath and is SLF4J's backend. */
final class LogCapture {
  private LogCapture() {}

  static AutoCloseable startIfLogback(List<String> lines) {
    try {
      Class.forName("ch.qos.logback.classic.LoggerContext", false, LogCapture.class.getClassLoader());
    } catch (ClassNotFoundException absent) {
      return null;
    }
    if (!(org.slf4j.LoggerFactory.getILoggerFactory()
        instanceof ch.qos.logback.classic.LoggerContext)) {
      return null;
    }
    return LogbackCapture.start(lines);
  }

  /** Only loaded when Logback is present. */
  private static final class LogbackCapture
      extends ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent>
      implements AutoCloseable {
    private final List<String> lines;
    private final ch.qos.logback.classic.Logger root;

    private LogbackCapture(List<String> lines, ch.qos.logback.classic.Logger root) {
      this.lines = lines;
      this.root = root;
    }

    static AutoCloseable start(List<String> lines) {
      ch.qos.logback.classic.LoggerContext context =
          (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
      ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      LogbackCapture capture = new LogbackCapture(lines, root);
      capture.setContext(context);
      capture.setName("secrets-sdk-leak-capture");
      capture.start();
      root.addAppender(capture);
      return capture;
    }

    @Override
    protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
      StringBuilder sb = new StringBuilder();
      sb.append(e.getFormattedMessage());
      if (e.getArgumentArray() != null) {
        for (Object a : e.getArgumentArray()) {
          sb.append(' ').append(a);
        }
      }
      e.getMDCPropertyMap().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
      if (e.getKeyValuePairs() != null) {
        e.getKeyValuePairs().forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
      }
      if (e.getThrowableProxy() != null) {
        sb.append('\n').append(ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
      synchronized (lines) {
        lines.add(sb.toString());
      }
    }

    @Override
    public void close() {
      root.detachAppender(this);
      stop();
    }
  }
}
