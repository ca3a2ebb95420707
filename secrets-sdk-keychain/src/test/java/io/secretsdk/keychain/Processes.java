package io.secretsdk.keychain;

import io.secretsdk.keychain.internal.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Process checks for tests: a pid a fake tool wrote down, and whether it still runs. */
final class Processes {
  private Processes() {}

  /** The pid in {@code file}, waiting up to 5 s for a fake tool to write it. */
  static long pidIn(Path file) {
    await(() -> read(file) > 0, Duration.ofSeconds(5));
    long pid = read(file);
    if (pid <= 0) {
      throw new AssertionError("no pid in " + file);
    }
    return pid;
  }

  private static long read(Path file) {
    try {
      String t = Files.readString(file).trim();
      return t.matches("\\d{1,10}") ? Long.parseLong(t) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Whether {@code pid} still runs (a zombie does not count) after waiting up to {@code wait}. */
  static boolean stillRunning(long pid, Duration wait) {
    BooleanSupplier gone = () -> ProcessHandle.of(pid).map(ChildProcess::gone).orElse(true);
    await(gone, wait);
    return !gone.getAsBoolean();
  }

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
