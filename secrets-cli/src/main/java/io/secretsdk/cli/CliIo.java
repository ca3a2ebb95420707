package io.secretsdk.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The streams, environment and terminal one run of the command line uses; tests inject their own.
 *
 * <p>Immutable; as thread-safe as the streams it holds.
 *
 * @param in standard input (values for {@code put} when piped)
 * @param out standard output (results)
 * @param err standard error (errors and prompts' explanations)
 * @param env the environment variables
 * @param prompt a no-echo prompt on the terminal, or {@code null} when there is no terminal
 */
public record CliIo(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
    PasswordPrompt prompt) {

  /** Checks and copies. */
  public CliIo {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    env = Map.copyOf(env);
  }

  /** The terminal prompt, when there is a terminal. */
  public Optional<PasswordPrompt> terminal() {
    return Optional.ofNullable(prompt);
  }

  /** Reads a line from the terminal without echoing it. */
  @FunctionalInterface
  public interface PasswordPrompt {
    /**
     * Shows {@code message} and reads a line without echo.
     *
     * @return the characters typed (the caller wipes them), or {@code null} at end of input
     */
    char[] readPassword(String message);
  }
}
