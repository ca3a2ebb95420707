package io.secretsdk.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.redact.RedactionIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store's key-encryption key is registered with the global {@link RedactionIndex} the
 * moment the SDK holds it — generated, given to the builder, decoded from the environment, read
 * from the key file, or passed to a rotation — in every form that could be printed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LocalKeyRedactionTest {
  @TempDir Path dir;

  /** A key made here, not by the SDK, whose base64 holds a '/' (so its JSON-escaped form differs). */
  private static byte[] outsideKey() {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[LocalKeys.KEY_LENGTH];
    do {
      random.nextBytes(key);
    } while (Base64.getEncoder().encodeToString(key).indexOf('/') < 0);
    return key;
  }

  private static String mask(byte[] key) {
    return "[REDACTED:credential://" + LocalKeys.CREDENTIAL_KIND + "/" + LocalKeys.keyId(key) + "]";
  }

  /** Asserts every printable form of {@code key} is masked: raw-derived encodings and the key file's text. */
  private static void assertMasked(byte[] key) {
    String b64 = Base64.getEncoder().encodeToString(key);
    List<String> forms = List.of(
        b64,
        b64 + "\n",
        Base64.getUrlEncoder().withoutPadding().encodeToString(key),
        HexFormat.of().formatHex(key),
        HexFormat.of().withUpperCase().formatHex(key),
        "\"" + b64.replace("/", "\\/") + "\"", // JSON-escaped as some writers escape '/'
        Base64.getEncoder().encodeToString(b64.getBytes(StandardCharsets.US_ASCII))); // the text, base64'd
    String mask = mask(key);
    for (String form : forms) {
      String redacted = RedactionIndex.global().redact("key=" + form + " end");
      assertThat(redacted).as("a printable form of the key").contains(mask);
      String core = form.replace("\"", "").replace("\\/", "/").strip();
      assertThat(redacted).doesNotContain(core).doesNotContain(core.substring(0, 24));
    }
  }

  @Test
  void generate_registersTheNewKey() {
    byte[] key = LocalKeys.generate();
    try {
      assertMasked(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  @Test
  void keyFile_readByTheProvider_registersItsKey() throws Exception {
    byte[] key = outsideKey();
    Path keyFile = dir.resolve("local.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    }
    try (LocalSecretProvider p = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(dir.resolve("store.json")).keyFile(keyFile).environment(n -> null).build())) {
      assertThat(p.put("app/db", "v1".getBytes(StandardCharsets.UTF_8))).isEqualTo("1");
    }
    assertMasked(key);
  }

  @Test
  void environmentKey_decodedByTheProvider_registersIt() {
    byte[] key = outsideKey();
    Map<String, String> env = Map.of(LocalStoreOptions.KEY_VARIABLE,
        Base64.getUrlEncoder().encodeToString(key));
    try (LocalSecretProvider p = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(dir.resolve("store.json")).keyFile(dir.resolve("unused.key"))
        .environment(env::get).build())) {
      p.put("app/db", "v1".getBytes(StandardCharsets.UTF_8));
    }
    assertMasked(key);
  }

  @Test
  void builderKey_registeredWhenGiven() {
    byte[] key = outsideKey();
    LocalStoreOptions.builder().key(key);
    assertMasked(key);
  }

  @Test
  void rotateKey_givenKey_registeredBeforeUse() {
    byte[] first = outsideKey();
    byte[] next = outsideKey();
    try (LocalSecretProvider p = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(dir.resolve("store.json")).key(first).environment(n -> null).build())) {
      p.put("app/db", "v1".getBytes(StandardCharsets.UTF_8));
      String id = p.rotateKey(next);
      assertThat(id).isEqualTo(LocalKeys.keyId(next));
    }
    assertMasked(next);
  }

  @Test
  void rotateKey_keyFileSource_registersTheGeneratedKeyItWrites() throws Exception {
    Path keyFile = dir.resolve("local.key");
    byte[] first = outsideKey();
    LocalKeys.writeKeyFile(keyFile, first);
    try (LocalSecretProvider p = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(dir.resolve("store.json")).keyFile(keyFile).environment(n -> null).build())) {
      p.put("app/db", "v1".getBytes(StandardCharsets.UTF_8));
      p.rotateKey();
    }
    String text = Files.readString(keyFile).strip();
    // checked before this test decodes the file (decoding registers the key too)
    assertThat(RedactionIndex.global().redact("key " + text + " end")).doesNotContain(text)
        .startsWith("key [REDACTED:credential://" + LocalKeys.CREDENTIAL_KIND + "/");
    byte[] written = LocalKeys.decode(text, "test");
    assertThat(written).isNotEqualTo(first);
    assertMasked(written);
  }
}
