package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.provider.mem.MemSecretProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command is listed and documents its exit codes; the documented codes are the real ones. */
final class HelpAndExitCodesTest {
  private static final List<String> COMMANDS = List.of("init", "put", "list", "describe",
      "versions", "rotate", "revoke", "rekey", "check", "run", "scan");

  @TempDir Path dir;

  @Test
  void topLevelHelp_listsEveryCommand_eachCommandHelpHasExitCodes() {
    CliRun.Result top = CliRun.run(Map.of(), "", Backends.NONE, "--help");
    assertThat(top.exit()).isZero();
    for (String command : COMMANDS) {
      assertThat(top.out()).containsPattern("(?m)^  " + command + " ");
      CliRun.Result help = CliRun.run(Map.of(), "", Backends.NONE, command, "--help");
      assertThat(help.exit()).as(command).isZero();
      assertThat(help.out()).as(command).contains("usage: secrets " + command, "Exit codes:");
    }
  }

  @Test
  void documentedUsageErrors_exitTwo_withOneLine() throws Exception {
    for (String[] args : new String[][] {
        {"frobnicate"},
        {"--json", "list"},
        {"--env", "mars", "check"},
        {"--env"},
        {"scan", dir.resolve("missing").toString()},
        {"describe", "a", "b"},
        {"put", "a", "--value", "x"}}) {
      CliRun.Result r = CliRun.run(Map.of("HOME", dir.toString()), "", Backends.NONE, args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(SecretsCli.USAGE);
      assertThat(r.err()).as(String.join(" ", args)).hasLineCount(1).startsWith("secrets: ");
    }
  }

  @Test
  void storeOptionsBeforeOrAfterTheCommand_meanTheSame() {
    Path store = dir.resolve("store.json");
    Map<String, String> env = Map.of("HOME", dir.toString(), "SECRETS_SDK_LOCAL_KEY",
        io.secretsdk.provider.local.LocalKeys.encode(io.secretsdk.provider.local.LocalKeys.generate()));
    String value = CliRun.canary();
    assertThat(CliRun.run(env, value, Backends.NONE, "--store", store.toString(), "put", "a").exit())
        .isZero();
    assertThat(CliRun.run(env, value, Backends.NONE, "put", "a", "--store=" + store).exit()).isZero();
    CliRun.Result list = CliRun.run(env, "", Backends.NONE, "--store", store.toString(), "list");
    assertThat(list.out()).contains("a ").doesNotContain(value);
    CliRun.Result versions = CliRun.run(env, "", Backends.NONE, "versions", "--store",
        store.toString(), "a");
    assertThat(versions.out()).contains("2 (current)").doesNotContain(value);
  }

  @Test
  void missingKeyFile_isNamed_nothingWritten() {
    Path store = dir.resolve("store.json");
    Path keyFile = dir.resolve("typo.key");
    CliRun.Result r = CliRun.run(Map.of("HOME", dir.toString()), CliRun.canary(), Backends.NONE,
        "put", "a", "--store", store.toString(), "--key-file", keyFile.toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).hasLineCount(1).contains(keyFile.toString()).contains("secrets init");
    assertThat(store).doesNotExist();
  }

  @Test
  void valuePastedAsName_isNotEchoed() throws Exception {
    Path registry = Files.writeString(dir.resolve("r.yaml"), "a:\n  ci:\n    secret_ref: \"mem://a\"\n");
    String token = "gh" + "p_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    String pasted = CliRun.canary() + " with spaces";
    for (String word : new String[] {token, pasted}) {
      CliRun.Result r = CliRun.run(Map.of(), "", Backends.NONE, "describe", word, "--registry",
          registry.toString(), "--env", "ci");
      assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
      assertThat(r.err()).hasLineCount(1).contains("not shown").doesNotContain(word);
    }
    assertThat(CliRun.run(Map.of(), "", Backends.NONE, "describe", "openai", "--registry",
        registry.toString()).err()).contains("no name openai in the registry");
  }

  @Test
  void progress_onlyWhenStderrIsATerminal() throws Exception {
    MemSecretProvider mem = MemSecretProvider.create();
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      mem.put("n/" + i, "value-" + i + "-" + CliRun.canary());
      yaml.append("name").append(i).append(":\n  ci:\n    secret_ref: \"mem://n/").append(i)
          .append("\"\n");
    }
    Path registry = Files.writeString(dir.resolve("r.yaml"), yaml);
    Backends.Overrides overrides = s -> Optional.of(new UnclosedProvider(mem));
    String[] args = {"check", "--env", "ci", "--registry", registry.toString()};
    CliRun.Result quiet = CliRun.run(Map.of(), "", overrides, args);
    assertThat(quiet.exit()).isZero();
    assertThat(quiet.err()).isEmpty();

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliIo terminal = new CliIo(new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), message -> null);
    assertThat(SecretsCli.run(args, terminal, overrides, Clock.systemUTC())).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("checking 12/12");
    mem.close();

    String[] scan = new String[13];
    scan[0] = "scan";
    for (int i = 1; i < scan.length; i++) {
      scan[i] = Files.writeString(dir.resolve("log" + i + ".txt"), "line " + i + "\n").toString();
    }
    ByteArrayOutputStream scanErr = new ByteArrayOutputStream();
    ByteArrayOutputStream scanOut = new ByteArrayOutputStream();
    CliIo scanTerminal = new CliIo(new ByteArrayInputStream(new byte[0]),
        new PrintStream(scanOut, true, StandardCharsets.UTF_8),
        new PrintStream(scanErr, true, StandardCharsets.UTF_8), Map.of(), message -> null);
    assertThat(SecretsCli.run(scan, scanTerminal, Backends.NONE, Clock.systemUTC())).isZero();
    assertThat(scanErr.toString(StandardCharsets.UTF_8)).contains("scanning paths 12/12");
    assertThat(scanOut.toString(StandardCharsets.UTF_8)).contains("0 findings in 12 files");
    assertThat(CliRun.run(Map.of(), "", Backends.NONE, scan).err()).isEmpty();
  }
}
