package io.secretsdk.cli;

import io.secretsdk.RunEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options every command accepts, taken from anywhere on the line before a {@code --}
 * ({@code secrets --env prod check} and {@code secrets check --env prod} mean the same), and the
 * words left for the command.
 */
final class GlobalOptions {
  /** Global options, each taking a value. */
  static final Set<String> NAMES = Set.of("--store", "--key-file", "--registry", "--policy", "--env",
      "--format");

  private final Map<String, String> values;
  private final List<String> rest;

  private GlobalOptions(Map<String, String> values, List<String> rest) {
    this.values = values;
    this.rest = rest;
  }

  /**
   * Splits {@code args} into global options and the rest (the command and its words, in order).
   *
   * @throws UsageException if a global option lacks its value or is given twice
   */
  static GlobalOptions extract(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--")) {
        rest.addAll(args.subList(i, args.size()));
        break;
      }
      int eq = arg.indexOf('=');
      String name = eq >= 0 ? arg.substring(0, eq) : arg;
      if (!NAMES.contains(name)) {
        rest.add(arg);
        continue;
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size() && !args.get(i + 1).equals("--")) {
        value = args.get(++i);
      } else {
        throw new UsageException("option " + name + " needs a value");
      }
      if (value.isBlank()) {
        throw new UsageException("option " + name + " needs a non-empty value");
      }
      if (values.put(name, value) != null) {
        throw new UsageException("option " + name + " is given more than once");
      }
    }
    return new GlobalOptions(values, rest);
  }

  Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The words after the global options were taken out. */
  List<String> rest() {
    return rest;
  }

  /** Whether {@code --format json} was asked for ({@code text} is the default). */
  boolean json() {
    String format = get("--format").orElse("text");
    if (!format.equals("text") && !format.equals("json")) {
      throw new UsageException("--format takes text or json");
    }
    return format.equals("json");
  }

  /** {@code --env}, else {@value RunEnvironment#ENV_VARIABLE} / CI detection. */
  RunEnvironment environment(Map<String, String> env) {
    Optional<String> key = get("--env");
    try {
      return key.isPresent() ? RunEnvironment.fromKey(key.get()) : RunEnvironment.detect(env);
    } catch (IllegalArgumentException e) {
      throw new UsageException((key.isPresent() ? "--env" : "$" + RunEnvironment.ENV_VARIABLE)
          + " takes local, dev, ci or prod");
    }
  }
}
