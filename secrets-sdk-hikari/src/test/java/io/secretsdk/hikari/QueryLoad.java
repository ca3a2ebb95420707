package io.secretsdk.hikari;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Threads that each run {@code SELECT current_user} through a pool until stopped, counting the
 * queries per database user and every failure.
 */
final class QueryLoad implements AutoCloseable {
  final Map<String, AtomicLong> queriesBy = new ConcurrentHashMap<>();
  final List<String> failures = new CopyOnWriteArrayList<>();
  private final AtomicLong queries = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ExecutorService threads;

  QueryLoad(DataSource pool, int threadCount) {
    threads = Executors.newFixedThreadPool(threadCount);
    for (int t = 0; t < threadCount; t++) {
      threads.execute(() -> {
        while (!stop.get()) {
          try (Connection c = pool.getConnection(); Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT current_user, pg_sleep(0.002)")) {
            rs.next();
            queriesBy.computeIfAbsent(rs.getString(1), k -> new AtomicLong()).incrementAndGet();
            queries.incrementAndGet();
          } catch (SQLException | RuntimeException e) {
            failures.add(e.getClass().getName() + (e instanceof SQLException s ? " " + s.getSQLState() : ""));
          }
        }
      });
    }
  }

  /** Waits (bounded by the test's timeout) until {@code more} queries have completed from now. */
  void awaitMore(long more) throws InterruptedException {
    long target = queries.get() + more;
    PostgresRotationTest.await(() -> queries.get() >= target);
  }

  /** Stops the threads and waits for them. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    threads.shutdown();
    if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
      threads.shutdownNow();
      throw new IllegalStateException("query threads did not stop within 30 s");
    }
  }
}
