package io.secretsdk.keychain.internal;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretException;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.keychain.KeychainReference;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the keychain tools for one backend: each run in a minimal environment built afresh from the
 * variables the options pass, bounded by the timeout, and its process tree ended before the call
 * returns. Failures to run at all become {@link ProviderUnavailableException}s naming the tool and
 * the ref; what the tool wrote on standard error is scrubbed by {@link #reason}.
 *
 * <p>Thread-safe; {@link #close()} ends the runs in progress and refuses new ones.
 */
public final class ToolRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ToolRunner.class);
  /** Standard error kept from one run. */
  static final int MAX_STDERR_BYTES = 8 * 1024;
  /** Longest scrubbed tool text put into a message. */
  static final int MAX_REASON_CHARS = 300;

  private final String what;
  private final Duration timeout;
  private final Set<String> passed;
  private final Map<String, String> fixed;
  private final Function<String, String> environment;
  private final Set<ChildProcess> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param what the keychain, for messages ({@code the Secret Service})
   * @param passed names of the variables copied from {@code environment} when set
   * @param fixed variables every run gets whatever the environment says ({@code LC_ALL})
   */
  public ToolRunner(String what, Duration timeout, Set<String> passed, Map<String, String> fixed,
      Function<String, String> environment) {
    this.what = what;
    this.timeout = timeout;
    this.passed = Set.copyOf(passed);
    this.fixed = Map.copyOf(fixed);
    this.environment = environment;
  }

  /** The value of variable {@code name} as runs see it, or null. */
  public String variable(String name) {
    return fixed.containsKey(name) ? fixed.get(name)
        : passed.contains(name) ? environment.apply(name) : null;
  }

  /** The environment of the next run: the passed variables that are set, and the fixed ones. */
  public Map<String, String> childEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : passed) {
      String v = environment.apply(name);
      if (v != null) {
        env.put(name, v);
      }
    }
    env.putAll(fixed);
    return env;
  }

  /**
   * Runs {@code tool} with {@code args}, giving it {@code input} on standard input.
   *
   * @param doing what the run does, for messages ({@code reading})
   * @return the finished run's output; the caller wipes it
   * @throws ProviderUnavailableException if the tool cannot be started or read, outlives the
   *     timeout, or this runner is closed meanwhile
   */
  public ChildProcess.Output run(KeychainReference ref, Tool tool, List<String> args, byte[] input,
      int maxStdout, String doing) {
    if (closed) {
      throw new IllegalStateException("the keychain provider is closed");
    }
    Tool.checked(tool.name(), tool.path(), "keychain." + tool.name()); // as it is now, not as it was
    List<String> command = new ArrayList<>(args.size() + 1);
    command.add(tool.path().toString());
    command.addAll(args);
    LOG.debug("running {} {} for {}", tool.name(), args.isEmpty() ? "" : args.get(0), ref);
    ChildProcess run = null;
    try {
      run = ChildProcess.start(command, childEnvironment(), input);
      running.add(run);
      return run.await(timeout, maxStdout, MAX_STDERR_BYTES, () -> closed);
    } catch (IOException e) {
      if (closed) { // close() ended the run and its pipes under us
        throw cancelled(ref, tool, doing);
      }
      throw new ProviderUnavailableException(ref.ref(), "cannot read what " + tool.name()
          + " wrote " + doing + " " + ref + " (" + e.getClass().getSimpleName() + ")");
    } catch (ChildProcess.NotFinished e) {
      if (e.stop() == null) {
        throw new ProviderUnavailableException(ref.ref(), "cannot start " + tool.name() + " at "
            + tool.path() + " " + doing + " " + ref + " (" + e.getMessage() + "); is it still"
            + " installed?");
      }
      if (e.stop() == ChildProcess.Stop.CANCELLED) {
        throw cancelled(ref, tool, doing);
      }
      throw new ProviderUnavailableException(ref.ref(), tool.name() + " did not finish within "
          + timeout + " " + doing + " " + ref + " (" + what + " may be waiting for an unlock"
          + " prompt nobody answers); its process tree was ended");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException(ref.ref(), "interrupted while " + tool.name()
          + " was " + doing + " " + ref);
    } finally {
      if (run != null) {
        run.end();
        running.remove(run);
      }
    }
  }

  private static ProviderUnavailableException cancelled(KeychainReference ref, Tool tool,
      String doing) {
    return new ProviderUnavailableException(ref.ref(), "the keychain provider was closed while "
        + tool.name() + " was " + doing + " " + ref + "; its process tree was ended");
  }

  /** {@code stderr} fit for a message: registered values and key-like words masked, then cut. */
  public static String reason(String stderr, KeychainReference ref) {
    return reason(stderr, ref, null);
  }

  /**
   * As {@link #reason(String, KeychainReference)}, also masking what {@code written} holds (the
   * value a write gave the tool, in every encoding the index knows, hex included): a tool that
   * echoes its input in an error must not put it into the message.
   */
  public static String reason(String stderr, KeychainReference ref, RedactionIndex written) {
    String s = ProviderText.scrub(stderr == null ? "" : stderr.strip(), MAX_REASON_CHARS, written,
        ref.toString());
    return s.replaceAll("\\s+", " ").strip();
  }

  /**
   * A failure no rule recognised: the tool's exit status and its scrubbed standard error.
   */
  public static SecretException unrecognised(KeychainReference ref, String tool, String doing,
      int exit, String reason) {
    return new SecretException(ref.ref(), tool + " failed (exit " + exit + ") " + doing + " " + ref
        + (reason.isEmpty() ? "" : ": " + reason));
  }

  /** A private index holding only {@code value}, to scrub what a tool wrote while it had it. */
  public static RedactionIndex holding(KeychainReference ref, byte[] value) {
    RedactionIndex index = RedactionIndex.create();
    index.register(ref.ref(), value);
    return index;
  }

  /** Whether the lower-cased {@code text} holds any of {@code needles}. */
  public static boolean mentions(String text, String... needles) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    for (String n : needles) {
      if (lower.contains(n)) {
        return true;
      }
    }
    return false;
  }

  /** Ends the runs in progress (their calls fail) and refuses new ones. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (ChildProcess run : List.copyOf(running)) {
      run.end();
    }
  }

  /** The real path of {@code tool}, for {@code toString()}. */
  public static String describe(Tool tool) {
    return tool == null ? "none" : tool.path().toString();
  }

  /** The timeout of one run, in milliseconds. */
  public long timeoutMillis() {
    return timeout.toMillis();
  }
}
