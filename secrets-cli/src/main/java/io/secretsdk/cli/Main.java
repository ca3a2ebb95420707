package io.secretsdk.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Entry point of {@code java -jar secrets.jar}; everything else is in {@link SecretsCli}. */
public final class Main {
  private Main() {}

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    Console console = System.console();
    CliIo.PasswordPrompt prompt = isTerminal(console)
        ? message -> console.readPassword("%s", message) : null;
    CliIo io = new CliIo(System.in, System.out, System.err, System.getenv(), prompt);
    System.exit(SecretsCli.run(args, io));
  }

  /**
   * Whether {@code console} is an interactive terminal: on Java 22+ {@link System#console()} also
   * returns a console when input is piped, and {@code Console.isTerminal()} tells them apart.
   */
  private static boolean isTerminal(Console console) {
    if (console == null) {
      return false;
    }
    try {
      Method m = Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 17-21: a non-null console is a terminal
    }
  }
}
