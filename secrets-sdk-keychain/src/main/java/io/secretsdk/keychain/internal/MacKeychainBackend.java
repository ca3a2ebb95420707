package io.secretsdk.keychain.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.keychain.KeychainLockedException;
import io.secretsdk.keychain.KeychainReference;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.keychain.KeychainProvider;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The macOS Keychain's generic passwords through {@code /usr/bin/security}.
 *
 * <ul>
 *   <li>read: {@code security find-generic-password -s S -a A -w}; the value is standard output,
 *       less the one newline {@code security} adds;</li>
 *   <li>write: {@code security -i}, the only argument, with one command line on standard input:
 *       {@code add-generic-password -U -s "S" -a "A" -X <hex of the value>}. {@code -w <value>}
 *       would put the value on the command line, which every user can read with {@code ps};
 *       {@code -w} without a value prompts on the terminal, which a service has not. In
 *       interactive mode the command comes from the pipe, {@code -X} takes the value as hex (a
 *       plain token needing no quoting), and {@code -U} replaces an existing item. {@code security}
 *       reads lines of at most 4096 bytes, so values up to {@link #MAX_WRITE_BYTES} are written;</li>
 *   <li>delete: {@code security delete-generic-password -s S -a A};</li>
 *   <li>describe: {@code security find-generic-password -s S -a A}, which prints the attributes
 *       only (without {@code -g} or {@code -w} no value is printed).</li>
 * </ul>
 *
 * <p>{@code security} exits with the low byte of the Security framework's status: 44 is
 * {@code errSecItemNotFound} (-25300), 36 {@code errSecInteractionNotAllowed} (-25308: the keychain
 * is locked and no dialog may be shown), 51 {@code errSecAuthFailed} (-25293), 128
 * {@code userCanceledErr} (-128).
 *
 * <p>Values that are not printable ASCII may come back hex-encoded from {@code -w} on some macOS
 * versions (that is {@code security}'s output format); store text.
 *
 * <p>Thread-safe; each call runs its own process.
 */
public final class MacKeychainBackend implements Backend {
  /** Largest value written: its hex and the command must fit one 4096-byte line of {@code security -i}. */
  public static final int MAX_WRITE_BYTES = 1536;
  static final int EXIT_NOT_FOUND = 44;
  static final int EXIT_INTERACTION_NOT_ALLOWED = 36;
  static final int EXIT_AUTH_FAILED = 51;
  static final int EXIT_USER_CANCELED = 128;
  private static final Pattern KEYCHAIN_FILE = Pattern.compile("(?m)^keychain: \"(.{1,1024})\"$");
  private static final Pattern LABEL = Pattern.compile("(?m)^\\s*\"labl\"<blob>=\"(.{0,1024})\"$");
  private static final Pattern DATE =
      Pattern.compile("(?m)^\\s*\"(cdat|mdat)\"<timedate>=0x[0-9A-Fa-f]{1,64}\\s+\"(\\d{14})Z");
  private static final DateTimeFormatter SECURITY_DATE = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");
  private static final String UNLOCK_HINT = "unlock it (security unlock-keychain, or log in to"
      + " the Mac's desktop session; over SSH the login keychain stays locked until unlocked)";

  private final Tool security;
  private final ToolRunner runner;
  private final int maxValueBytes;

  public MacKeychainBackend(Tool security, ToolRunner runner, int maxValueBytes) {
    this.security = security;
    this.runner = runner;
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public String describe() {
    return "macos(" + security.path() + ")";
  }

  @Override
  public FetchResult fetch(KeychainReference ref) {
    ChildProcess.Output out = runner.run(ref, security, List.of("find-generic-password", "-s",
        ref.service(), "-a", ref.account(), "-w"), new byte[0], maxValueBytes + 1, "reading");
    byte[] printed = out.stdout();
    try {
      if (out.exit() != 0) {
        throw failure(ref, out.exit(), ToolRunner.reason(out.stderr(), ref), "reading");
      }
      int length = printed.length > 0 && printed[printed.length - 1] == '\n'
          ? printed.length - 1 : printed.length;
      if (out.stdoutCut() || length > maxValueBytes) {
        throw new SecretException(ref.ref(), "the value of " + ref + " is larger than the limit"
            + " of " + maxValueBytes + " bytes (KeychainOptions.maxValueBytes)");
      }
      byte[] value = Arrays.copyOf(printed, length);
      try {
        return FetchResult.builder(value).metadata("keychain.backend", "macos").build();
      } finally {
        Arrays.fill(value, (byte) 0);
      }
    } finally {
      Arrays.fill(printed, (byte) 0);
      out.wipe();
    }
  }

  @Override
  public void write(KeychainReference ref, byte[] value) {
    if (value.length > MAX_WRITE_BYTES) {
      throw new IllegalArgumentException("the macOS Keychain provider writes values of at most "
          + MAX_WRITE_BYTES + " bytes (security -i reads 4096-byte lines and the value travels"
          + " as hex); this one has " + value.length);
    }
    byte[] line = command(ref, value);
    try {
      ChildProcess.Output out = runner.run(ref, security, List.of("-i"), line, 64 * 1024,
          "writing");
      try {
        if (out.exit() != 0) {
          throw failure(ref, out.exit(), ToolRunner.reason(out.stderr(), ref,
              ToolRunner.holding(ref, value)), "writing");
        }
      } finally {
        out.wipe();
      }
    } finally {
      Arrays.fill(line, (byte) 0);
    }
  }

  /** The one line {@code security -i} reads: the value as hex, the names double-quoted. */
  private static byte[] command(KeychainReference ref, byte[] value) {
    String head = "add-generic-password -U -s " + quoted(ref, ref.service()) + " -a "
        + quoted(ref, ref.account()) + " -X ";
    byte[] start = head.getBytes(StandardCharsets.UTF_8);
    byte[] line = new byte[start.length + 2 * value.length + 1];
    System.arraycopy(start, 0, line, 0, start.length);
    int at = start.length;
    for (byte b : value) {
      line[at++] = (byte) Character.forDigit((b >> 4) & 0xF, 16);
      line[at++] = (byte) Character.forDigit(b & 0xF, 16);
    }
    line[at] = '\n';
    return line;
  }

  /**
   * {@code part} in double quotes for {@code security -i}'s line splitter. A quote or backslash
   * is refused rather than escaped: how that splitter treats escapes is not documented.
   */
  private static String quoted(KeychainReference ref, String part) {
    if (part.indexOf('"') >= 0 || part.indexOf('\\') >= 0) {
      throw new InvalidSecretRefException(ref.ref(), "keychain ref " + ref + " cannot be written"
          + " to the macOS Keychain: its service or account holds a double quote or a backslash,"
          + " which security -i cannot be given safely");
    }
    return "\"" + part + "\"";
  }

  @Override
  public List<String> delete(KeychainReference ref) {
    ChildProcess.Output out = runner.run(ref, security, List.of("delete-generic-password", "-s",
        ref.service(), "-a", ref.account()), new byte[0], 64 * 1024, "deleting");
    try {
      if (out.exit() != 0) {
        throw failure(ref, out.exit(), ToolRunner.reason(out.stderr(), ref), "deleting");
      }
      return List.of("deleted the macOS Keychain generic password with service " + ref.service()
          + " and account " + ref.account() + " (security delete-generic-password; not"
          + " restorable)");
    } finally {
      out.wipe();
    }
  }

  /**
   * {@code security find-generic-password -s S -a A} without {@code -w} or {@code -g}: the item's
   * attributes only (label, creation and modification dates, the keychain file), never its value.
   */
  @Override
  public SecretDescription describe(KeychainReference ref) {
    ChildProcess.Output out = runner.run(ref, security, List.of("find-generic-password", "-s",
        ref.service(), "-a", ref.account()), new byte[0], 64 * 1024, "describing");
    try {
      if (out.exit() != 0) {
        throw failure(ref, out.exit(), ToolRunner.reason(out.stderr(), ref), "describing");
      }
      String text = new String(out.stdout(), StandardCharsets.UTF_8);
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("keychain.backend", "macos");
      Matcher file = KEYCHAIN_FILE.matcher(text);
      if (file.find()) {
        metadata.put("keychain.file", ProviderText.shown(file.group(1)));
      }
      Matcher label = LABEL.matcher(text);
      if (label.find()) {
        metadata.put("label", ProviderText.shown(label.group(1)));
      }
      Instant created = null;
      for (Matcher m = DATE.matcher(text); m.find(); ) {
        Instant t = LocalDateTime.parse(m.group(2), SECURITY_DATE).toInstant(ZoneOffset.UTC);
        metadata.put(m.group(1).equals("cdat") ? "created" : "modified", t.toString());
        if (m.group(1).equals("cdat")) {
          created = t;
        }
      }
      SecretVersionInfo current = new SecretVersionInfo(KeychainProvider.CURRENT_VERSION,
          Set.of(), SecretVersionInfo.State.ENABLED, created, null);
      return new SecretDescription(ref.ref(), current.version(), List.of(current), metadata);
    } finally {
      out.wipe();
    }
  }

  private static SecretException failure(KeychainReference ref, int exit, String reason,
      String doing) {
    String said = reason.isEmpty() ? "" : " (" + reason + ")";
    if (exit == EXIT_NOT_FOUND || ToolRunner.mentions(reason, "could not be found")) {
      return new SecretNotFoundException(ref.ref(), "no macOS Keychain generic password with"
          + " service " + ref.service() + " and account " + ref.account() + " (" + doing + " "
          + ref + "); add one with: security add-generic-password -s " + ref.service() + " -a "
          + ref.account() + " -w (given last, -w prompts for the value)");
    }
    if (exit == EXIT_INTERACTION_NOT_ALLOWED || exit == EXIT_AUTH_FAILED
        || ToolRunner.mentions(reason, "interaction is not allowed", "locked",
            "passphrase you entered is not correct")) {
      return new KeychainLockedException(ref.ref(), "the macOS Keychain is locked " + doing + " "
          + ref + said + "; " + UNLOCK_HINT);
    }
    if (exit == EXIT_USER_CANCELED || ToolRunner.mentions(reason, "canceled", "cancelled",
        "denied", "not permitted")) {
      return new SecretAccessDeniedException(ref.ref(), "access to " + ref + " in the macOS"
          + " Keychain was refused " + doing + " it" + said + "; allow security in the item's"
          + " access control list, or answer the dialog with Allow");
    }
    return ToolRunner.unrecognised(ref, "security", doing, exit, reason);
  }

  @Override
  public void close() {
    runner.close();
  }
}
