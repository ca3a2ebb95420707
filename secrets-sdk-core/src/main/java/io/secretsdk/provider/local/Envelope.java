package io.secretsdk.provider.local;

import io.secretsdk.provider.local.StoreModel.SecretEntry;
import io.secretsdk.provider.local.StoreModel.VersionEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM envelope encryption with the JDK's own provider.
 *
 * <p>Each version's value is encrypted under a fresh random 256-bit data key; the data key is
 * encrypted ("wrapped") under the KEK. The value's associated data binds the secret name, the
 * version number, the creation and expiry times and the metadata; the wrapped key's associated
 * data binds the same plus the KEK id. So editing an expiry, moving a ciphertext to another name or
 * version, or swapping wrapped keys makes decryption fail. The whole file is additionally covered
 * by an HMAC under a key derived from the KEK, so removing or reordering entries is detected too.
 * Every nonce is 96 random bits; a key never encrypts more than one message, except the KEK, which
 * wraps one data key per version (far below the 2^32 random-nonce limit).
 */
final class Envelope {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] MAC_LABEL =
      "secrets-sdk/local/file-mac/v1".getBytes(StandardCharsets.US_ASCII);

  private Envelope() {}

  static VersionEntry seal(byte[] kek, String keyId, String name, int version, Instant createdAt,
      Instant expiresAt, SortedMap<String, String> metadata, byte[] plaintext)
      throws GeneralSecurityException {
    byte[] dataKey = new byte[32];
    RANDOM.nextBytes(dataKey);
    try {
      byte[] ciphertext = encrypt(dataKey, plaintext,
          valueAad(name, version, createdAt, expiresAt, metadata));
      byte[] wrapped = encrypt(kek, dataKey,
          wrapAad(keyId, name, version, createdAt, expiresAt, metadata));
      return new VersionEntry(version, createdAt, expiresAt, metadata, wrapped, ciphertext);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** The plaintext of one version; the caller wipes it. */
  static byte[] open(byte[] kek, String keyId, String name, VersionEntry v)
      throws GeneralSecurityException {
    byte[] dataKey = decrypt(kek, v.wrappedKey(),
        wrapAad(keyId, name, v.version(), v.createdAt(), v.expiresAt(), v.metadata()));
    try {
      return decrypt(dataKey, v.ciphertext(),
          valueAad(name, v.version(), v.createdAt(), v.expiresAt(), v.metadata()));
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** The same version with its data key wrapped under {@code newKek}; the value is untouched. */
  static VersionEntry rewrap(byte[] oldKek, String oldId, byte[] newKek, String newId, String name,
      VersionEntry v) throws GeneralSecurityException {
    byte[] dataKey = decrypt(oldKek, v.wrappedKey(),
        wrapAad(oldId, name, v.version(), v.createdAt(), v.expiresAt(), v.metadata()));
    try {
      byte[] wrapped = encrypt(newKek, dataKey,
          wrapAad(newId, name, v.version(), v.createdAt(), v.expiresAt(), v.metadata()));
      return new VersionEntry(v.version(), v.createdAt(), v.expiresAt(), v.metadata(), wrapped,
          v.ciphertext());
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** HMAC-SHA-256 of the whole model under a key derived from the KEK. */
  static byte[] fileMac(byte[] kek, StoreModel model) {
    byte[] macKey = LocalKeys.hmac(kek, MAC_LABEL);
    try {
      return LocalKeys.hmac(macKey, canonical(model));
    } finally {
      Arrays.fill(macKey, (byte) 0);
    }
  }

  static byte[] canonical(StoreModel model) {
    Canon c = new Canon("file/v1");
    c.str(model.keyId()).num(model.generation()).num(model.secrets().size());
    for (SecretEntry s : model.secrets().values()) {
      c.str(s.name()).num(s.nextVersion()).num(s.versions().size());
      for (VersionEntry v : s.versions()) {
        c.num(v.version()).time(v.createdAt()).time(v.expiresAt()).map(v.metadata())
            .bytes(v.wrappedKey()).bytes(v.ciphertext());
      }
    }
    return c.done();
  }

  private static byte[] valueAad(String name, int version, Instant createdAt, Instant expiresAt,
      Map<String, String> metadata) {
    return new Canon("value/v1").str(name).num(version).time(createdAt).time(expiresAt)
        .map(metadata).done();
  }

  private static byte[] wrapAad(String keyId, String name, int version, Instant createdAt,
      Instant expiresAt, Map<String, String> metadata) {
    return new Canon("wrap/v1").str(keyId).str(name).num(version).time(createdAt).time(expiresAt)
        .map(metadata).done();
  }

  private static byte[] encrypt(byte[] key, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    byte[] out = new byte[NONCE + cipher.getOutputSize(plaintext.length)];
    System.arraycopy(nonce, 0, out, 0, NONCE);
    cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE);
    return out;
  }

  private static byte[] decrypt(byte[] key, byte[] sealed, byte[] aad)
      throws GeneralSecurityException {
    if (sealed.length < NONCE + TAG_BITS / 8) {
      throw new javax.crypto.AEADBadTagException("ciphertext too short");
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed, NONCE, sealed.length - NONCE);
  }

  /** Unambiguous length-prefixed encoding for associated data and the file MAC. */
  private static final class Canon {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final DataOutputStream out = new DataOutputStream(bytes);

    Canon(String domain) {
      str("secrets-sdk/local/" + domain);
    }

    Canon str(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Canon bytes(byte[] b) {
      try {
        out.writeInt(b.length);
        out.write(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Canon num(long n) {
      try {
        out.writeLong(n);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Canon time(Instant t) {
      if (t == null) {
        return num(-1).num(0);
      }
      return num(1).num(t.getEpochSecond()).num(t.getNano());
    }

    Canon map(Map<String, String> m) {
      num(m.size());
      new java.util.TreeMap<>(m).forEach((k, v) -> str(k).str(v));
      return this;
    }

    byte[] done() {
      return bytes.toByteArray();
    }
  }
}
