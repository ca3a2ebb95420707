package io.secretsdk.keychain.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One run of a keychain tool ({@code secret-tool}, {@code dbus-send}, {@code security}): started
 * without a shell in exactly the environment given, fed its standard input once, its two pipes
 * read on the calling thread, and its whole process tree ended when the run is over.
 *
 * <p>Why it looks like this (the same choices as the 1Password provider's {@code op} runner):
 * <ul>
 *   <li>Values travel only through pipes. The input is written in one go to the fresh pipe and the
 *       pipe closed, so the tool sees end-of-file and never waits for a prompt; callers keep the
 *       input below {@link #MAX_INPUT_BYTES}, which an empty pipe holds whole, so the write never
 *       blocks on a tool that does not read.</li>
 *   <li>The pipes are read only as far as {@link InputStream#available()} says, so no thread
 *       blocks on a pipe and the run needs no thread of its own; a descendant that keeps a pipe
 *       open after the tool exited delays nobody.</li>
 *   <li>Descendants are looked up while the tool runs, since one that outlives its parent can no
 *       longer be found from it; {@link #end()} asks all of them and the tool to stop, and forces
 *       those still there after {@link #GRACE}.</li>
 * </ul>
 *
 * <p>{@link #await} runs on one thread; {@link #end()} may be called from any thread, more than
 * once.
 */
public final class ChildProcess {
  /** Largest standard input a run is given: what an empty pipe holds on Linux and macOS. */
  public static final int MAX_INPUT_BYTES = 16 * 1024;
  /** Between asking the tree to stop and forcing it. */
  public static final Duration GRACE = Duration.ofMillis(500);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long DESCENDANT_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** How a run ended, when not by the tool's own exit. */
  public enum Stop { TIMED_OUT, CANCELLED }

  /** The tool could not be started, or stopped for {@link #stop()} before it exited. */
  public static final class NotFinished extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Stop stop;

    NotFinished(Stop stop, String message) {
      super(message, null, false, false);
      this.stop = stop;
    }

    /** Why the run did not finish; {@code null} when the tool did not start. */
    public Stop stop() {
      return stop;
    }
  }

  private final Process process;
  private final Set<ProcessHandle> tree = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ChildProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts {@code command} with exactly {@code environment}, writes {@code input} (may be empty)
   * to its standard input and closes it.
   *
   * @throws NotFinished with a null {@link NotFinished#stop()} if the tool cannot be started; the
   *     message names the exception class only
   * @throws IllegalArgumentException if {@code input} is larger than {@link #MAX_INPUT_BYTES}
   */
  public static ChildProcess start(List<String> command, Map<String, String> environment,
      byte[] input) throws NotFinished {
    if (input.length > MAX_INPUT_BYTES) {
      throw new IllegalArgumentException("input larger than " + MAX_INPUT_BYTES + " bytes");
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(environment);
    ChildProcess run;
    try {
      run = new ChildProcess(pb.start());
    } catch (IOException e) {
      throw new NotFinished(null, e.getClass().getSimpleName());
    }
    try (OutputStream in = run.process.getOutputStream()) {
      in.write(input);
    } catch (IOException e) {
      // the tool exited before reading its input: its exit status and standard error say why
    }
    return run;
  }

  /**
   * Reads both pipes until the tool exits, {@code timeout} passes or {@code cancelled} turns true;
   * does not end the tree (call {@link #end()}).
   *
   * @return the tool's exit status and output; the caller wipes it
   * @throws NotFinished if the timeout passed or the run was cancelled first
   * @throws InterruptedException if the calling thread is interrupted
   * @throws IOException if a pipe cannot be read
   */
  public Output await(Duration timeout, int maxStdout, int maxStderr, BooleanSupplier cancelled)
      throws NotFinished, InterruptedException, IOException {
    Output out = new Output(maxStdout, maxStderr);
    InputStream stdout = process.getInputStream();
    InputStream stderr = process.getErrorStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextLook = System.nanoTime();
    try {
      while (process.isAlive()) {
        long now = System.nanoTime();
        if (now - nextLook >= 0) {
          process.descendants().forEach(tree::add);
          nextLook = now + DESCENDANT_LOOK_NANOS;
        }
        if (cancelled.getAsBoolean()) {
          throw new NotFinished(Stop.CANCELLED, "cancelled");
        }
        if (deadline - now <= 0) {
          throw new NotFinished(Stop.TIMED_OUT, "timed out");
        }
        if (out.stdout.drain(stdout) + out.stderr.drain(stderr) == 0) {
          process.waitFor(Math.min(POLL_NANOS, deadline - now), TimeUnit.NANOSECONDS);
        }
      }
      if (cancelled.getAsBoolean()) {
        throw new NotFinished(Stop.CANCELLED, "cancelled"); // the tool may have died of it
      }
      // what the tool wrote before it exited is in the pipes; bounded, a descendant may write on
      while (out.stdout.drain(stdout) + out.stderr.drain(stderr) > 0
          && deadline - System.nanoTime() > 0) {
        Thread.onSpinWait();
      }
      out.exit = process.exitValue();
      return out;
    } catch (NotFinished | InterruptedException | IOException | RuntimeException e) {
      out.wipe();
      throw e;
    }
  }

  /**
   * Ends the tool and every descendant seen: {@link ProcessHandle#destroy()} first,
   * {@link ProcessHandle#destroyForcibly()} for those left after {@link #GRACE}; then closes the
   * pipes. Returns once all are gone or a second grace period has passed.
   */
  public void end() {
    List<ProcessHandle> all = new ArrayList<>();
    process.descendants().forEach(all::add); // while the tool lives its children still link to it
    all.addAll(tree);
    all.add(process.toHandle());
    all.removeIf(ChildProcess::gone);
    all.forEach(ProcessHandle::destroy);
    if (!waitGone(all)) {
      all.forEach(ProcessHandle::destroyForcibly);
      waitGone(all);
    }
    for (java.io.Closeable c : List.of(process.getInputStream(), process.getErrorStream())) {
      try {
        c.close();
      } catch (IOException ignored) {
        // the tool is gone
      }
    }
  }

  /** The processes of this run seen so far, the tool first (tests check that all are gone). */
  public Set<ProcessHandle> seen() {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    all.add(process.toHandle());
    all.addAll(tree);
    return all;
  }

  private static boolean waitGone(List<ProcessHandle> all) {
    long deadline = System.nanoTime() + GRACE.toNanos();
    boolean interrupted = Thread.interrupted(); // end the tree even when interrupted
    try {
      while (!all.stream().allMatch(ChildProcess::gone)) {
        if (System.nanoTime() - deadline >= 0) {
          return false;
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          interrupted = true;
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
   * Whether {@code p} has exited: not alive or, where {@code /proc} tells, a zombie (a killed
   * orphan holds nothing but stays "alive" until init reaps it, which some container inits never
   * do).
   */
  public static boolean gone(ProcessHandle p) {
    if (!p.isAlive()) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      int at = stat.lastIndexOf(')') + 2;
      return at > 1 && at < stat.length() && (stat.charAt(at) == 'Z' || stat.charAt(at) == 'X');
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** What a finished run returned. Wipe it once used. */
  public static final class Output {
    private final Bounded stdout;
    private final Bounded stderr;
    private int exit;

    Output(int maxStdout, int maxStderr) {
      this.stdout = new Bounded(maxStdout);
      this.stderr = new Bounded(maxStderr);
    }

    /** The tool's exit status. */
    public int exit() {
      return exit;
    }

    /** A copy of standard output, or of its first bytes when it was longer than allowed. */
    public byte[] stdout() {
      return stdout.copy();
    }

    /** Whether standard output was longer than allowed. */
    public boolean stdoutCut() {
      return stdout.cut;
    }

    /** Standard error as text (UTF-8, malformed bytes replaced), unscrubbed. */
    public String stderr() {
      return new String(stderr.buf, 0, stderr.len, StandardCharsets.UTF_8);
    }

    /** Zeroes both buffers. */
    public void wipe() {
      stdout.wipe();
      stderr.wipe();
    }
  }

  /** Up to {@code max} bytes of one pipe; the rest is read and dropped, so the tool never blocks. */
  private static final class Bounded {
    private final int max;
    private byte[] buf = new byte[256];
    private int len;
    private boolean cut;

    Bounded(int max) {
      this.max = max;
    }

    int drain(InputStream in) throws IOException {
      int total = 0;
      for (int n = in.available(); n > 0; n = in.available()) {
        byte[] chunk = new byte[Math.min(n, 8192)];
        int read = in.read(chunk);
        if (read < 0) {
          break;
        }
        keep(chunk, read);
        Arrays.fill(chunk, (byte) 0);
        total += read;
      }
      return total;
    }

    private void keep(byte[] chunk, int n) {
      int keep = Math.min(n, max - len);
      cut |= keep < n;
      if (len + keep > buf.length) {
        byte[] grown = Arrays.copyOf(buf, Math.min(max, Math.max(2 * buf.length, len + keep)));
        Arrays.fill(buf, (byte) 0);
        buf = grown;
      }
      System.arraycopy(chunk, 0, buf, len, keep);
      len += keep;
    }

    byte[] copy() {
      return Arrays.copyOf(buf, len);
    }

    void wipe() {
      Arrays.fill(buf, (byte) 0);
      len = 0;
    }
  }
}
