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
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code op://} references with {@code op read --no-newline <ref>}, authenticated by a
 * service account token in the child's environment.
 *
 * <p>No shell: the argument vector is {@code [op, read, --no-newline, <ref>]}, {@code op} being
 * the real path {@link CliExecutable} checked when the options were built, checked again before
 * each run. The environment is cleared and only the configured variables plus
 * {@code OP_SERVICE_ACCOUNT_TOKEN} are set. Standard output is the value: read into a bounded
 * buffer, never logged, and wiped once copied into the result. The token is registered as
 * credential {@value #TOKEN_KIND} when the backend is made. Standard error is read up to 8 KiB (a
 * word cut by that bound is dropped) and scrubbed before it is cut for a message
 * ({@link ProviderStrings#scrub}: the token, every registered value, anything a token detector
 * recognises).
 *
 * <p>The pipes are read on the fetching thread without blocking ({@link CliRun}): the backend has
 * no threads of its own. Each run's process tree — the CLI and its descendants — ends with the
 * fetch: at once when the CLI outlives the timeout or the backend is closed, and after the CLI
 * exited for any descendant it left behind.
 *
 * <p>Thread-safe; each fetch runs its own process. {@link #close()} ends the runs in progress.
 */
public final class CliBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(CliBackend.class);
  private static final int MAX_STDERR_BYTES = 8 * 1024;

  /** The credential kind the service account token is registered under for redaction. */
  public static final String TOKEN_KIND = "onepassword/service-account-token";

  private final OnePasswordCliOptions options;
  private final ProviderStrings strings;
  private final Set<CliRun> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** Creates a backend; it starts no thread. */
  public CliBackend(OnePasswordCliOptions options) {
    this.options = options;
    this.strings = new ProviderStrings(TOKEN_KIND, options.token()); // before any process sees it
  }

  /** The CLI backend reads only: see {@link Backend#describeItem}. */
  @Override
  public io.secretsdk.spi.SecretDescription describeItem(OnePasswordReference ref) {
    throw new UnsupportedOperationException("the 1Password op CLI backend (service accounts) cannot describe"
        + " items; use a Connect server (OP_CONNECT_HOST) for describe, or run 'op item get' yourself");
  }

  @Override
  public String describe() {
    return "cli(" + options.executable() + ")";
  }

  /**
   * Runs {@code op read} for {@code ref}.
   *
   * @throws io.secretsdk.SecretConfigException if the executable no longer passes its checks
   */
  @Override
  public FetchResult fetch(OnePasswordReference ref) {
    if (closed) {
      throw new IllegalStateException("the 1Password provider is closed");
    }
    CliExecutable.recheck(options.executable());
    CliRun run = new CliRun(start(ref));
    running.add(run);
    CliRun.Output value = new CliRun.Output(options.maxOutputBytes());
    CliRun.Output error = new CliRun.Output(MAX_STDERR_BYTES);
    try {
      CliRun.closeQuietly(run.process().getOutputStream()); // EOF on stdin: op never waits for a prompt
      long deadline = System.nanoTime() + options.timeout().toNanos();
      switch (run.readUntilExit(value, error, deadline, () -> closed)) {
        case TIMED_OUT:
          throw new ProviderUnavailableException(ref.ref(), "the 1Password CLI did not finish"
              + " within " + options.timeout() + " reading " + ref + "; its process tree was ended");
        case CLOSED:
          throw new ProviderUnavailableException(ref.ref(), "the 1Password provider was closed"
              + " while the CLI read " + ref + "; its process tree was ended");
        default:
          break;
      }
      int exit = run.process().exitValue();
      if (exit != 0) {
        throw mapFailure(ref, exit, error.textWithoutCutWord());
      }
      if (value.overflow()) {
        throw new SecretException(ref.ref(), "the value the 1Password CLI printed for " + ref
            + " is larger than the limit of " + options.maxOutputBytes() + " bytes");
      }
      return result(ref, value);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException(ref.ref(), "interrupted while the 1Password CLI read "
          + ref);
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref.ref(), "cannot read the 1Password CLI's output"
          + " for " + ref + " (" + e.getClass().getSimpleName() + ")");
    } finally {
      run.end();
      running.remove(run);
      value.wipe();
      error.wipe();
    }
  }

  private Process start(OnePasswordReference ref) {
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
    try {
      return pb.start();
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref.ref(), "cannot start the 1Password CLI at "
          + options.executable() + " for " + ref + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private FetchResult result(OnePasswordReference ref, CliRun.Output value) {
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

  /** Ends the runs in progress (their fetches fail) and refuses new ones. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (CliRun run : List.copyOf(running)) {
      run.end();
    }
  }
}
