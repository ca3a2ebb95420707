package io.secretsdk.hardening;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * Black-box leak checks: live threads by name, and client-side TCP connections to a port (from
 * {@code /proc/net/tcp*}, Linux only). No access to the providers' internals is needed.
 */
final class LeakProbe {
  /**
   * Threads that belong to process-wide pools the SDK does not own: OkHttp's shared task runner
   * (idle threads end on their own after 60 s; while one runs a task it is named after it: a
   * pool's clean-up, or the losing attempt of a connect race that ends at the connect time-out;
   * connections are checked on their own). A client's own "OkHttp Dispatcher" threads do count. MockWebServer's, the JDK's keep-alive timer and
   * JUnit's timeout thread.
   */
  private static final List<String> GLOBAL_POOLS = List.of("OkHttp TaskRunner", "OkHttp ConnectionPool", "OkHttp connect ", "MockWebServer",
      "Keep-Alive-Timer", "Keep-Alive-SocketCleaner", "junit-jupiter-timeout-watcher", "process reaper",
      "Common-Cleaner", "Okio Watchdog", "Attach Listener", "surefire-forkedjvm", "ForkJoinPool.commonPool", "Jazzer");

  private LeakProbe() {}

  static Set<String> threadNames() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** Threads alive now that were not alive at {@code before} and belong to no global pool. */
  static Set<String> newThreads(Set<String> before) {
    Set<String> now = threadNames();
    now.removeAll(before);
    now.removeIf(n -> GLOBAL_POOLS.stream().anyMatch(n::startsWith));
    return now;
  }

  /** Polls (bounded, 3 s) until no new thread is left; returns what is left. */
  static Set<String> awaitNoNewThreads(Set<String> before) throws InterruptedException {
    return awaitNoNewThreads(before, 3000);
  }

  /** Polls (bounded) until no new thread is left; returns what is left. */
  static Set<String> awaitNoNewThreads(Set<String> before, long maxMillis) throws InterruptedException {
    await(() -> newThreads(before).isEmpty(), maxMillis);
    return newThreads(before);
  }

  static boolean canCountConnections() {
    return Files.isReadable(Path.of("/proc/net/tcp"));
  }

  /** Client-side connections to {@code port} that are still ESTABLISHED or CLOSE_WAIT. */
  static int openClientConnections(int port) {
    int n = 0;
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(file));
      } catch (IOException e) {
        continue;
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4) {
          continue;
        }
        String remote = f[2];
        String state = f[3];
        if (remote.endsWith(":" + hexPort) && (state.equals("01") || state.equals("08"))) {
          n++;
        }
      }
    }
    return n;
  }

  /** Polls (bounded) until no client connection to {@code port} is open; returns the count. */
  static int awaitNoConnections(int port, long maxMillis) throws InterruptedException {
    await(() -> openClientConnections(port) == 0, maxMillis);
    return openClientConnections(port);
  }

  private static void await(BooleanSupplier done, long maxMillis) throws InterruptedException {
    for (long i = 0; i < maxMillis / 50 && !done.getAsBoolean(); i++) {
      Thread.sleep(50); // polling an external condition (OS state), not synchronising threads
    }
  }
}
