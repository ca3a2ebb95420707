package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.provider.mem.MemSecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code secrets run}: injection, masking of every form, exit status, files, process cleanup. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RunCommandTest {
  @TempDir Path dir;

  private final MemSecretProvider mem = MemSecretProvider.create();
  private final String canary = CliRun.canary();
  private final Backends.Overrides memBackend = scheme -> scheme.equals("mem")
      ? Optional.of(new UnclosedProvider(mem)) : Optional.empty();

  @AfterEach
  void close() {
    mem.close();
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", dir.toString());
    return env;
  }

  private CliRun.Result run(String... args) {
    return CliRun.run(env(), "", memBackend, args);
  }

  @Test
  void run_childPrintsRawBase64HexAndSplit_everyFormMasked_exitStatusPassedThrough() {
    mem.put("app/token", canary);
    CliRun.Result r = run("run", "TOKEN=mem://app/token", "--", "sh", "-c",
        "printf '%s\\n' \"$TOKEN\";"
            + " printf '%s' \"$TOKEN\" | base64 | tr -d '\\n'; echo;"
            + " printf '%s' \"$TOKEN\" | od -An -tx1 | tr -d ' \\n'; echo;"
            + " printf 'split: %s' \"${TOKEN%????????????}\"; printf '%s\\n' \"${TOKEN#${TOKEN%????????????}}\";"
            + " echo \"err: $TOKEN\" >&2; exit 7");
    assertThat(r.exit()).isEqualTo(7);
    String b64 = Base64.getEncoder().encodeToString(canary.getBytes(StandardCharsets.UTF_8));
    String hex = HexFormat.of().formatHex(canary.getBytes(StandardCharsets.UTF_8));
    assertThat(r.all()).doesNotContain(canary).doesNotContain(b64).doesNotContain(hex)
        .doesNotContain(canary.substring(0, canary.length() - 12));
    assertThat(r.out()).contains("[REDACTED:mem://app/token]").contains("split: [REDACTED");
    assertThat(r.out().lines().count()).isEqualTo(4);
    assertThat(r.err()).contains("err: [REDACTED:mem://app/token]");
  }

  @Test
  void run_defaultVariableName_andRegistryName() throws Exception {
    mem.put("openai/ci", canary);
    Path registry = Files.writeString(dir.resolve("r.yaml"),
        "openai:\n  ci:\n    secret_ref: \"mem://openai/ci\"\n");
    CliRun.Result byRef = run("run", "mem://openai/ci", "--", "sh", "-c", "test \"$OPENAI_CI\" = '" + canary
        + "' && echo same");
    assertThat(byRef.exit()).as(byRef.all()).isZero();
    assertThat(byRef.out()).isEqualTo("same\n");
    CliRun.Result byName = run("--registry", registry.toString(), "run", "--env", "ci", "openai",
        "--", "sh", "-c", "echo ${#OPENAI}");
    assertThat(byName.out().trim()).isEqualTo(String.valueOf(canary.length()));
  }

  @Test
  void run_files_privateDirectoryAndFiles_removedAfterwards_notInEnvironment() throws Exception {
    mem.put("app/token", canary);
    Path parent = Files.createDirectories(dir.resolve("shm"));
    CliRun.Result r = run("run", "--files", parent.toString(), "TOKEN=mem://app/token", "--", "sh",
        "-c", "stat -c '%a' \"$SECRETS_RUN_DIR\" \"$TOKEN_FILE\"; echo \"env:${TOKEN:-unset}\";"
            + " cat \"$TOKEN_FILE\"; echo");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("700\n600\nenv:unset\n[REDACTED:mem://app/token]");
    assertThat(r.all()).doesNotContain(canary);
    try (Stream<Path> left = Files.list(parent)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void run_timeout_stopsTheWholeTree() throws Exception {
    mem.put("app/token", canary);
    Path pidFile = dir.resolve("pid");
    CliRun.Result r = run("run", "--timeout", "2s", "T=mem://app/token", "--", "sh", "-c",
        "sleep 30 & echo $! > '" + pidFile + "'; wait");
    assertThat(r.exit()).isEqualTo(RunCommand.TIMED_OUT);
    assertThat(r.err()).contains("did not finish within");
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    Optional<ProcessHandle> grandchild = ProcessHandle.of(pid);
    if (grandchild.isPresent()) {
      grandchild.get().onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void run_interrupted_stopsChildAndExits130() throws Exception {
    mem.put("app/token", canary);
    Path pidFile = dir.resolve("pid");
    AtomicReference<CliRun.Result> result = new AtomicReference<>();
    Thread t = new Thread(() -> result.set(run("run", "T=mem://app/token", "--", "sh", "-c",
        "echo $$ > '" + pidFile + "'; exec sleep 30")));
    t.start();
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      Thread.onSpinWait();
    }
    t.interrupt();
    t.join(20_000);
    assertThat(result.get().exit()).isEqualTo(RunCommand.INTERRUPTED);
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void run_badInput_oneLineExitTwo_nothingStarted() {
    mem.put("app/token", canary);
    Path marker = dir.resolve("started");
    String touch = "touch '" + marker + "'";
    for (String[] args : new String[][] {
        {"run", "T=mem://app/token"},
        {"run", "--", "sh", "-c", touch},
        {"run", "1BAD=mem://app/token", "--", "sh", "-c", touch},
        {"run", "A=mem://app/token", "A=mem://app/token", "--", "sh", "-c", touch},
        {"run", "--files", dir.resolve("nodir").toString(), "A=mem://app/token", "--", "sh", "-c", touch},
        {"run", "--timeout", "soon", "A=mem://app/token", "--", "sh", "-c", touch},
        {"run", "--value", canary, "A=mem://app/token", "--", "sh", "-c", touch}}) {
      CliRun.Result r = run(args);
      assertThat(r.exit()).as(String.join(" ", args) + r.all()).isEqualTo(SecretsCli.USAGE);
      assertThat(r.err()).hasLineCount(1).doesNotContain(canary);
    }
    CliRun.Result missing = run("run", "A=mem://app/none", "--", "sh", "-c", touch);
    assertThat(missing.exit()).isEqualTo(SecretsCli.NOT_FOUND);
    assertThat(marker).doesNotExist();
    CliRun.Result noCommand = run("run", "A=mem://app/token", "--", dir.resolve("no-such").toString());
    assertThat(noCommand.exit()).isEqualTo(RunCommand.CANNOT_START);
  }

  @Test
  void run_childsOwnDashDashOptions_areNotTakenAsGlobal() {
    mem.put("app/token", canary);
    CliRun.Result r = run("run", "T=mem://app/token", "--", "sh", "-c", "echo \"$1 $2\"", "sh",
        "--env", "prod");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).isEqualTo("--env prod\n");
  }
}
