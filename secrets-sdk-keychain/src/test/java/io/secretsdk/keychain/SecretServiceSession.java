package io.secretsdk.keychain;

import io.secretsdk.keychain.internal.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * A real, private Secret Service for the tests: {@code dbus-run-session} with
 * {@code gnome-keyring-daemon} inside, its login keyring created and unlocked with a throwaway
 * password, in fresh 0700 directories ({@code XDG_RUNTIME_DIR}, {@code XDG_DATA_HOME},
 * {@code HOME}) so the user's own keyring is never touched.
 *
 * <p>Started once per test run, by the first test that uses it (through {@link Extension}); ended
 * when the run ends: the session's standard input closes, which ends it, and every process of the
 * tree seen is then asked to stop and forced. Its close checks that no process is left whose
 * environment names the session's directory, and writes a summary line — how many Secret Service
 * tests ran, passed and were skipped, and how many processes were left — to standard error and to
 * {@code secretsdk.keychain.summary} (for {@code .ci/run}).
 *
 * <p>Where {@code dbus-run-session}, {@code gnome-keyring-daemon}, {@code secret-tool} or
 * {@code dbus-send} is missing, every test using it is skipped with that reason (an assumption
 * failure, reported by surefire, and counted in the summary).
 */
final class SecretServiceSession implements AutoCloseable {
  static final List<String> TOOLS =
      List.of("dbus-run-session", "gnome-keyring-daemon", "secret-tool", "dbus-send");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  /** Where the session's tools are looked for; {@code -Dsecretsdk.keychain.sessionPath} changes it. */
  private static final String SYSTEM_PATH =
      System.getProperty("secretsdk.keychain.sessionPath", "/usr/local/bin:/usr/bin:/bin");

  private static final AtomicInteger RAN = new AtomicInteger();
  private static final AtomicInteger FAILED = new AtomicInteger();
  private static final AtomicInteger SKIPPED = new AtomicInteger();

  private final Path root;
  private final Process process;
  private final String busAddress;
  private final Set<ProcessHandle> seen = new LinkedHashSet<>();
  private String skipReason;
  /** Whether this is the run's shared session, which reports the summary when it closes. */
  private boolean shared;

  private SecretServiceSession(Path root, Process process, String busAddress) {
    this.root = root;
    this.process = process;
    this.busAddress = busAddress;
  }

  private static SecretServiceSession unavailable(String reason) {
    SecretServiceSession s = new SecretServiceSession(null, null, null);
    s.skipReason = reason;
    return s;
  }

  /** The session's bus address. */
  String busAddress() {
    return busAddress;
  }

