package io.secretsdk.keychain;

import io.secretsdk.SecretConfigException;
import io.secretsdk.keychain.internal.Tool;
import java.nio.file.Path;
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
 * Immutable settings of the {@link KeychainProvider}: which keychain, where its tools are, how
 * long a run may take, and what the tools' environment holds.
 *
 * <p>The tools run without a shell, with a minimal environment: only the variables of
 * {@link #DEFAULT_PASSED_VARIABLES} (plus those added with {@link Builder#passVariable}) are copied
 * from this process when set. Values never appear on a tool's command line, which other users of
 * the machine can read.
 *
 * <p>Thread-safe (immutable).
 */
public final class KeychainOptions {
  /** Default time one tool run may take before its process tree is ended. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** Default largest value read: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
  /** Variables copied from this process into the tools' environment when set. */
  public static final List<String> DEFAULT_PASSED_VARIABLES = List.of(
      "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR");
  /** The Secret Service attribute that holds the ref's service. */
  public static final String DEFAULT_SERVICE_ATTRIBUTE = "service";
  /**
   * The Secret Service attributes tried, in order, for the ref's account: {@code account}, then
   * {@code username} (the one Python's keyring and go-keyring, and so the GitHub CLI, use).
   * Writes use the first.
   */
  public static final List<String> DEFAULT_ACCOUNT_ATTRIBUTES = List.of("account", "username");

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  /** Which keychain the provider talks to. */
  public enum Platform {
    /** The macOS Keychain on macOS, the Secret Service elsewhere (Windows is refused). */
    AUTO,
    /** The freedesktop.org Secret Service over D-Bus (GNOME Keyring, KeePassXC), via secret-tool. */
    SECRET_SERVICE,
    /** The macOS Keychain, via {@code /usr/bin/security}. */
    MACOS
  }

  private final Platform platform;
  private final Tool secretTool;
  private final Tool dbusSend;
  private final Tool security;
  private final Duration timeout;
  private final int maxValueBytes;
  private final String serviceAttribute;
  private final List<String> accountAttributes;
  private final Set<String> passedVariables;
  private final Function<String, String> environment;

  private KeychainOptions(Builder b, Platform platform, Tool secretTool, Tool dbusSend,
      Tool security) {
    this.platform = platform;
    this.secretTool = secretTool;
    this.dbusSend = dbusSend;
    this.security = security;
    this.timeout = b.timeout;
    this.maxValueBytes = b.maxValueBytes;
    this.serviceAttribute = b.serviceAttribute;
    this.accountAttributes = List.copyOf(b.accountAttributes);
    this.passedVariables = Collections.unmodifiableSet(new LinkedHashSet<>(b.passedVariables));
    this.environment = b.environment;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The options for this platform with every default; the tools must be on the {@code PATH}. */
  public static KeychainOptions ofDefaults() {
    return builder().build();
  }

  /** The keychain chosen: never {@link Platform#AUTO}, which is resolved when building. */
  public Platform platform() {
    return platform;
  }

  /** The checked real path of {@code secret-tool}, for the Secret Service. */
  public Optional<Path> secretTool() {
    return Optional.ofNullable(secretTool).map(Tool::path);
  }

  /**
   * The checked real path of {@code dbus-send}, for the Secret Service, when found: it tells a
   * locked keyring from a missing item (without it the two read alike).
   */
  public Optional<Path> dbusSend() {
    return Optional.ofNullable(dbusSend).map(Tool::path);
  }

  /** The checked real path of {@code security}, for the macOS Keychain. */
  public Optional<Path> security() {
    return Optional.ofNullable(security).map(Tool::path);
  }

  /** How long one tool run may take. */
  public Duration timeout() {
    return timeout;
  }

  /** Largest value read, in bytes. */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /** The Secret Service attribute that holds the ref's service. */
  public String serviceAttribute() {
    return serviceAttribute;
  }

  /** The Secret Service attributes tried, in order, for the ref's account; writes use the first. */
  public List<String> accountAttributes() {
    return accountAttributes;
  }

  /** Names of the variables copied from this process's environment into the tools'. */
  public Set<String> passedVariables() {
    return passedVariables;
  }

  /** Where passed variables are read from (the process environment unless a test injects one). */
  public Function<String, String> environment() {
    return environment;
  }

  Tool secretToolChecked() {
    return secretTool;
  }

  Tool dbusSendChecked() {
    return dbusSend;
  }

  Tool securityChecked() {
    return security;
  }

  @Override
  public String toString() {
    return "KeychainOptions[platform=" + platform + ", tools="
        + (platform == Platform.MACOS ? String.valueOf(security.path())
            : secretTool.path() + (dbusSend == null ? "" : ", " + dbusSend.path()))
        + ", timeout=" + timeout + ", maxValueBytes=" + maxValueBytes + ", attributes="
        + serviceAttribute + "/" + accountAttributes + ", passedVariables=" + passedVariables
        + "]";
  }

  /** Builds {@link KeychainOptions}. Not thread-safe; every setter checks its input. */
  public static final class Builder {
    private Platform platform = Platform.AUTO;
    private String osName = System.getProperty("os.name", "");
    private Path secretTool;
    private Path dbusSend;
    private Path security;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private String serviceAttribute = DEFAULT_SERVICE_ATTRIBUTE;
    private List<String> accountAttributes = DEFAULT_ACCOUNT_ATTRIBUTES;
    private final Set<String> passedVariables = new LinkedHashSet<>(DEFAULT_PASSED_VARIABLES);
    private Function<String, String> environment = System::getenv;

    private Builder() {}

    /** Which keychain; {@link Platform#AUTO} (the default) picks by the operating system. */
    public Builder platform(Platform platform) {
      this.platform = Objects.requireNonNull(platform, "platform");
      return this;
    }

    /** The operating system {@link Platform#AUTO} decides by (default: {@code os.name}). */
    public Builder osName(String osName) {
      this.osName = Objects.requireNonNull(osName, "osName");
      return this;
    }

    /** The {@code secret-tool} executable; by default the first on the {@code PATH}. */
    public Builder secretTool(Path executable) {
      this.secretTool = Objects.requireNonNull(executable, "secretTool");
      return this;
    }

    /** The {@code dbus-send} executable; by default the first on the {@code PATH}, if any. */
    public Builder dbusSend(Path executable) {
      this.dbusSend = Objects.requireNonNull(executable, "dbusSend");
      return this;
    }

    /** The {@code security} executable; by default {@code /usr/bin/security}, else the {@code PATH}'s. */
    public Builder security(Path executable) {
      this.security = Objects.requireNonNull(executable, "security");
      return this;
    }

    /** How long one tool run may take before its process tree is ended; positive. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Largest value read; between 1 byte and 64 MiB. */
    public Builder maxValueBytes(int bytes) {
      if (bytes < 1 || bytes > (64 << 20)) {
        throw new IllegalArgumentException("maxValueBytes: must be between 1 and 64 MiB");
      }
      this.maxValueBytes = bytes;
      return this;
    }

    /** The Secret Service attribute for the ref's service (default {@code service}). */
    public Builder serviceAttribute(String name) {
      this.serviceAttribute = attribute("serviceAttribute", name);
      return this;
    }

    /**
     * The Secret Service attributes tried, in order, for the ref's account (default
     * {@link #DEFAULT_ACCOUNT_ATTRIBUTES}); writes use the first.
     */
    public Builder accountAttributes(List<String> names) {
      Objects.requireNonNull(names, "accountAttributes");
      if (names.isEmpty()) {
        throw new IllegalArgumentException("accountAttributes: name at least one");
      }
      names.forEach(n -> attribute("accountAttributes", n));
      this.accountAttributes = List.copyOf(names);
      return this;
    }

    private static String attribute(String field, String name) {
      Objects.requireNonNull(name, field);
      if (!ATTRIBUTE.matcher(name).matches()) {
        throw new IllegalArgumentException(field + ": an attribute name is 1 to 64 letters,"
            + " digits or _.:-");
      }
      return name;
    }

    /**
     * Also copies variable {@code name} into the tools' environment when it is set (say
     * {@code DISPLAY}, for a tool that must show its own prompt).
     *
     * @throws IllegalArgumentException if {@code name} is not a variable name
     */
    public Builder passVariable(String name) {
      Objects.requireNonNull(name, "name");
      if (!VARIABLE.matcher(name).matches()) {
        throw new IllegalArgumentException("passVariable: not a valid variable name");
      }
      passedVariables.add(name);
      return this;
    }

    /** Where passed variables and the default {@code PATH} are read from (tests inject a map). */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Builds the options, finding and checking the tools of the chosen keychain.
     *
     * <p>Each tool is resolved to its real path, which must be a regular file this process may
     * execute, owned by root or the user running this process and writable by neither its group
     * nor others: the tool reads every value the keychain hands out.
     *
     * @throws SecretConfigException if a required tool is not found (the message says what to
     *     install) or a tool fails a check (the message names its path and the check), or
     *     {@link Platform#AUTO} runs on Windows
     */
    public KeychainOptions build() {
      String os = osName.toLowerCase(Locale.ROOT);
      if (platform == Platform.AUTO && os.startsWith("windows")) {
        throw new SecretConfigException(null, 0, "keychain.platform", "the Windows Credential"
            + " Manager is not supported; on Windows use another provider");
      }
      Platform chosen = platform != Platform.AUTO ? platform
          : os.startsWith("mac") ? Platform.MACOS : Platform.SECRET_SERVICE;
      String path = environment.apply("PATH");
      if (chosen == Platform.MACOS) {
        Tool sec = security != null ? Tool.checked("security", security, "keychain.security")
            : Tool.find("security", "/usr/bin")
                .map(p -> Tool.checked("security", p, "keychain.security"))
                .orElseGet(() -> Tool.onPath("security", path, "keychain.security",
                    "it ships with macOS in /usr/bin"));
        return new KeychainOptions(this, chosen, null, null, sec);
      }
      Tool st = secretTool != null ? Tool.checked("secret-tool", secretTool, "keychain.secretTool")
          : Tool.onPath("secret-tool", path, "keychain.secretTool", "install libsecret's tools"
              + " (Debian, Ubuntu: apt-get install libsecret-tools; Fedora: dnf install libsecret;"
              + " Arch: pacman -S libsecret)");
      Tool ds = dbusSend != null ? Tool.checked("dbus-send", dbusSend, "keychain.dbusSend")
          : Tool.find("dbus-send", path).map(p -> Tool.checked("dbus-send", p, "keychain.dbusSend"))
              .orElse(null);
      return new KeychainOptions(this, chosen, st, ds, null);
    }
  }
}
