package io.secretsdk.platform;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.testing.LeakAssertions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * Canaries made at run time and the search for them (raw and encoded, through the testing
 * module's {@link LeakAssertions}) in exceptions and in every log line written meanwhile, with the
 * SDK's loggers and OkHttp's at DEBUG.
 */
final class Leaks implements AutoCloseable {
  private final RedactionIndex witness = RedactionIndex.create();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level rootBefore = root.getLevel();

  Leaks() {
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
  }

  /** A new canary, searched for from now on. */
  String canary(String label) {
    return watch(label, "canary-" + UUID.randomUUID().toString().replace("-", "") + "Z9");
  }

  /** Searches for {@code value} under {@code label} from now on. */
  String watch(String label, String value) {
    witness.register(SecretRef.parse("canary://" + label), value.getBytes(StandardCharsets.UTF_8));
    return value;
  }

  void assertAbsent(Throwable t) {
    LeakAssertions.assertNoLeak(witness, t);
  }

  void assertAbsent(String where, String text) {
    LeakAssertions.assertNoLeak(witness, where, text);
  }

  /** Every captured log line so far, with MDC and stack traces. */
  String logs() {
    List<ILoggingEvent> events;
    synchronized (appender) {
      events = new ArrayList<>(appender.list);
    }
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : events) {
      sb.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ').append(e.getFormattedMessage())
          .append(' ').append(e.getMDCPropertyMap());
      if (e.getThrowableProxy() != null) {
        sb.append(' ').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  void assertLogsClean() {
    assertAbsent("log lines", logs());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(rootBefore);
  }
}
