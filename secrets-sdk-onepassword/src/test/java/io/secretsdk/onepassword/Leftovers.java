package io.secretsdk.onepassword;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * What a test leaves behind, compared with a snapshot taken before it: live threads it started and
 * processes descending from this JVM. Threads of process-wide pools the SDK does not own are not
 * counted (the JDK's process reaper, the common fork-join pool Caffeine runs on, JUnit's timeout
 * watcher and the like).
 */
final class Leftovers {
  private static final List<String> GLOBAL_POOLS = List.of("process reaper",
      "ForkJoinPool.commonPool", "junit-jupiter-timeout-watcher", "Common-Cleaner",
      "Attach Listener", "surefire", "OkHttp TaskRunner", "MockWebServer", "Okio Watchdog");

  private final Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
  private final Set<ProcessHandle> processes =
      ProcessHandle.current().descendants().collect(Collectors.toSet());

  /** Names of threads started since the snapshot still alive after waiting up to {@code wait}. */
  Set<String> threads(Duration wait) {
    await(() -> newThreads().isEmpty(), wait);
    return newThreads();
  }

  private Set<String> newThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !threads.contains(t)
          && GLOBAL_POOLS.stream().noneMatch(t.getName()::startsWith)) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** Descendants of this JVM started since the snapshot still running after waiting up to {@code wait}. */
  Set<ProcessHandle> processes(Duration wait) {
    await(() -> newProcesses().isEmpty(), wait);
    return newProcesses();
  }

  private Set<ProcessHandle> newProcesses() {
    return ProcessHandle.current().descendants()
        .filter(p -> running(p.pid()) && !processes.contains(p)).collect(Collectors.toSet());
  }

  /** The pid the fake CLI wrote into {@code file}, waiting up to {@code wait} for it. */
  static OptionalLong pidIn(Path file, Duration wait) {
    await(() -> readPid(file).isPresent(), wait);
    return readPid(file);
  }

  private static OptionalLong readPid(Path file) {
    try {
      String text = Files.readString(file).trim();
      return text.matches("\\d{1,10}") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Whether process {@code pid} runs: alive and, where {@code /proc} tells, not a zombie (a killed
   * orphan stays one until init reaps it, which some container inits do late or never).
   */
  static boolean running(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /** Whether process {@code pid} still runs after waiting up to {@code wait} for it to end. */
  static boolean stillRunning(long pid, Duration wait) {
    await(() -> !running(pid), wait);
    return running(pid);
  }

  /** Polls {@code condition} every 20 ms until it holds or {@code wait} has passed. */
  private static void await(BooleanSupplier condition, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
