package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs README's operator example (check, rotate, versions, run, revoke) command by command and
 * compares each command's output with the README's, after replacing the run's directory with
 * {@code $PWD} and masking timestamps and key ids, which differ per run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SecretsCliOperatorReadmeTest {
  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z *");
  private static final Pattern KEY_ID = Pattern.compile("key id [0-9a-f]+");

  @TempDir Path dir;

  @Test
  void readme_operatorExample_outputMatches_noValueShown() throws Exception {
    Path root = root();
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.createDirectories(work.resolve("build"));
    copy(root.resolve("configs/secrets-registry.yaml"), work.resolve("configs/secrets-registry.yaml"));
    copy(root.resolve("configs/secrets-policy.json"), work.resolve("configs/secrets-policy.json"));
    List<String> lines = block(Files.readString(root.resolve("README.md"))).lines().toList();

    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", dir.toString());
    List<String> canaries = new ArrayList<>();
    int commands = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("$ ")) {
        continue;
      }
      StringBuilder expected = new StringBuilder();
      for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("$ "); j++) {
        expected.append(lines.get(j)).append('\n');
      }
      String command = line.substring(2);
      int exitExpected = 0;
      Matcher exits = Pattern.compile("\\s+# exits (\\d+)$").matcher(command);
      if (exits.find()) {
        exitExpected = Integer.parseInt(exits.group(1));
        command = command.substring(0, exits.start());
      }
      String stdin = "";
      if (command.startsWith("printf %s ")) {
        stdin = CliRun.canary();
        canaries.add(stdin);
        command = command.substring(command.indexOf('|') + 1).trim();
      }
      List<String> words = words(command);
      String actual;
      if (words.get(0).equals("export")) {
        for (String pair : words.subList(1, words.size())) {
          int eq = pair.indexOf('=');
          env.put(pair.substring(0, eq), work.resolve(pair.substring(eq + 1)).toString());
        }
        actual = "";
      } else if (words.get(0).equals("cat")) {
        actual = Files.readString(work.resolve(words.get(1)));
      } else {
        assertThat(words.get(0)).isEqualTo("secrets");
        List<String> args = new ArrayList<>();
        for (String w : words.subList(1, words.size())) {
          args.add(w.startsWith("build/") ? work.resolve(w).toString() : w);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = SecretsCli.run(args.toArray(String[]::new), new CliIo(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), env, null), Backends.NONE,
            Clock.systemUTC());
        actual = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(command + "\n" + actual).isEqualTo(exitExpected);
        commands++;
      }
      for (String canary : canaries) {
        assertThat(actual).doesNotContain(canary);
      }
      assertThat(normalize(actual.replace(work.toString(), "$PWD"))).as(command)
          .isEqualTo(normalize(expected.toString()));
    }
    assertThat(commands).isGreaterThanOrEqualTo(9);
    try (var files = Files.walk(work)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(f, StandardCharsets.ISO_8859_1);
        canaries.forEach(c -> assertThat(text).as(f.toString()).doesNotContain(c));
      }
    }
  }

  private static String normalize(String text) {
    return KEY_ID.matcher(TIME.matcher(text).replaceAll("<time> ")).replaceAll("key id <id>")
        .strip();
  }

  /** Shell-like words: single and double quotes group, and are removed. */
  static List<String> words(String command) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : command.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(w.toString());
    }
    return out;
  }

  private static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    Files.copy(from, to);
  }

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return here.getFileName().toString().equals("secrets-cli") ? here.getParent() : here;
  }

  private static String block(String readme) {
    Matcher m = Pattern.compile(Pattern.quote("<!-- example:operator") + "[^>]*-->\\s*```console\\n(.*?)```",
        Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("README has the operator example").isTrue();
    return m.group(1);
  }
}
