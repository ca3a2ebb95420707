package io.secretsdk.onepassword.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One run of the {@code op} CLI: its process, the descendants seen while it ran, and the reading of
 * its two output pipes.
 *
 * <p>The pipes are read on the calling thread, only as far as {@link InputStream#available()}
 * says, so no thread ever blocks on a pipe: a descendant that keeps the CLI's standard output open
 * after the CLI exited holds up nobody. What the CLI wrote before it exited is in the pipe when its
 * exit is seen, and is read then.
 *
 * <p>{@link #end()} ends the whole tree: the CLI, its live descendants and those seen earlier that
 * outlived their parent (a descendant started and left between two looks cannot be found once its
 * parent is gone).
 *
 * <p>{@link #readUntilExit} runs on one thread; {@link #end()} may be called from any thread,
 * more than once.
 */
final class CliRun {
  /** Between the polite and the forcible end of the tree. */
  static final Duration GRACE = Duration.ofMillis(500);
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long LOOK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long EXIT_POLL_MILLIS = 10;

  enum Outcome { EXITED, TIMED_OUT, CLOSED }

  private final Process process;
  private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
  private long nextLook = System.nanoTime();

  CliRun(Process process) {
    this.process = process;
  }

  Process process() {
    return process;
  }

  /**
   * Reads both pipes until the CLI exits, the deadline passes or {@code closed} turns true.
   *
   * @throws InterruptedException if the calling thread is interrupted
   * @throws IOException if a pipe cannot be read
   */
  Outcome readUntilExit(Output out, Output err, long deadlineNanos, BooleanSupplier closed)
      throws IOException, InterruptedException {
    InputStream stdout = process.getInputStream();
    InputStream stderr = process.getErrorStream();
    while (process.isAlive()) {
      long now = System.nanoTime();
      if (now - nextLook >= 0) {
        process.descendants().forEach(seen::add);
        nextLook = now + LOOK_INTERVAL_NANOS;
      }
      if (closed.getAsBoolean()) {
        return Outcome.CLOSED;
      }
      long left = deadlineNanos - now;
      if (left <= 0) {
        return Outcome.TIMED_OUT;
      }
      if (out.readAvailable(stdout) + err.readAvailable(stderr) == 0) {
        process.waitFor(Math.min(left, IDLE_WAIT_NANOS), TimeUnit.NANOSECONDS); // wakes on exit
      }
    }
    // the CLI's own output is all in the pipes now; bounded, since a descendant may keep writing
    int read;
    do {
      read = out.readAvailable(stdout) + err.readAvailable(stderr);
    } while (read > 0 && deadlineNanos - System.nanoTime() > 0);
    return Outcome.EXITED;
  }

  /**
   * Ends the CLI and every descendant found: asked first ({@link ProcessHandle#destroy()}), forced
   * ({@link ProcessHandle#destroyForcibly()}) after {@link #GRACE}. Returns once all are gone or a
   * further grace period has passed; closes the pipes.
   */
  void end() {
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add); // before the CLI ends: its children still link to it
    tree.addAll(seen);
    tree.add(process.toHandle());
    tree.removeIf(CliRun::ended);
    if (!tree.isEmpty()) {
      tree.forEach(ProcessHandle::destroy);
      if (!awaitExit(tree)) {
        tree.stream().filter(h -> !ended(h)).forEach(ProcessHandle::destroyForcibly);
        awaitExit(tree);
      }
    }
    closeQuietly(process.getInputStream());
    closeQuietly(process.getErrorStream());
  }

  /** Polls rather than {@link ProcessHandle#onExit()}, which parks a JDK thread per handle. */
  private static boolean awaitExit(List<ProcessHandle> tree) {
    long deadline = System.nanoTime() + GRACE.toNanos();
    boolean interrupted = false;
    try {
      while (!tree.stream().allMatch(CliRun::ended)) {
        if (System.nanoTime() - deadline >= 0) {
          return false;
        }
        try {
          Thread.sleep(EXIT_POLL_MILLIS);
        } catch (InterruptedException e) {
          interrupted = true; // finish ending the tree first
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Whether {@code p} is gone or, where {@code /proc} tells, a zombie: a killed orphan holds no
   * pipe or other resource but counts as alive until init reaps it, which some container inits do
   * late or never.
   */
  static boolean ended(ProcessHandle p) {
    if (!p.isAlive()) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      int state = stat.lastIndexOf(')') + 2; // "pid (command) state ..."
      return state > 1 && state < stat.length() && "ZX".indexOf(stat.charAt(state)) >= 0;
    } catch (IOException | RuntimeException e) {
      return false; // no /proc (not Linux): isAlive() is all there is
    }
  }

  static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing to do: the process is gone or going
    }
  }

  /**
   * Up to {@code max} bytes read from a pipe; what is read beyond is dropped (and flagged), so the
   * CLI never blocks on a full pipe.
   */
  static final class Output {
    private final int max;
    private final byte[] chunk = new byte[8192];
    private byte[] buf;
    private int len;
    private boolean overflow;

    Output(int max) {
      this.max = max;
      this.buf = new byte[Math.min(max, 8192)];
    }

    /** Reads what {@code in} holds now, without blocking; returns how many bytes that was. */
    int readAvailable(InputStream in) throws IOException {
      int total = 0;
      for (int want = in.available(); want > 0; ) {
        int n = in.read(chunk, 0, Math.min(want, chunk.length));
        if (n < 0) {
          break;
        }
        keep(n);
        total += n;
        want -= n;
      }
      return total;
    }

    private void keep(int n) {
      int keep = Math.min(n, max - len);
      if (keep < n) {
        overflow = true;
      }
      if (keep > 0) {
        if (len + keep > buf.length) {
          byte[] bigger = Arrays.copyOf(buf, Math.min(max, Math.max(buf.length * 2, len + keep)));
          Arrays.fill(buf, (byte) 0);
          buf = bigger;
        }
        System.arraycopy(chunk, 0, buf, len, keep);
        len += keep;
      }
      Arrays.fill(chunk, 0, n, (byte) 0);
    }

    boolean overflow() {
      return overflow;
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, len);
    }

    /**
     * The text read; when the output was cut, without the word the cut went through: a token cut
     * in two matches no registered credential nor token format, so its first part is dropped
     * rather than scrubbed.
     */
    String textWithoutCutWord() {
      String t = new String(buf, 0, len, StandardCharsets.UTF_8);
      if (!overflow) {
        return t;
      }
      int end = t.length();
      while (end > 0 && !Character.isWhitespace(t.charAt(end - 1))) {
        end--;
      }
      return t.substring(0, end) + "…";
    }

    void wipe() {
      Arrays.fill(buf, (byte) 0);
      Arrays.fill(chunk, (byte) 0);
    }
  }
}
