package io.secretsdk.provider.local;

import io.secretsdk.SecretConfigException;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key-encryption keys (KEKs) of the {@code local://} store: generating them, naming them by a key
 * id, and reading and writing key files.
 *
 * <p>A key file holds the key as base64 on one line and must be readable by its owner only
 * ({@code 0600} or {@code 0400}); a file with wider permissions is refused, as {@code ssh} refuses
 * an unprotected private key. The key id is derived from the key with HMAC-SHA-256 and reveals
 * nothing about it; it names a key in error messages and in the store.
 *
 * <p>Every key this class generates or decodes (from {@value LocalStoreOptions#KEY_VARIABLE} or a
 * key file) is registered with {@link RedactionIndex#global()} as
 * {@code credential://local/key/<key id>} before it is returned, raw (which covers its base64, URL-safe
 * base64, hex and percent-encoded forms) and as the base64 line the key file holds, so a log line
 * written through the redacting encoder masks it.
 *
 * <p>Stateless and thread-safe.
 */
public final class LocalKeys {
  /** Length of a KEK in bytes (AES-256). */
  public static final int KEY_LENGTH = 32;

  static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  /**
   * The credential kind keys are registered under for redaction, followed by {@code /<key id>}: one
   * kind per key, so that registering the next key never pushes out the current one.
   */
  static final String CREDENTIAL_KIND = "local/key";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] KEY_ID_LABEL =
      "secrets-sdk/local/key-id/v1".getBytes(StandardCharsets.US_ASCII);

  private LocalKeys() {}

  /** A fresh random 32-byte key; the caller owns and should wipe it. */
  public static byte[] generate() {
    byte[] key = new byte[KEY_LENGTH];
    RANDOM.nextBytes(key);
    register(key);
    return key;
  }

  /**
   * Registers {@code key} with {@link RedactionIndex#global()}: the raw bytes (whose encoded forms
   * the index derives) and the standard base64 text a key file and
   * {@value LocalStoreOptions#KEY_VARIABLE} hold, so that escaped forms of that text (JSON, XML)
   * are masked too. Called once per key obtained, not per use.
   */
  static void register(byte[] key) {
    RedactionIndex index = RedactionIndex.global();
    String kind = CREDENTIAL_KIND + "/" + keyId(key);
    index.registerCredential(kind, key);
    byte[] text = Base64.getEncoder().encode(key);
    try {
      index.registerCredential(kind, text);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /**
   * The key id of {@code key}: 16 hex digits of HMAC-SHA-256(key, label). Safe to print.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes
   */
  public static String keyId(byte[] key) {
    requireLength(key);
    return HexFormat.of().formatHex(hmac(key, KEY_ID_LABEL), 0, 8);
  }

  /**
   * Decodes a key given as base64 (standard or URL-safe alphabet), e.g. from
   * {@value LocalStoreOptions#KEY_VARIABLE}.
   *
   * @param source names where the text came from, for the error message
   * @throws SecretConfigException if the text is not base64 of exactly 32 bytes (the text is never
   *     quoted)
   */
  public static byte[] decode(String base64, String source) {
    Objects.requireNonNull(base64, "base64");
    String text = base64.strip();
    byte[] key;
    try {
      key = (text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder()
          : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, source, "is not valid base64 (value withheld)");
    }
    if (key.length != KEY_LENGTH) {
      int length = key.length;
      Arrays.fill(key, (byte) 0);
      throw new SecretConfigException(null, 0, source,
          "must be base64 of exactly 32 bytes, but decodes to " + length + " bytes");
    }
    register(key);
    return key;
  }

  /** The key as standard base64, for writing to a key file or a CI secret. */
  public static String encode(byte[] key) {
    requireLength(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /**
   * Reads a key file, refusing one that is not a regular file or whose permissions let anyone but
   * its owner read or write it (for a symbolic link, those of its target).
   *
   * @throws SecretConfigException if the file is missing, not private, or not a 32-byte base64 key
   */
  public static byte[] readKeyFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.exists(file)) {
      throw new SecretConfigException(file, 0, null, "key file does not exist; set "
          + LocalStoreOptions.KEY_VARIABLE + " or create one with 'secrets init'");
    }
    if (!Files.isRegularFile(file)) {
      throw new SecretConfigException(file, 0, null, "key file must be a regular file");
    }
    checkOwnerOnly(file);
    String text;
    try {
      byte[] raw = Files.readAllBytes(file);
      text = new String(raw, StandardCharsets.US_ASCII);
      Arrays.fill(raw, (byte) 0);
    } catch (IOException e) {
      throw new SecretConfigException(file, 0, null,
          "key file cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return decode(text, "key file");
    } catch (SecretConfigException e) {
      throw new SecretConfigException(file, 1, null,
          "key file must hold base64 of exactly 32 bytes on one line");
    }
  }

  /**
   * Creates a key file holding {@code key}, readable and writable by its owner only, and flushed to
   * disk. Never replaces an existing file.
   *
   * @throws SecretConfigException if the file exists or cannot be written
   */
  public static void writeKeyFile(Path file, byte[] key) {
    requireLength(key);
    Path parent = file.toAbsolutePath().getParent();
    byte[] text = (encode(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      if (parent != null) {
        AtomicFiles.createPrivateDirectories(parent);
      }
      try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), privateFileAttributes(file))) {
        ch.write(java.nio.ByteBuffer.wrap(text));
        ch.force(true);
      }
      if (parent != null) {
        AtomicFiles.fsyncDirectory(parent);
      }
    } catch (FileAlreadyExistsException e) {
      throw new SecretConfigException(file, 0, null, "key file already exists; not replaced");
    } catch (IOException e) {
      throw new SecretConfigException(file, 0, null,
          "key file cannot be written (" + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /** Refuses a file whose POSIX permissions grant anything to group or others. */
  static void checkOwnerOnly(Path file) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file); // of the target, when it is a symbolic link
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system (Windows): rely on the ACLs of the user profile
    } catch (IOException e) {
      throw new SecretConfigException(file, 0, null,
          "key file permissions cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (!OWNER_ONLY.containsAll(perms)) {
      throw new SecretConfigException(file, 0, "permissions", "key file permissions are "
          + PosixFilePermissions.toString(perms) + "; they must be rw------- (0600) or"
          + " r-------- (0400): run chmod 600 " + file);
    }
  }

  static FileAttribute<?>[] privateFileAttributes(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    boolean posix = dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
    }
  }

  private static void requireLength(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("key must be 32 bytes (AES-256)");
    }
  }
}
