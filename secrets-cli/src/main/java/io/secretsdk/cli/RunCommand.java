package io.secretsdk.cli;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.redact.RedactingOutputStream;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code secrets run [VAR=]NAME|REF... -- COMMAND...}: resolves the listed names or refs, hands
 * them to a child process in its environment (or as 0600 files in a private 0700 directory that is
 * removed afterwards), masks every resolved value and its encodings in the child's stdout and
 * stderr, and exits with the child's status. Values are never in this process's environment or
 * arguments, nor in any file outside that directory. The child's process tree is stopped on
 * timeout, on interrupt, and when the child exits.
 */
final class RunCommand {
  /** Exit code when {@code --timeout} stopped the command (as timeout(1)). */
  static final int TIMED_OUT = 124;
  /** Exit code when the command could not be started (as a shell). */
  static final int CANNOT_START = 127;
  /** Exit code when this process was interrupted while the command ran. */
  static final int INTERRUPTED = 130;

  private static final Pattern VAR = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Duration GRACE = Duration.ofSeconds(2);

  private RunCommand() {}

  /** One value to inject: the variable it goes to and what it is. */
  private record Binding(String variable, Backends.Target target) {}

  static int run(Args a, List<String> command, Backends backends, CliIo io) {
    if (command.isEmpty()) {
      throw new UsageException("run needs a command after --: secrets run NAME... -- COMMAND [ARG...]");
    }
    List<String> words = a.positionals();
    if (words.isEmpty()) {
      throw new UsageException("run needs at least one NAME or REF before --, e.g."
          + " secrets run OPENAI_API_KEY=openai -- ./app");
    }
    Optional<Path> filesParent = a.option("--files").map(Path::of);
    if (filesParent.isPresent() && !Files.isDirectory(filesParent.get())) {
      throw new UsageException("--files " + filesParent.get() + " is not a directory; give one"
          + " such as /dev/shm or $XDG_RUNTIME_DIR (memory-backed is best)");
    }
    Duration timeout = a.option("--timeout").map(t -> SecretsCli.duration("--timeout", t)).orElse(null);
    List<Binding> bindings = bindings(words, backends);

    List<byte[]> values = new ArrayList<>();
    // the global index: it also holds the credentials the SDK registered (a Vault token, the local
    // store's key), which the child inherits through the environment and might print
    RedactionIndex index = RedactionIndex.global();
    Path dir = null;
    try {
      resolve(bindings, backends, values, index, io);
      Map<String, String> childEnv = new LinkedHashMap<>(io.env());
      if (filesParent.isPresent()) {
        dir = Files.createTempDirectory(filesParent.get(), "secrets-run-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        childEnv.put("SECRETS_RUN_DIR", dir.toString());
        for (int i = 0; i < bindings.size(); i++) {
          Path file = dir.resolve(bindings.get(i).variable());
          writePrivate(file, values.get(i));
          childEnv.put(bindings.get(i).variable() + "_FILE", file.toString());
        }
      } else {
        for (int i = 0; i < bindings.size(); i++) {
          childEnv.put(bindings.get(i).variable(), text(values.get(i), bindings.get(i)));
        }
      }
      return execute(command, childEnv, index, timeout, dir, io);
    } catch (IOException e) {
      throw new UsageException("--files: cannot create the private directory in "
          + filesParent.orElse(Path.of(".")) + " (" + e.getClass().getSimpleName() + ")");
    } finally {
      values.forEach(v -> Arrays.fill(v, (byte) 0));
      removeDirectory(dir);
    }
  }

  private static List<Binding> bindings(List<String> words, Backends backends) {
    List<Binding> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      String variable;
      Backends.Target target;
      if (eq > 0 && !word.substring(0, eq).contains("://")) {
        variable = word.substring(0, eq);
        target = backends.target(word.substring(eq + 1));
      } else {
        target = backends.target(word);
        String base = target.name() != null ? target.name()
            : target.ref().path() + target.ref().field().map(f -> "_" + f).orElse("");
        variable = base.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "")
            .toUpperCase(Locale.ROOT);
        if (!variable.isEmpty() && Character.isDigit(variable.charAt(0))) {
          variable = "_" + variable;
        }
      }
      if (!VAR.matcher(variable).matches()) {
        throw new UsageException("not a valid variable name for " + target.label()
            + "; write VAR=" + (target.name() != null ? target.name() : target.ref()));
      }
      if (!seen.add(variable)) {
        throw new UsageException("variable " + variable + " is given twice; write VAR=NAME to"
            + " choose distinct names");
      }
      out.add(new Binding(variable, target));
    }
    return out;
  }

  private static void resolve(List<Binding> bindings, Backends backends, List<byte[]> values,
      RedactionIndex index, CliIo io) {
    Set<String> schemes = new LinkedHashSet<>();
    for (Binding b : bindings) {
      schemes.add(b.target().ref().scheme());
      if (backends.realScheme(b.target().ref().scheme()).equals(LocalSecretProvider.SCHEME)) {
        backends.requireStore();
      }
      backends.provider(b.target().ref().scheme());
    }
    Progress progress = new Progress(io, "resolving", bindings.size());
    try (SecretsClient client = backends.client(schemes, "secrets-cli run")) {
      for (Binding b : bindings) {
        try (Secret s = b.target().name() != null ? client.resolveByName(b.target().name())
            : client.resolve(b.target().ref())) {
          byte[] value = s.revealBytes();
          values.add(value);
          index.register(b.target().ref(), value);
        }
        progress.step(values.size());
      }
    } finally {
      progress.end();
    }
  }

  private static String text(byte[] value, Binding b) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
      if (s.indexOf('\0') >= 0) {
        throw new UsageException(b.target().label() + " holds a NUL byte, which an environment"
            + " variable cannot; use --files DIR");
      }
      return s;
    } catch (CharacterCodingException e) {
      throw new UsageException(b.target().label() + " is not UTF-8 text, which an environment"
          + " variable needs; use --files DIR");
    }
  }

  private static void writePrivate(Path file, byte[] value) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer buf = ByteBuffer.wrap(value);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  private static int execute(List<String> command, Map<String, String> env, RedactionIndex index,
      Duration timeout, Path dir, CliIo io) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    boolean inheritIn = io.in() == System.in;
    pb.redirectInput(inheritIn ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE);
    Set<ProcessHandle> tree = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Process[] started = new Process[1];
    Thread hook = new Thread(() -> {
      if (started[0] != null) {
        stopTree(started[0], tree);
      }
      removeDirectory(dir);
    }, "secrets-run-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    RedactingOutputStream out = new RedactingOutputStream(new Unclosed(io.out()), index);
    RedactingOutputStream err = new RedactingOutputStream(new Unclosed(io.err()), index);
    try {
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        io.err().println("secrets: run: cannot start " + command.get(0) + " ("
            + e.getClass().getSimpleName() + "); check the command name and PATH");
        return CANNOT_START;
      }
      started[0] = p;
      List<Thread> pumps = new ArrayList<>();
      pumps.add(pump(p.getInputStream(), out, "secrets-run-stdout"));
      pumps.add(pump(p.getErrorStream(), err, "secrets-run-stderr"));
      if (!inheritIn) {
        pump(io.in(), p.getOutputStream(), "secrets-run-stdin");
      }
      int exit;
      boolean[] timedOut = new boolean[1];
      try {
        exit = waitFor(p, tree, timeout, timedOut);
      } catch (InterruptedException e) {
        stopTree(p, tree);
        Thread.currentThread().interrupt();
        exit = INTERRUPTED;
      }
      stopTree(p, tree); // what the command left behind would hold the pipes and the values
      for (Thread t : pumps) {
        try {
          t.join(GRACE.toMillis() * 2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (timedOut[0]) {
        err.write(("secrets: run: " + command.get(0) + " did not finish within " + timeout
            + "; stopped it and its child processes\n").getBytes(StandardCharsets.UTF_8));
      }
      return exit;
    } catch (IOException e) {
      return SecretsCli.STORE_ERROR;
    } finally {
      try {
        out.flush();
        err.flush();
      } catch (IOException e) {
        // the terminal went away; nothing left to show
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs anyway
      }
    }
  }

  /** Waits for the exit, noting the process tree as it grows; stops it at the timeout. */
  private static int waitFor(Process p, Set<ProcessHandle> tree, Duration timeout,
      boolean[] timedOut) throws InterruptedException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(tree::add);
      if (System.nanoTime() - deadline > 0) {
        stopTree(p, tree);
        timedOut[0] = true;
        return TIMED_OUT;
      }
    }
    return p.exitValue();
  }

  /** Asks the process and every descendant seen to stop, then forces those still alive. */
  static void stopTree(Process p, Set<ProcessHandle> tree) {
    p.descendants().forEach(tree::add);
    List<ProcessHandle> all = new ArrayList<>(tree);
    all.add(p.toHandle());
    all.forEach(ProcessHandle::destroy);
    long until = System.nanoTime() + GRACE.toNanos();
    for (ProcessHandle h : all) {
      try {
        long left = Math.max(1, until - System.nanoTime());
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  private static Thread pump(InputStream from, OutputStream to, String name) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream in = from) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          to.write(buf, 0, n);
        }
      } catch (IOException e) {
        // the child closed its end, or was stopped
      } finally {
        Arrays.fill(buf, (byte) 0);
        if (!(to instanceof RedactingOutputStream)) {
          try {
            to.close(); // the child's stdin: end of input
          } catch (IOException e) {
            // already gone
          }
        }
      }
    }, name);
    t.setDaemon(true); // a process the command left behind may hold a pipe open: never wait on it
    t.start();
    return t;
  }

  /** Overwrites and deletes the files, then the directory. */
  static void removeDirectory(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        try {
          long size = Files.size(f);
          Files.write(f, new byte[(int) Math.min(size, ValueInput.MAX_VALUE_BYTES)],
              StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
          // deleted below all the same
        }
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort: the directory is private (0700) to this user
    }
  }

  /** Passes writes on; never closes this process's stdout or stderr. */
  private static final class Unclosed extends OutputStream {
    private final OutputStream out;

    Unclosed(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
