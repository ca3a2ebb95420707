package io.secretsdk.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A small strict argument parser: {@code --name value}, {@code --name=value}, flags, and
 * positionals. Errors never quote what the user typed after an {@code =} or in a positional, since
 * that could be a value pasted by mistake.
 */
final class Args {
  /** Options no subcommand takes, because a value must never come from the command line. */
  private static final List<String> VALUE_WORDS = List.of("value", "secret", "password", "token",
      "from-env", "data");

  private final Map<String, List<String>> options = new LinkedHashMap<>();
  private final List<String> positionals = new ArrayList<>();
  private boolean help;

  private Args() {}

  /**
   * Parses {@code args}.
   *
   * @param withValue options that take a value
   * @param flags options that take none
   * @throws UsageException on an unknown option, a missing value, or a value-bearing option
   */
  static Args parse(List<String> args, Set<String> withValue, Set<String> flags) {
    Args a = new Args();
    boolean onlyPositionals = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (onlyPositionals || !arg.startsWith("-") || arg.equals("-")) {
        a.positionals.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        onlyPositionals = true;
        continue;
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        a.help = true;
        continue;
      }
      int eq = arg.indexOf('=');
      String name = (eq >= 0 ? arg.substring(0, eq) : arg);
      String bare = name.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
      if (flags.contains(name)) {
        if (eq >= 0) {
          throw new UsageException("option " + name + " takes no value");
        }
        a.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
      } else if (withValue.contains(name)) {
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new UsageException("option " + name + " needs a value");
        }
        a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } else {
        refuseValueOption(name, bare);
        throw new UsageException("unknown option " + name);
      }
    }
    return a;
  }

  /** An option a command does not know that looks like it carries a secret value. */
  private static void refuseValueOption(String name, String bare) {
    for (String word : VALUE_WORDS) {
      if (bare.equals(word) || bare.startsWith(word + "-") || bare.endsWith("-" + word)
          || (bare.length() == 1 && word.startsWith(bare))) {
        throw new UsageException("option " + name + " is refused: secret values are never taken"
            + " from arguments or the environment (they leak into shell history and process"
            + " listings). Pipe the value on stdin, or run without input to be prompted without"
            + " echo");
      }
    }
  }

  boolean help() {
    return help;
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  Optional<String> option(String name) {
    List<String> v = options.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (v.size() > 1) {
      throw new UsageException("option " + name + " is given more than once");
    }
    return Optional.of(v.get(0));
  }

  List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }

  List<String> positionals() {
    return positionals;
  }

  /** The positionals, requiring exactly {@code names.length} of them. */
  List<String> positionals(String command, String... names) {
    if (positionals.size() < names.length) {
      throw new UsageException(command + " needs " + String.join(" ", names)
          + "; see 'secrets " + command + " --help'");
    }
    if (positionals.size() > names.length) {
      throw new UsageException(command + " takes " + (names.length == 0 ? "no arguments"
          : "only " + String.join(" ", names)) + " but got " + positionals.size()
          + " (extra arguments are not shown: if one was a secret value, pipe it on stdin instead)");
    }
    return positionals;
  }
}
