package io.secretsdk.logback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

final class RedactingEncoderConcurrencyTest {

  @Test
  @Timeout(60)
  void log_whileRegisteringFromAnotherThread_noValueWrittenAfterItsRegistration() throws Exception {
    RedactionIndex index = RedactionIndex.create();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.start();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PatternLayoutEncoder inner = new PatternLayoutEncoder();
    inner.setContext(context);
    inner.setPattern("%thread %msg%n");
    inner.start();
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    encoder.setIndex(index);
    encoder.setEncoder(inner);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(sink);
    appender.start();
    Logger log = context.getLogger("concurrent");
    log.addAppender(appender);

    int n = 1_000;
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      values[i] = RedactingEncoderTest.canary();
    }
    AtomicInteger published = new AtomicInteger(-1);
    AtomicInteger logged = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Future<?>> futures = new ArrayList<>();
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < n; i++) {
          index.register(SecretRef.parse("mem://log/" + i), values[i].getBytes(UTF_8));
          published.set(i);
        }
        return null;
      }));
      for (int t = 0; t < 4; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          ThreadLocalRandom r = ThreadLocalRandom.current();
          while (published.get() < n - 1) {
            int k = published.get();
            if (k >= 0) {
              log.info("value {} and newest {}", values[r.nextInt(k + 1)], values[k]);
              logged.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(50, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      context.stop();
    }
    String out = sink.toString(UTF_8);
    assertThat(logged.get()).isPositive();
    assertThat(out.lines().count()).isEqualTo(logged.get());
    assertThat(out).doesNotContain("CANARY");
  }
}
