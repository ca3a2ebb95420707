package io.secretsdk.keychain.internal;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.keychain.KeychainLockedException;
import io.secretsdk.keychain.KeychainReference;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The freedesktop.org Secret Service (GNOME Keyring, KeePassXC, KWallet's bridge) through
 * libsecret's {@code secret-tool}, the reference client: it negotiates the encrypted transfer
 * session, follows collection aliases and asks the service to unlock (which shows the desktop's
 * prompt where there is one).
 *
 * <ul>
 *   <li>read: {@code secret-tool lookup <service-attr> S <account-attr> A}, for each account
 *       attribute in turn; the value is standard output;</li>
 *   <li>write: {@code secret-tool store --label=S/A <service-attr> S <account-attr> A}, the value
 *       on standard input (never on the command line);</li>
 *   <li>delete: {@code secret-tool clear ...} (every item with these attributes);</li>
 *   <li>{@code dbus-send} (when installed) asks the service's {@code SearchItems} and the items'
 *       properties, which never carry a value: to tell a locked keyring from a missing item when a
 *       lookup finds nothing (libsecret reports both alike), and to describe an item.</li>
 * </ul>
 *
 * <p>Thread-safe; each call runs its own processes.
 */
public final class SecretServiceBackend implements Backend {
  private static final String SECRETS = "org.freedesktop.secrets";
  private static final String UNLOCK_HINT = "unlock it: in a desktop session, unlock the login"
      + " keyring (GNOME: Passwords and Keys; KeePassXC: open the database that serves the Secret"
      + " Service); headless, start the daemon unlocked with the keyring password on standard"
      + " input: gnome-keyring-daemon --unlock --components=secrets";
  /** An item's object path as SearchItems returns it; nothing else is passed on to dbus-send. */
  private static final Pattern OBJECT_PATH =
      Pattern.compile("object path \"(/org/freedesktop/secrets/[A-Za-z0-9_/]{1,200})\"");
  private static final Pattern LOCKED = Pattern.compile("string \"Locked\"\\s+variant\\s+boolean (\\w+)");
  private static final Pattern LABEL = Pattern.compile("string \"Label\"\\s+variant\\s+string \"(.*)\"\\R");
  private static final Pattern TIME = Pattern.compile("string \"(Created|Modified)\"\\s+variant\\s+uint64 (\\d{1,19})");
  private static final Pattern ATTRIBUTE =
      Pattern.compile("dict entry\\(\\s+string \"([^\"\\n]*)\"\\s+string \"(.*)\"\\R\\s+\\)");
  private static final int MAX_DESCRIBED = 16;

  private final Tool secretTool;
  private final Tool dbusSend;
  private final ToolRunner runner;
  private final String serviceAttribute;
  private final List<String> accountAttributes;
  private final int maxValueBytes;

  /**
   * @param dbusSend may be null: locked and missing then read alike, and describe is unsupported
   */
  public SecretServiceBackend(Tool secretTool, Tool dbusSend, ToolRunner runner,
      String serviceAttribute, List<String> accountAttributes, int maxValueBytes) {
    this.secretTool = secretTool;
    this.dbusSend = dbusSend;
    this.runner = runner;
    this.serviceAttribute = serviceAttribute;
    this.accountAttributes = List.copyOf(accountAttributes);
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public String describe() {
    return "secret-service(" + secretTool.path() + ", " + ToolRunner.describe(dbusSend) + ")";
  }

  private List<String> attributes(KeychainReference ref, String accountAttribute) {
    return List.of(serviceAttribute, ref.service(), accountAttribute, ref.account());
  }

  /**
   * The attributes as secret-tool's positional arguments, after {@code --}: GLib's option parser
   * reads any argument that starts with {@code -} as an option, so without it a ref such as
   * {@code keychain://--all/x} would smuggle options in.
   */
  private List<String> positional(KeychainReference ref, String accountAttribute) {
    List<String> args = new ArrayList<>(5);
    args.add("--");
    args.addAll(attributes(ref, accountAttribute));
    return args;
  }

  @Override
  public FetchResult fetch(KeychainReference ref) {
    requireSessionBus(ref);
    for (String accountAttribute : accountAttributes) {
      List<String> args = new ArrayList<>(List.of("lookup"));
      args.addAll(positional(ref, accountAttribute));
      ChildProcess.Output out = runner.run(ref, secretTool, args, new byte[0], maxValueBytes,
          "reading");
      byte[] value = out.stdout();
      try {
        if (out.exit() == 0) {
          if (out.stdoutCut()) {
            throw new SecretException(ref.ref(), "the value of " + ref + " is larger than the"
                + " limit of " + maxValueBytes + " bytes (KeychainOptions.maxValueBytes)");
          }
          return FetchResult.builder(value).metadata("keychain.backend", "secret-service")
              .metadata("keychain.accountAttribute", accountAttribute).build();
        }
        String reason = ToolRunner.reason(out.stderr(), ref);
        if (!reason.isEmpty()) {
          throw failure(ref, out.exit(), reason, "reading");
        }
        // nothing found under this attribute (libsecret says nothing): try the next
      } finally {
        Arrays.fill(value, (byte) 0);
        out.wipe();
      }
    }
    throw missingOrLocked(ref, "reading");
  }

  @Override
  public void write(KeychainReference ref, byte[] value) {
    requireSessionBus(ref);
    List<String> args = new ArrayList<>(List.of("store", "--label=" + ref.service() + "/"
        + ref.account()));
    args.addAll(positional(ref, accountAttributes.get(0)));
    ChildProcess.Output out = runner.run(ref, secretTool, args, value, 0, "writing");
    try {
      if (out.exit() != 0) {
        throw failure(ref, out.exit(), ToolRunner.reason(out.stderr(), ref,
            ToolRunner.holding(ref, value)), "writing");
      }
    } finally {
      out.wipe();
    }
  }

  @Override
  public List<String> delete(KeychainReference ref) {
    requireSessionBus(ref);
    for (String accountAttribute : accountAttributes) {
      List<String> args = new ArrayList<>(List.of("clear"));
      args.addAll(positional(ref, accountAttribute));
      ChildProcess.Output out = runner.run(ref, secretTool, args, new byte[0], 0, "deleting");
      try {
        if (out.exit() == 0) {
          return List.of("deleted the Secret Service items with " + serviceAttribute + "="
              + ref.service() + " and " + accountAttribute + "=" + ref.account()
              + " (secret-tool clear; not restorable)");
        }
        String reason = ToolRunner.reason(out.stderr(), ref);
        if (!reason.isEmpty()) {
          throw failure(ref, out.exit(), reason, "deleting");
        }
      } finally {
        out.wipe();
      }
    }
    throw missingOrLocked(ref, "deleting");
  }

  @Override
  public SecretDescription describe(KeychainReference ref) {
    requireSessionBus(ref);
    if (dbusSend == null) {
      throw new UnsupportedOperationException("describing a Secret Service item needs dbus-send"
          + " (Debian, Ubuntu: apt-get install dbus-bin), which was not found");
    }
    for (String accountAttribute : accountAttributes) {
      Map<String, List<String>> found = search(ref, accountAttribute);
      List<String> candidates = new ArrayList<>(found.get("unlocked"));
      candidates.addAll(found.get("locked"));
      for (String item : candidates.subList(0, Math.min(candidates.size(), MAX_DESCRIBED))) {
        String props = properties(ref, item);
        Map<String, String> attrs = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(props);
        while (m.find()) {
          attrs.put(m.group(1), m.group(2));
        }
        if (ref.service().equals(attrs.get(serviceAttribute))
            && ref.account().equals(attrs.get(accountAttribute))) {
          return description(ref, item, props, accountAttribute);
        }
      }
    }
    throw new SecretNotFoundException(ref.ref(), "no Secret Service item with " + serviceAttribute
        + "=" + ref.service() + " and " + String.join(" or ", accountAttributes) + "="
        + ref.account() + notFoundHint(ref));
  }

  private SecretDescription description(KeychainReference ref, String item, String props,
      String accountAttribute) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("keychain.backend", "secret-service");
    metadata.put("keychain.item", ProviderText.shown(item));
    metadata.put("keychain.accountAttribute", accountAttribute);
    Matcher label = LABEL.matcher(props);
    if (label.find()) {
      metadata.put("label", ProviderText.shown(label.group(1)));
    }
    Matcher locked = LOCKED.matcher(props);
    boolean isLocked = locked.find() && locked.group(1).equals("true");
    metadata.put("locked", Boolean.toString(isLocked));
    Instant created = null;
    Matcher time = TIME.matcher(props);
    while (time.find()) {
      Instant t = Instant.ofEpochSecond(Long.parseLong(time.group(2)));
      metadata.put(time.group(1).toLowerCase(java.util.Locale.ROOT), t.toString());
      if (time.group(1).equals("Created")) {
        created = t;
      }
    }
    SecretVersionInfo current = new SecretVersionInfo(io.secretsdk.keychain.KeychainProvider
        .CURRENT_VERSION, Set.of(), SecretVersionInfo.State.ENABLED, created, null);
    return new SecretDescription(ref.ref(), current.version(), List.of(current), metadata);
  }

  /**
   * The items {@code SearchItems} returns for the ref's attributes, unlocked and locked. dbus-send
   * splits a dict argument at commas without an escape, so an attribute whose value holds one is
   * left out of the query (more items match; callers check).
   */
  private Map<String, List<String>> search(KeychainReference ref, String accountAttribute) {
    List<String> pairs = new ArrayList<>();
    List<String> attrs = attributes(ref, accountAttribute);
    for (int i = 0; i < attrs.size(); i += 2) {
      if (attrs.get(i + 1).indexOf(',') < 0) {
        pairs.add(attrs.get(i));
        pairs.add(attrs.get(i + 1));
      }
    }
    List<String> args = new ArrayList<>(List.of("--session", "--print-reply",
        "--reply-timeout=" + Math.max(1000, runner.timeoutMillis()), "--dest=" + SECRETS,
        "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.SearchItems"));
    args.add(pairs.isEmpty() ? "dict:string:string:" : "dict:string:string:"
        + String.join(",", pairs));
    String reply = dbus(ref, args);
    Map<String, List<String>> result = new LinkedHashMap<>();
    result.put("unlocked", new ArrayList<>());
    result.put("locked", new ArrayList<>());
    int arrays = 0;
    for (String line : reply.split("\\R")) {
      if (line.strip().startsWith("array [")) {
        arrays++;
      }
      Matcher m = OBJECT_PATH.matcher(line);
      if (m.find() && arrays >= 1 && arrays <= 2) {
        result.get(arrays == 1 ? "unlocked" : "locked").add(m.group(1));
      }
    }
    return result;
  }

  private String properties(KeychainReference ref, String item) {
    return dbus(ref, List.of("--session", "--print-reply", "--dest=" + SECRETS, item,
        "org.freedesktop.DBus.Properties.GetAll", "string:org.freedesktop.Secret.Item"));
  }

  /** Runs dbus-send; its replies here never hold a value (no GetSecret is ever sent). */
  private String dbus(KeychainReference ref, List<String> args) {
    ChildProcess.Output out = runner.run(ref, dbusSend, args, new byte[0], 256 * 1024,
        "querying the Secret Service for");
    try {
      if (out.exit() != 0) {
        throw failure(ref, out.exit(), ToolRunner.reason(out.stderr(), ref), "querying");
      }
      return new String(out.stdout(), StandardCharsets.UTF_8);
    } finally {
      out.wipe();
    }
  }

  /** A lookup or clear found nothing: say whether a locked keyring may hold the item. */
  private SecretException missingOrLocked(KeychainReference ref, String doing) {
    if (dbusSend != null) {
      for (String accountAttribute : accountAttributes) {
        Map<String, List<String>> found;
        try {
          found = search(ref, accountAttribute);
        } catch (KeychainLockedException | SecretConfigException e) {
          throw e;
        } catch (SecretException e) {
          continue; // the probe is a courtesy: its failure leaves "not found"
        }
        if (!found.get("locked").isEmpty()) {
          return new KeychainLockedException(ref.ref(), "the Secret Service keyring that holds "
              + ref + " is locked (" + found.get("locked").size() + " matching item(s) in locked"
              + " collections) and could not be unlocked from here; " + UNLOCK_HINT);
        }
      }
    }
    return new SecretNotFoundException(ref.ref(), "no Secret Service item with " + serviceAttribute
        + "=" + ref.service() + " and " + String.join(" or ", accountAttributes) + "="
        + ref.account() + " (" + doing + " " + ref + ")" + notFoundHint(ref));
  }

  private String notFoundHint(KeychainReference ref) {
    return "; store one with: secret-tool store --label=" + ref.service() + " " + serviceAttribute
        + " " + ref.service() + " " + accountAttributes.get(0) + " " + ref.account()
        + " (it reads the value from standard input)"
        + (dbusSend == null ? "; if the keyring is locked, unlock it (without dbus-send this"
            + " provider cannot tell a locked keyring from a missing item)" : "");
  }

  /** Maps what secret-tool or dbus-send wrote on standard error (scrubbed) to a typed failure. */
  private SecretException failure(KeychainReference ref, int exit, String reason, String doing) {
    String tool = "the Secret Service";
    String said = reason.isEmpty() ? "" : " (" + reason + ")";
    if (ToolRunner.mentions(reason, "autolaunch", "could not connect", "failed to connect",
        "failed to open connection", "connection refused", "no such file or directory",
        "cannot spawn a message bus", "error spawning")) {
      String address = runner.variable("DBUS_SESSION_BUS_ADDRESS");
      if (address == null || address.isBlank()) {
        return noSessionBus(ref);
      }
      return new ProviderUnavailableException(ref.ref(), "the D-Bus session bus at "
          + ProviderText.shown(address) + " cannot be reached " + doing + " " + ref + said
          + "; is the session still running? Check DBUS_SESSION_BUS_ADDRESS");
    }
    if (ToolRunner.mentions(reason, "serviceunknown", "not provided by any .service files",
        "name has no owner", "was not provided")) {
      return new ProviderUnavailableException(ref.ref(), "no Secret Service on the D-Bus session"
          + " bus " + doing + " " + ref + said + "; start one: gnome-keyring-daemon --start"
          + " --components=secrets, or enable KeePassXC's Secret Service integration");
    }
    if (ToolRunner.mentions(reason, "locked", "object does not exist at path", "prompt",
        "dismissed", "isunlocked")) {
      return new KeychainLockedException(ref.ref(), tool + " keyring is locked or missing "
          + doing + " " + ref + said + "; " + UNLOCK_HINT);
    }
    if (ToolRunner.mentions(reason, "accessdenied", "access denied", "not allowed",
        "permission denied")) {
      return new SecretAccessDeniedException(ref.ref(), tool + " refused access " + doing + " "
          + ref + said);
    }
    if (ToolRunner.mentions(reason, "noreply", "timeout", "timed out", "disconnected")) {
      return new ProviderUnavailableException(ref.ref(), tool + " did not answer " + doing + " "
          + ref + said);
    }
    return ToolRunner.unrecognised(ref, secretTool.name(), doing, exit, reason);
  }

  private void requireSessionBus(KeychainReference ref) {
    String address = runner.variable("DBUS_SESSION_BUS_ADDRESS");
    if (address != null && !address.isBlank()) {
      return;
    }
    String runtime = runner.variable("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Path.of(runtime).isAbsolute()
        && Files.exists(Path.of(runtime, "bus"))) {
      return; // libsecret and libdbus both fall back to $XDG_RUNTIME_DIR/bus
    }
    throw noSessionBus(ref);
  }

  private static SecretConfigException noSessionBus(KeychainReference ref) {
    return new SecretConfigException(null, 0, "DBUS_SESSION_BUS_ADDRESS", "no D-Bus session bus"
        + " to reach the Secret Service for " + ref + ": DBUS_SESSION_BUS_ADDRESS is not set and"
        + " there is no $XDG_RUNTIME_DIR/bus. Run inside a desktop login session, or start one"
        + " for this process: dbus-run-session -- <command> (with a Secret Service such as"
        + " gnome-keyring-daemon --unlock --components=secrets inside it)");
  }

  @Override
  public void close() {
    runner.close();
  }

  /** Which tools this backend runs (for tests). */
  Optional<Tool> dbusSendTool() {
    return Optional.ofNullable(dbusSend);
  }
}
