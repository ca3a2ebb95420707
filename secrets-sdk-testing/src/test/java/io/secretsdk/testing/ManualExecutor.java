package io.secretsdk.testing;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** An executor that queues tasks until the test runs them, so background work is deterministic. */
final class ManualExecutor implements Executor {
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  int pending() {
    return tasks.size();
  }

  /** Runs every queued task, including ones queued while running; returns how many ran. */
  int runAll() {
    int n = 0;
    Runnable r;
    while ((r = tasks.poll()) != null) {
      r.run();
      n++;
    }
    return n;
  }
}
