package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
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

final class RedactionIndexConcurrencyTest {

  @Test
  @Timeout(60)
  void redact_whileRegistering_noMissAfterRegisterReturns() throws Exception {
    RedactionIndex index = RedactionIndex.create();
    int n = 3_000;
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      values[i] = Canaries.alnum(24);
    }
    AtomicInteger published = new AtomicInteger(-1);
    AtomicInteger misses = new AtomicInteger();
    AtomicInteger checks = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Future<?>> futures = new ArrayList<>();
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < n; i++) {
          index.register(SecretRef.parse("mem://c/" + i), values[i].getBytes(UTF_8));
          published.set(i); // after register returned
          if (i % 500 == 0) {
            index.unregister(SecretRef.parse("mem://unrelated/" + i));
          }
        }
        return null;
      }));
      for (int t = 0; t < 4; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          ThreadLocalRandom r = ThreadLocalRandom.current();
          while (published.get() < n - 1) {
            int k = published.get();
            if (k < 0) {
              continue;
            }
            int j = r.nextInt(k + 1);
            String out = index.redact("msg " + values[j] + " end");
            checks.incrementAndGet();
            if (!out.equals("msg [REDACTED:mem://c/" + j + "] end")) {
              misses.incrementAndGet();
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
    }
    assertThat(misses.get()).isZero();
    assertThat(checks.get()).isPositive();
    assertThat(index.valueCount()).isEqualTo(n);
  }

  @Test
  @Timeout(120)
  void eightRegistrarsTwoRedactors_tenThousandValues_everyReturnedRegistrationMasked()
      throws Exception {
    RedactionIndex index = RedactionIndex.create();
    int writers = 8;
    int perWriter = 1_250;
    String[][] values = new String[writers][perWriter];
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < perWriter; i++) {
        // half ASCII, half with non-ASCII and JSON-special characters
        values[w][i] = i % 2 == 0 ? Canaries.alnum(40) : "ä\"" + Canaries.alnum(30) + "€";
      }
    }
    java.util.concurrent.atomic.AtomicIntegerArray published =
        new java.util.concurrent.atomic.AtomicIntegerArray(writers);
    for (int w = 0; w < writers; w++) {
      published.set(w, -1);
    }
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicInteger misses = new AtomicInteger();
    AtomicInteger checks = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    try {
      List<Future<?>> registrars = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        registrars.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perWriter; i++) {
            index.register(SecretRef.parse("mem://w" + writer + "/" + i),
                values[writer][i].getBytes(UTF_8));
            published.set(writer, i);
          }
          return null;
        }));
      }
      List<Future<?>> redactors = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        boolean bytes = t == 1;
        redactors.add(pool.submit(() -> {
          start.await();
          ThreadLocalRandom r = ThreadLocalRandom.current();
          while (!done.get()) {
            int w = r.nextInt(writers);
            int k = published.get(w);
            if (k < 0) {
              continue;
            }
            int j = r.nextInt(k + 1);
            String line = "{\"msg\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString("v=" + values[w][j]) + "}";
            String out = bytes ? new String(index.redactUtf8(line.getBytes(UTF_8)), UTF_8)
                : index.redact(line);
            checks.incrementAndGet();
            if (!out.contains("[REDACTED:mem://w" + w + "/" + j + "]")) {
              misses.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : registrars) {
        f.get(100, TimeUnit.SECONDS);
      }
      done.set(true);
      for (Future<?> f : redactors) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(misses.get()).isZero();
    assertThat(checks.get()).isPositive();
    assertThat(index.valueCount()).isEqualTo(writers * perWriter);
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < perWriter; i += 97) {
        assertThat(index.redact(values[w][i])).isEqualTo("[REDACTED:mem://w" + w + "/" + i + "]");
      }
    }
  }

  @Test
  void tenThousandRegistrations_tableRebuiltOnlyWhenItDoubles() {
    RedactionIndex index = RedactionIndex.create();
    java.util.Set<Object> tables = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int i = 0; i < 10_000; i++) {
      index.register(SecretRef.parse("mem://grow/" + i), Canaries.alnum(40).getBytes(UTF_8));
      tables.add(index.tableForTest());
    }
    // about 5 forms per value: 50,000 entries, a table of 2^17 slots reached by doubling from 64
    assertThat(tables.size()).isLessThanOrEqualTo(14);
    assertThat(index.patternCount()).isGreaterThanOrEqualTo(50_000);
  }
}
