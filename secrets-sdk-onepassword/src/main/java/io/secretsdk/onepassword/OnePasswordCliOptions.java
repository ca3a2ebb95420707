package io.secretsdk.onepassword;

import io.secretsdk.SecretConfigException;
import io.secretsdk.onepassword.internal.CliExecutable;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Immutable settings for reading {@code op://} references with a 1Password service account
 * through the {@code op} CLI ({@code op read}).
 *
 * <p>The CLI runs without a shell, with a minimal environment: only the variables in
 * {@link #DEFAULT_PASSED_VARIABLES} (plus any added with {@link Builder#passVariable(String)})
 * are copied from this process, and the service account token is added as
 * {@code OP_SERVICE_ACCOUNT_TOKEN} — it never appears in the argument list, which other users
 * can read. {@link #toString()} never shows the token.
 *
 * <p>Thread-safe (immutable).
 */
public final class OnePasswordCliOptions {
  /** Default time one {@code op read} may take before its process tree is destroyed. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** Default largest value accepted on standard output: 10 MiB. */
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 10 << 20;
  /** Variables copied from this process into the CLI's environment when set. */
  public static final List<String> DEFAULT_PASSED_VARIABLES = List.of(
      "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL",
      "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "SSL_CERT_FILE", "SSL_CERT_DIR",
      "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
      "SYSTEMROOT", "USERPROFILE", "APPDATA", "LOCALAPPDATA");

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Set<String> NEVER_PASSED = Set.of(
      "OP_SERVICE_ACCOUNT_TOKEN", "OP_CONNECT_HOST", "OP_CONNECT_TOKEN", "OP_SESSION");

  private final Path executable;
  private final String token;
  private final Duration timeout;
  private final int maxOutputBytes;
  private final Set<String> passedVariables;
  private final Function<String, String> environment;
  private final Clock clock;

  private OnePasswordCliOptions(Builder b, Path executable) {
    this.executable = executable;
    this.token = b.token;
    this.timeout = b.timeout;
    this.maxOutputBytes = b.maxOutputBytes;
    this.passedVariables = Collections.unmodifiableSet(new LinkedHashSet<>(b.passedVariables));
    this.environment = b.environment;
    this.clock = b.clock;
  }

  /** Starts a builder; {@link Builder#token} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The {@code op} executable: the real path, checked when these options were built. */
  public Path executable() {
    return executable;
  }

  /** The service account token. Do not log it. */
  public String token() {
    return token;
  }

  /** How long one {@code op read} may take. */
  public Duration timeout() {
    return timeout;
  }

  /** Largest value accepted on standard output, in bytes. */
  public int maxOutputBytes() {
    return maxOutputBytes;
  }

  /** Names of the variables copied from this process's environment into the CLI's. */
  public Set<String> passedVariables() {
    return passedVariables;
  }

  /** Where passed variables are read from (the process environment unless a test injects one). */
  public Function<String, String> environment() {
    return environment;
  }

  /** The wall clock used to bound how long a one-time password may be cached. */
  public Clock clock() {
    return clock;
  }

  /** Settings without the token. */
  @Override
  public String toString() {
    return "OnePasswordCliOptions[executable=" + executable + ", token=****, timeout=" + timeout
        + ", maxOutputBytes=" + maxOutputBytes + ", passedVariables=" + passedVariables + "]";
  }

  /** Builds {@link OnePasswordCliOptions}. Not thread-safe; every setter checks its input. */
  public static final class Builder {
    private Path executable;
    private String token;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
    private final Set<String> passedVariables = new LinkedHashSet<>(DEFAULT_PASSED_VARIABLES);
    private Function<String, String> environment = System::getenv;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The {@code op} executable; by default the first {@code op} on the {@code PATH} of
     * {@link #environment(Function)} when the options are built. Either way it is resolved to its
     * real path then, and checked then and before each run (see {@link #build()}).
     */
    public Builder executable(Path executable) {
      this.executable = Objects.requireNonNull(executable, "executable");
      return this;
    }

    /**
     * The service account token ({@code OP_SERVICE_ACCOUNT_TOKEN}).
     *
     * @throws IllegalArgumentException if it is blank or holds whitespace or control characters
     */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("token: must not be blank");
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c <= ' ' || c >= 0x7F) {
          throw new IllegalArgumentException(
              "token: must be printable ASCII without spaces (position " + i + ")");
        }
      }
      this.token = token;
      return this;
    }

    /** How long one {@code op read} may take before its process tree is destroyed; positive. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Largest value accepted on standard output; at least 1 byte, at most 512 MiB. */
    public Builder maxOutputBytes(int bytes) {
      if (bytes < 1 || bytes > (512 << 20)) {
        throw new IllegalArgumentException("maxOutputBytes: must be between 1 and 512 MiB");
      }
      this.maxOutputBytes = bytes;
      return this;
    }

    /**
     * Also copies variable {@code name} into the CLI's environment when it is set (e.g.
     * {@code OP_ACCOUNT}).
     *
     * @throws IllegalArgumentException if {@code name} is not a variable name, or is a 1Password
     *     credential variable (the token is passed on its own; Connect settings must not leak in)
     */
    public Builder passVariable(String name) {
      Objects.requireNonNull(name, "name");
      if (!VARIABLE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("passVariable: not a valid variable name");
      }
      if (NEVER_PASSED.contains(name.toUpperCase(Locale.ROOT))
          || name.toUpperCase(Locale.ROOT).startsWith("OP_SESSION_")) {
        throw new IllegalArgumentException("passVariable: " + name + " is never passed through");
      }
      passedVariables.add(name);
      return this;
    }

    /** Where passed variables and the default {@code PATH} are read from (tests inject a map). */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** The wall clock (tests inject a fixed one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the options.
     *
     * <p>The executable is resolved to its real path, which must be a regular file this process
     * may execute; where the file system has POSIX attributes it must also be writable by neither
     * its group nor others, and be owned by root or by the user running this process: whoever may
     * rewrite it would read every secret the token reaches.
     *
     * @throws IllegalStateException if the token is missing, or no executable was given and none
     *     named {@code op} is on the {@code PATH}
     * @throws SecretConfigException if the executable fails one of the checks above; the message
     *     names its path and the check
     */
    public OnePasswordCliOptions build() {
      if (token == null) {
        throw new IllegalStateException("token is required (OP_SERVICE_ACCOUNT_TOKEN)");
      }
      Path exe = executable != null ? executable : findOnPath(environment.apply("PATH"))
          .orElseThrow(() -> new IllegalStateException(
              "the 1Password CLI 'op' is not on the PATH; install it or set its path"));
      return new OnePasswordCliOptions(this, CliExecutable.verify(exe));
    }

    private static Optional<Path> findOnPath(String path) {
      if (path == null || path.isEmpty()) {
        return Optional.empty();
      }
      boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
      for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
        if (dir.isEmpty()) {
          continue; // an empty entry means the working directory: never run op from there
        }
        Path candidate = Path.of(dir, windows ? "op.exe" : "op");
        if (candidate.isAbsolute() && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
      return Optional.empty();
    }
  }
}
