package io.secretsdk.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Secret Service path's failures, each with a typed error saying what to do, against a fake
 * {@code secret-tool} (a script written at test time) where a real keyring cannot be made to fail
 * that way: no session bus, no Secret Service on the bus, a missing or tampered tool, a tool that
 * hangs (its process tree ends with the call), a value over the limit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class SecretServiceFailuresTest {
  private static final FetchContext CONTEXT = FetchContext.of(RunEnvironment.CI);
  private static final SecretRef REF = SecretRef.parse("keychain://payments-ci/stripe");

  @TempDir Path dir;
  private Path tool;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    tool = dir.resolve("bin").resolve("secret-tool");
    Files.createDirectories(tool.getParent());
    env.put("PATH", tool.getParent() + ":/usr/bin:/bin");
    env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("bus"));
    fakeTool("exit 1");
  }

  /** The fake secret-tool: records its arguments, then runs {@code body}. */
  private void fakeTool(String body) throws Exception {
    Files.writeString(tool, "#!/bin/bash\nprintf '%s\\n' \"$*\" >> '" + dir.resolve("argv.log")
        + "'\n" + body + "\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
  }

  private KeychainOptions.Builder options() {
    return KeychainOptions.builder().platform(KeychainOptions.Platform.SECRET_SERVICE)
        .environment(env::get).dbusSend(Path.of("/bin/true").toAbsolutePath())
        .timeout(Duration.ofSeconds(10));
  }

  private boolean toolRan() {
    return Files.exists(dir.resolve("argv.log"));
  }

  @Test
  void noSessionBus_isConfigError_sayingToUseDbusRunSession_andNothingRuns() {
    env.remove("DBUS_SESSION_BUS_ADDRESS");
    env.put("XDG_RUNTIME_DIR", dir.toString()); // no "bus" socket in it
    try (KeychainProvider p = KeychainProvider.create(options().build())) {
      SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
          () -> p.fetch(REF, CONTEXT));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("DBUS_SESSION_BUS_ADDRESS", "dbus-run-session",
          REF.toString());
      assertThatThrownBy(() -> p.write(REF, "v".getBytes(UTF_8), null))
          .isInstanceOf(SecretConfigException.class);
    }
    assertThat(toolRan()).isFalse();
  }

  @Test
  void runtimeDirBus_standsInForTheAddress() throws Exception {
    env.remove("DBUS_SESSION_BUS_ADDRESS");
    env.put("XDG_RUNTIME_DIR", dir.toString());
    Files.createFile(dir.resolve("bus"));
    try (KeychainProvider p = KeychainProvider.create(options().build())) {
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT)).isInstanceOf(SecretNotFoundException.class);
    }
    assertThat(toolRan()).isTrue();
  }

  @Test
  void autolaunchFailure_withoutAnAddress_isTheSameConfigError() throws Exception {
    env.remove("DBUS_SESSION_BUS_ADDRESS");
    env.put("XDG_RUNTIME_DIR", dir.toString());
    Files.createFile(dir.resolve("bus"));
    fakeTool("echo 'secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY' >&2; exit 1");
    try (KeychainProvider p = KeychainProvider.create(options().build())) {
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT)).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("dbus-run-session");
    }
  }

  @Test
  void noSecretServiceOnTheBus_isUnavailable_sayingWhatToStart() throws Exception {
    fakeTool("echo 'secret-tool: The name org.freedesktop.secrets was not provided by any .service"
        + " files' >&2; exit 1");
    try (KeychainProvider p = KeychainProvider.create(options().build())) {
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT))
          .isInstanceOf(ProviderUnavailableException.class)
          .hasMessageContaining("no Secret Service").hasMessageContaining("gnome-keyring-daemon")
          .hasMessageContaining("KeePassXC");
    }
  }

  @Test
  void missingSecretTool_isConfigError_sayingWhatToInstall() {
    env.put("PATH", dir.resolve("empty").toString());
    assertThatThrownBy(() -> options().build()).isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("secret-tool").hasMessageContaining("apt-get install libsecret-tools");
  }

  @Test
  void missingSecretTool_onPath_isFoundWhenPresent() throws Exception {
    KeychainOptions o = KeychainOptions.builder().platform(KeychainOptions.Platform.SECRET_SERVICE)
        .environment(env::get).build();
    assertThat(o.secretTool()).contains(tool.toRealPath());
  }

  @Test
  void groupWritableTool_isRefused_atBuildAndBeforeEachRun() throws Exception {
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxrwx---"));
    assertThatThrownBy(() -> options().secretTool(tool).build())
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("chmod go-w");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    try (KeychainProvider p = KeychainProvider.create(options().secretTool(tool).build())) {
      Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx---rwx"));
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT)).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("writable by its group or others");
    }
    assertThat(toolRan()).isFalse();
  }

  @Test
  void hangingTool_isEndedAtTheTimeout_withItsChildren_andNoThreadIsLeft() throws Exception {
    fakeTool("sleep 30 & echo $! > '" + dir.resolve("child.pid") + "'; wait");
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    try (KeychainProvider p = KeychainProvider.create(options().timeout(Duration.ofMillis(600))
        .build())) {
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT))
          .isInstanceOf(ProviderUnavailableException.class)
          .hasMessageContaining("did not finish within PT0.6S");
    }
    long child = Processes.pidIn(dir.resolve("child.pid"));
    assertThat(Processes.stillRunning(child, Duration.ofSeconds(5))).isFalse();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(c -> c.contains("sleep")).orElse(false))).isEmpty();
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t) && !t.getName().startsWith("process reaper")))
        .isEmpty();
  }

  @Test
  void close_endsARunInProgress() throws Exception {
    fakeTool("sleep 30 & echo $! > '" + dir.resolve("child.pid") + "'; wait");
    KeychainProvider p = KeychainProvider.create(options().timeout(Duration.ofSeconds(20)).build());
    CompletableFuture<Throwable> fetch = CompletableFuture.supplyAsync(() -> {
      try {
        p.fetch(REF, CONTEXT);
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    });
    long child = Processes.pidIn(dir.resolve("child.pid"));
    p.close();
    assertThat(fetch.get(10, TimeUnit.SECONDS)).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("closed");
    assertThat(Processes.stillRunning(child, Duration.ofSeconds(5))).isFalse();
    assertThatThrownBy(() -> p.fetch(REF, CONTEXT)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void valueOverTheLimit_isRefused_withoutShowingIt() throws Exception {
    String value = SecretServiceSession.canary();
    fakeTool("printf '%s' '" + value + value + "'");
    try (KeychainProvider p = KeychainProvider.create(options().maxValueBytes(40).build())) {
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT)).isInstanceOf(SecretException.class)
          .hasMessageContaining("larger than the limit of 40 bytes")
          .hasMessageNotContaining(value.substring(0, 20));
    }
  }

  @Test
  void writeLargerThanAPipeHolds_isRefused_beforeAnythingRuns() throws Exception {
    try (KeychainProvider p = KeychainProvider.create(options().build())) {
      assertThatThrownBy(() -> p.write(REF, new byte[20_000], null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16384");
    }
    assertThat(toolRan()).isFalse();
  }

  @Test
  void write_toolEchoingItsInputInAnError_messageAndLogsLackTheValue() throws Exception {
    String value = SecretServiceSession.plainCanary();
    fakeTool("echo \"secret-tool: cannot store: $(cat)\" >&2; exit 1");
    try (LogCapture logs = new LogCapture();
         KeychainProvider p = KeychainProvider.create(options().build())) {
      SecretException e = catchThrowableOfType(SecretException.class,
          () -> p.write(REF, value.getBytes(UTF_8), null));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("cannot store").doesNotContain(value);
      assertThat(logs.text()).doesNotContain(value);
    }
  }

  @Test
  void write_givesTheValueOnStdin_only() throws Exception {
    String value = SecretServiceSession.canary();
    Path got = dir.resolve("stdin.bin");
    fakeTool("cat > '" + got + "'");
    try (KeychainProvider p = KeychainProvider.create(options().build())) {
      p.write(REF, value.getBytes(UTF_8), null);
    }
    assertThat(Files.readString(got)).isEqualTo(value);
    assertThat(Files.readString(dir.resolve("argv.log")))
        .isEqualTo("store --label=payments-ci/stripe -- service payments-ci account stripe\n");
  }
}
