package io.secretsdk.cli;

/**
 * Progress of a long run ({@code check} of a large registry, {@code run} resolving many names) on
 * stderr, only when stderr is a terminal: piped or captured output stays quiet.
 */
final class Progress {
  private final CliIo io;
  private final String what;
  private final int total;
  private final boolean shown;

  Progress(CliIo io, String what, int total) {
    this.io = io;
    this.what = what;
    this.total = total;
    this.shown = io.terminal().isPresent() && total >= 10;
  }

  /** Reports that {@code done} of the total are done. */
  void step(int done) {
    if (shown) {
      io.err().print("\r" + what + " " + done + "/" + total);
      io.err().flush();
    }
  }

  /** Clears the progress line. */
  void end() {
    if (shown) {
      io.err().print("\r" + " ".repeat(what.length() + 24) + "\r");
      io.err().flush();
    }
  }
}
