package io.secretsdk.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/** Runs the command line in-process with injected streams, environment and providers. */
final class CliRun {
  private CliRun() {}

  /** What one run printed and returned. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  /** A value made at run time, so no test output can contain it by accident. */
  static String canary() {
    return "canary-" + UUID.randomUUID();
  }

  static Result run(Map<String, String> env, String stdin, Backends.Overrides overrides,
      String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliIo io = new CliIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, null);
    int exit = SecretsCli.run(args, io, overrides, Clock.systemUTC());
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