  /** The variables a provider in this session gets: the bus, the runtime dir, HOME, PATH. */
  Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", SYSTEM_PATH);
    env.put("HOME", root.resolve("home").toString());
    env.put("XDG_RUNTIME_DIR", root.resolve("run").toString());
    env.put("DBUS_SESSION_BUS_ADDRESS", busAddress);
    return env;
  }

  /** Options for a provider in this session, with the given tweaks. */
  KeychainOptions.Builder options() {
    Map<String, String> env = environment();
    return KeychainOptions.builder().platform(KeychainOptions.Platform.SECRET_SERVICE)
        .environment(env::get);
  }

  /** Runs a tool inside the session (for set-up, never with a value on its command line). */
  ChildProcess.Output run(List<String> command, byte[] input) throws Exception {
    ChildProcess run = ChildProcess.start(command, environment(), input);
    try {
      return run.await(Duration.ofSeconds(20), 1 << 20, 1 << 16, () -> false);
    } finally {
      run.end();
    }
  }

  /** Locks every collection of the session's keyring (org.freedesktop.Secret.Service.Lock). */
  void lockAll() throws Exception {
    ChildProcess.Output out = run(List.of("dbus-send", "--session", "--print-reply",
        "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.Lock",
        "array:objpath:/org/freedesktop/secrets/collection/login"), new byte[0]);
    if (out.exit() != 0) {
      throw new IllegalStateException("Lock failed: " + out.stderr());
    }
  }

  /**
   * Unlocks the login keyring again: a new daemon replaces the running one, unlocking with the
   * throwaway password on its standard input. It leaves the session's process tree (it
   * daemonizes), so {@link #close()} finds it by its environment and ends it.
   */
  void unlockAll() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("gnome-keyring-daemon", "--replace", "--unlock",
        "--components=secrets");
    pb.environment().clear();
    pb.environment().putAll(environment());
    pb.environment().put("XDG_DATA_HOME", root.resolve("data").toString());
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(password());
    }
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("gnome-keyring-daemon --replace --unlock failed");
    }
    for (int i = 0; i < 200; i++) {
      ChildProcess.Output out = run(List.of("dbus-send", "--session", "--print-reply",
          "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
          "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"), new byte[0]);
      if (new String(out.stdout(), StandardCharsets.UTF_8).contains("boolean true")) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no Secret Service after the unlock");
  }

  /** A session of the test's own (closed by the test), for tests that lock its keyring. */
  static SecretServiceSession startPrivate() {
    SecretServiceSession s = start();
    if (s.skipReason != null) {
      throw new TestAbortedException("Secret Service test skipped: " + s.skipReason);
    }
    return s;
  }

  private static byte[] password() {
    return "throwaway-test-keyring-password".getBytes(StandardCharsets.UTF_8);
  }

  private static SecretServiceSession start() {
    List<String> missing = new ArrayList<>();
    for (String tool : TOOLS) {
      if (Stream.of(SYSTEM_PATH.split(":")).map(d -> Path.of(d, tool)).noneMatch(Files::isExecutable)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      return unavailable("no Secret Service to test against: " + missing + " not installed"
          + " (Debian: apt-get install dbus gnome-keyring libsecret-tools)");
    }
    Path root;
    try {
      root = Files.createTempDirectory("kc-secret-service-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      for (String d : List.of("run", "data", "home")) {
        Files.createDirectory(root.resolve(d),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
    } catch (IOException e) {
      return unavailable("cannot create the session's directories: " + e);
    }
    // the throwaway keyring password reaches the daemon on its standard input, from a variable
    // unset before anything else starts; the session's own stdin is our pipe: closing it ends it
    String script = "printf '%s' \"$KC_TEST_KEYRING_PASSWORD\" | gnome-keyring-daemon --foreground"
        + " --unlock --components=secrets >/dev/null 2>&1 &\n"
        + "unset KC_TEST_KEYRING_PASSWORD\n"
        + "i=0\n"
        + "until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus"
        + " org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null"
        + " | grep -q 'boolean true'; do\n"
        + "  i=$((i+1)); [ $i -gt 300 ] && { echo 'no-secret-service'; exit 3; }; sleep 0.05\n"
        + "done\n"
        + "echo \"bus=$DBUS_SESSION_BUS_ADDRESS\"\n"
        + "exec cat >/dev/null\n";
    ProcessBuilder pb = new ProcessBuilder("dbus-run-session", "--", "bash", "-c", script);
    pb.environment().clear();
    pb.environment().put("PATH", SYSTEM_PATH);
    pb.environment().put("HOME", root.resolve("home").toString());
    pb.environment().put("XDG_RUNTIME_DIR", root.resolve("run").toString());
    pb.environment().put("XDG_DATA_HOME", root.resolve("data").toString());
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().put("KC_TEST_KEYRING_PASSWORD", new String(password(), StandardCharsets.UTF_8));
    pb.redirectError(root.resolve("session.log").toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return unavailable("cannot start dbus-run-session: " + e);
    }
    SecretServiceSession session = null;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      String line = null;
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (out.ready()) {
          line = out.readLine();
          break;
        }
        Thread.sleep(20);
      }
      if (line == null && out.ready()) {
        line = out.readLine();
      }
      session = new SecretServiceSession(root, p,
          line != null && line.startsWith("bus=") ? line.substring(4) : null);
      session.look();
      if (session.busAddress == null) {
        String log = Files.exists(root.resolve("session.log"))
            ? Files.readString(root.resolve("session.log")) : "";
        session.close();
        throw new IllegalStateException("the test Secret Service did not start within "
            + START_TIMEOUT + " (" + line + "): " + log.lines().limit(10).toList());
      }
      return session;
    } catch (IOException | InterruptedException e) {
      if (session != null) {
        session.close();
      } else {
        p.destroyForcibly();
      }
      throw new IllegalStateException("the test Secret Service did not start", e);
    }
  }

  /** Files under the session's directories (the keyring's among them) that hold {@code text}. */
  List<Path> filesContaining(String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(f);
        for (int i = 0; i + needle.length <= content.length; i++) {
          if (java.util.Arrays.equals(content, i, i + needle.length, needle, 0, needle.length)) {
            found.add(f);
            break;
          }
        }
      }
    }
    return found;
  }

  /** Records the session's processes now (one that leaves its parent cannot be found later). */
  void look() {
    if (process != null) {
      process.descendants().forEach(seen::add);
    }
  }

  /** Processes, other than this JVM, whose environment names the session's directory. */
  List<Long> leftovers() {
    List<Long> left = new ArrayList<>();
    String marker = root.toString();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
        try {
          long pid = Long.parseLong(p.getFileName().toString());
          if (pid != ProcessHandle.current().pid()
              && new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8)
                  .contains(marker)
              && !ChildProcess.gone(ProcessHandle.of(pid).orElse(ProcessHandle.current()))) {
            left.add(pid);
          }
        } catch (IOException | RuntimeException e) {
          // gone, or not ours to read
        }
      });
    } catch (IOException e) {
      // no /proc: nothing to check
    }
    return left;
  }

  @Override
  public void close() {
    int leftCount = 0;
    if (process != null) {
      look();
      try (OutputStream in = process.getOutputStream()) {
        in.flush(); // closing our end ends `cat`, and with it the session
      } catch (IOException ignored) {
        // already gone
      }
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<ProcessHandle> tree = new ArrayList<>(seen);
      tree.add(process.toHandle());
      tree.forEach(ProcessHandle::destroy);
      await(tree, Duration.ofSeconds(2));
      tree.stream().filter(h -> !ChildProcess.gone(h)).forEach(ProcessHandle::destroyForcibly);
      await(tree, Duration.ofSeconds(2));
      // daemons that left the tree on purpose (an unlock by --replace) are found by their
      // environment, which names this session's directory
      List<ProcessHandle> strays = new ArrayList<>();
      leftovers().forEach(pid -> ProcessHandle.of(pid).ifPresent(strays::add));
      strays.forEach(ProcessHandle::destroy);
      await(strays, Duration.ofSeconds(2));
      strays.stream().filter(h -> !ChildProcess.gone(h)).forEach(ProcessHandle::destroyForcibly);
      await(strays, Duration.ofSeconds(2));
      leftCount = leftovers().size();
      delete(root);
    }
    if (!shared) {
      if (leftCount > 0) {
        throw new IllegalStateException(leftCount + " process(es) of a private test Secret"
            + " Service outlived it");
      }
      return;
    }
    String summary = "[secrets-sdk-keychain] Secret Service tests: " + RAN.get() + " ran ("
        + (RAN.get() - FAILED.get()) + " passed, " + FAILED.get() + " failed), " + SKIPPED.get()
        + " skipped" + (skipReason == null ? " against gnome-keyring in dbus-run-session"
            : " because " + skipReason) + "; processes left after the session: " + leftCount;
    System.err.println(summary);
    Optional.ofNullable(System.getProperty("secretsdk.keychain.summary")).ifPresent(f -> {
      try {
        Files.writeString(Path.of(f), summary + "\n");
      } catch (IOException e) {
        System.err.println("cannot write " + f + ": " + e);
      }
    });
    if (leftCount > 0) {
      throw new IllegalStateException(leftCount + " process(es) of the test Secret Service"
          + " outlived it");
    }
  }

  private static void await(List<ProcessHandle> tree, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!tree.stream().allMatch(ChildProcess::gone) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void delete(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir: best effort
    }
  }

  /**
   * Gives tests a {@link SecretServiceSession} parameter, starting the session on first use;
   * skips them, with the reason, where it cannot run; counts them for the summary.
   */
  static final class Extension implements BeforeEachCallback, ParameterResolver,
      AfterTestExecutionCallback {
    private static final ExtensionContext.Namespace NS =
        ExtensionContext.Namespace.create(SecretServiceSession.class);

    private static SecretServiceSession session(ExtensionContext context) {
      return context.getRoot().getStore(NS).getOrComputeIfAbsent("session", k -> {
        SecretServiceSession s = start();
        s.shared = true;
        return s;
      }, SecretServiceSession.class);
    }

    private static boolean usesSession(ExtensionContext context) {
      return java.util.Arrays.asList(context.getRequiredTestMethod().getParameterTypes())
          .contains(SecretServiceSession.class);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      if (!usesSession(context)) {
        return;
      }
      SecretServiceSession s = session(context);
      if (s.skipReason != null) {
        SKIPPED.incrementAndGet();
        throw new TestAbortedException("Secret Service test skipped: " + s.skipReason);
      }
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      if (!usesSession(context)) {
        return;
      }
      SecretServiceSession s = session(context);
      if (s.skipReason == null) {
        RAN.incrementAndGet();
        s.look();
        if (context.getExecutionException().isPresent()) {
          FAILED.incrementAndGet();
        }
      }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
      return p.getParameter().getType() == SecretServiceSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
      return session(e);
    }
  }

  /**
   * A canary that does not look random (words and a few digits, made at run time), so only
   * knowing the value can mask it: the scrubbers' random-word rule would mask a UUID anyway.
   */
  static String plainCanary() {
    return "open sesame canary " + (1000 + new java.security.SecureRandom().nextInt(9000));
  }

  /** A random value for a test: "canary-" and a UUID, made at run time. */
  static String canary() {
    return "canary-" + UUID.randomUUID();
  }
}
