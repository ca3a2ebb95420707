package io.secretsdk.onepassword.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.onepassword.AmbiguousReferenceException;
import io.secretsdk.onepassword.OnePasswordCliOptions;
import io.secretsdk.onepassword.OnePasswordReference;
import io.secretsdk.onepassword.OnePasswordReference.Attribute;
import io.secretsdk.spi.FetchResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code op://} references with {@code op read --no-newline <ref>}, authenticated by a
 * service account token in the child's environment.
 *
 * <p>No shell: the argument vector is {@code [op, read, --no-newline, <ref>]}. The environment is
 * cleared and only the configured variables plus {@code OP_SERVICE_ACCOUNT_TOKEN} are set.
 * Standard output is the value: read into a bounded buffer on a worker thread, never logged, and
 * wiped once copied into the result. The token is registered as credential {@value #TOKEN_KIND}
 * when the backend is made. Standard error is read up to 8 KiB (a word cut by that bound is
 * dropped) and scrubbed before it is cut for a message ({@link ProviderStrings#scrub}: the token,
 * every registered value, anything a token detector recognises). A call that outlives the
 * timeout has its whole process tree destroyed.
 *
 * <p>Thread-safe; each fetch runs its own process. {@link #close()} stops the I/O threads.
 */
public final class CliBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(CliBackend.class);
  private static final int MAX_STDERR_BYTES = 8 * 1024;
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** The credential kind the service account token is registered under for redaction. */
  public static final String TOKEN_KIND = "onepassword/service-account-token";

  private final OnePasswordCliOptions options;
  private final ProviderStrings strings;
  private final ExecutorService io;
  private volatile boolean closed;

  /** Creates a backend; its I/O threads are daemon threads stopped by {@link #close()}. */
  public CliBackend(OnePasswordCliOptions options) {
    this.options = options;
    this.strings = new ProviderStrings(TOKEN_KIND, options.token()); // before any process sees it
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "secrets-sdk-op-io-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.io = Executors.newCachedThreadPool(factory);
  }

  /** The I/O executor, for tests that check {@link #close()} stopped it. */
  public ExecutorService ioExecutor() {
    return io;
  }

  @Override
  public String describe() {
    return "cli(" + options.executable() + ")";
  }

  @Override
  public FetchResult fetch(OnePasswordReference ref) {
    if (closed) {
      throw new IllegalStateException("the 1Password provider is closed");
    }
    List<String> command = List.of(
        options.executable().toString(), "read", "--no-newline", ref.toOpString());
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.clear();
    for (String name : options.passedVariables()) {
      String v = options.environment().apply(name);
      if (v != null) {
        env.put(name, v);
      }
    }
    env.put("OP_SERVICE_ACCOUNT_TOKEN", options.token());
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);

    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref.ref(), "cannot start the 1Password CLI at "
          + options.executable() + " for " + ref + " (" + e.getClass().getSimpleName() + ")");
    }
    Future<Bounded> stdout = null;
    Future<Bounded> stderr = null;
    try {
      closeQuietly(process.getOutputStream()); // EOF on stdin: op must never wait for a prompt
      InputStream out = process.getInputStream();
      InputStream err = process.getErrorStream();
      stdout = io.submit(() -> Bounded.read(out, options.maxOutputBytes()));
      stderr = io.submit(() -> Bounded.read(err, MAX_STDERR_BYTES));

      long deadline = System.nanoTime() + options.timeout().toNanos();
      if (!process.waitFor(options.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
        destroyTree(process);
        throw new ProviderUnavailableException(ref.ref(), "the 1Password CLI did not finish"
            + " within " + options.timeout() + " reading " + ref + "; its process was destroyed");
      }
      int exit = process.exitValue();
      long left = Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1));
      Bounded value = stdout.get(left, TimeUnit.NANOSECONDS);
      Bounded error = stderr.get(left, TimeUnit.NANOSECONDS);
      if (exit != 0) {
        value.wipe();
        throw mapFailure(ref, exit, error.textWithoutCutWord());
      }
      error.wipe();
      if (value.overflow) {
        value.wipe();
        throw new SecretException(ref.ref(), "the value the 1Password CLI printed for " + ref
            + " is larger than the limit of " + options.maxOutputBytes() + " bytes");
      }
      byte[] bytes = value.bytes();
      try {
        FetchResult.Builder b = FetchResult.builder(bytes);
        if (ref.attribute().orElse(Attribute.VALUE) == Attribute.OTP) {
          // op prints only the code; 1Password's codes are 30-second TOTPs, so cache to the period's end
          Instant now = options.clock().instant();
          long into = Math.floorMod(now.getEpochSecond(), 30L);
          b.ttl(Duration.ofSeconds(30 - into));
        }
        return b.metadata("op.backend", "cli").build();
      } finally {
        Arrays.fill(bytes, (byte) 0);
        value.wipe();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      destroyTree(process);
      throw new ProviderUnavailableException(ref.ref(), "interrupted while the 1Password CLI read "
          + ref);
    } catch (TimeoutException e) {
      destroyTree(process);
      throw new ProviderUnavailableException(ref.ref(), "the 1Password CLI kept its output open"
          + " after exiting while reading " + ref + "; its process tree was destroyed");
    } catch (ExecutionException e) {
      destroyTree(process);
      throw new ProviderUnavailableException(ref.ref(), "cannot read the 1Password CLI's output"
          + " for " + ref + " (" + e.getCause().getClass().getSimpleName() + ")");
    } finally {
      if (stdout != null && !stdout.isDone()) {
        stdout.cancel(true);
      }
      if (stderr != null && !stderr.isDone()) {
        stderr.cancel(true);
      }
      closeQuietly(process.getInputStream());
      closeQuietly(process.getErrorStream());
    }
  }

  private SecretException mapFailure(OnePasswordReference ref, int exit, String stderr) {
    String reason = strings.scrub(stderr);
    String lower = reason.toLowerCase(Locale.ROOT);
    String message = "the 1Password CLI failed (exit " + exit + ") reading " + ref
        + (reason.isEmpty() ? "" : ": " + reason);
    LOG.debug("op read failed for {} with exit {}", ref, exit);
    if (exit == 126 || exit == 127) {
      return new SecretException(ref.ref(), message + " (the CLI could not be executed)");
    }
    if (containsAny(lower, "429", "too many requests", "rate limit")) {
      return new ProviderUnavailableException(ref.ref(), message);
    }
    if (containsAny(lower, "401", "403", "unauthorized", "forbidden", "invalid token",
        "token is invalid", "invalid service account", "not authorized", "access denied",
        "permission denied", "authentication", "expired")) {
      return new SecretAccessDeniedException(ref.ref(), message);
    }
    if (containsAny(lower, "more than one", "multiple items", "multiple vaults",
        "multiple fields", "ambiguous")) {
      return new AmbiguousReferenceException(ref.ref(), reason);
    }
    if (containsAny(lower, "isn't a vault", "isn't an item", "isn't a field", "isn't a section",
        "not found", "no item", "could not find", "doesn't exist", "does not exist", "no such")) {
      return new SecretNotFoundException(ref.ref(), message);
    }
    if (containsAny(lower, "invalid secret reference", "invalid reference", "could not parse",
        "invalid character", "unsupported")) {
      return new InvalidSecretRefException(ref.ref(), message);
    }
    if (exit > 128 || containsAny(lower, "timeout", "timed out", "connection", "network",
        "dial tcp", "eof", "502", "503", "504", "500", "temporar", "unavailable")) {
      return new ProviderUnavailableException(ref.ref(), message);
    }
    return new SecretException(ref.ref(), message);
  }

  private static boolean containsAny(String text, String... needles) {
    for (String n : needles) {
      if (text.contains(n)) {
        return true;
      }
    }
    return false;
  }

  private static void destroyTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing to do: the process is gone or going
    }
  }

  @Override
  public void close() {
    closed = true;
    io.shutdownNow();
  }

  /** Up to {@code max} bytes of a stream; the rest is drained and dropped so the child never blocks. */
  static final class Bounded {
    private byte[] buf;
    private int len;
    boolean overflow;

    static Bounded read(InputStream in, int max) throws IOException {
      Bounded b = new Bounded();
      b.buf = new byte[Math.min(max, 8192)];
      byte[] chunk = new byte[8192];
      try {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          int keep = Math.min(n, max - b.len);
          if (keep < n) {
            b.overflow = true;
          }
          if (keep > 0) {
            if (b.len + keep > b.buf.length) {
              byte[] bigger = Arrays.copyOf(b.buf, Math.min(max, Math.max(b.buf.length * 2, b.len + keep)));
              Arrays.fill(b.buf, (byte) 0);
              b.buf = bigger;
            }
            System.arraycopy(chunk, 0, b.buf, b.len, keep);
            b.len += keep;
          }
        }
      } finally {
        Arrays.fill(chunk, (byte) 0);
      }
      return b;
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, len);
    }

    String text() {
      return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    /**
     * {@link #text()}, but when the stream was cut, without the word the cut went through: a token
     * cut in two matches no registered credential nor token format, so its first part is dropped
     * rather than scrubbed.
     */
    String textWithoutCutWord() {
      String t = text();
      if (!overflow) {
        return t;
      }
      int end = t.length();
      while (end > 0 && !Character.isWhitespace(t.charAt(end - 1))) {
        end--;
      }
      return t.substring(0, end) + "…";
    }

    void wipe() {
      Arrays.fill(buf, (byte) 0);
    }
  }
}
