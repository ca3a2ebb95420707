package io.secretsdk.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.SecretConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Files that cannot be read, or should not be: each a typed error naming the file. */
@Timeout(30)
final class ConfigFileAccessTest {
  @TempDir Path dir;

  private static SecretConfigException registryError(Path file) {
    return catchThrowableOfType(SecretConfigException.class, () -> SecretRegistry.load(file));
  }

  private static SecretConfigException policyError(Path file) {
    return catchThrowableOfType(SecretConfigException.class, () -> SecretPolicy.load(file));
  }

  @Test
  void load_missingFile_saysItDoesNotExist() {
    Path file = dir.resolve("secrets-registry.yaml");

    SecretConfigException e = registryError(file);

    assertThat(e.file()).contains(file);
    assertThat(e.line()).isEmpty();
    assertThat(e.getMessage()).isEqualTo(file + ": file does not exist");
    assertThat(policyError(dir.resolve("p.json")).getMessage()).endsWith("file does not exist");
  }

  @Test
  void load_missingParentDirectory_saysItDoesNotExist() {
    Path file = dir.resolve("no-such-dir").resolve("secrets-policy.json");

    assertThat(policyError(file).getMessage()).isEqualTo(file + ": file does not exist");
  }

  @Test
  void load_directory_saysItIsADirectory() {
    SecretConfigException e = registryError(dir);

    assertThat(e.getMessage()).isEqualTo(dir + ": is a directory, not a file");
    assertThat(policyError(dir).getMessage()).isEqualTo(dir + ": is a directory, not a file");
  }

  @Test
  void load_danglingSymlink_saysItDoesNotExist() throws Exception {
    Path link = dir.resolve("link.yaml");
    Files.createSymbolicLink(link, dir.resolve("gone.yaml"));

    assertThat(registryError(link).getMessage()).isEqualTo(link + ": file does not exist");
  }

  @Test
  void load_symlinkToRegularFile_loads() throws Exception {
    Path target = dir.resolve("real.yaml");
    Files.writeString(target, "openai:\n  dev:\n    secret_ref: \"mem://openai/dev\"\n");
    Path link = dir.resolve("link.yaml");
    Files.createSymbolicLink(link, target);

    assertThat(SecretRegistry.load(link).names()).containsExactly("openai");
  }

  @Test
  void load_unreadableFile_saysPermissionDenied() throws Exception {
    Path file = dir.resolve("secrets-registry.yaml");
    Files.writeString(file, "openai:\n  dev:\n    secret_ref: \"mem://openai/dev\"\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, "file system without POSIX permissions");
    }
    assumeTrue(!Files.isReadable(file),
        "running as root (or with CAP_DAC_OVERRIDE): a mode-000 file is still readable");

    SecretConfigException e = registryError(file);

    assertThat(e.getMessage()).isEqualTo(file + ": file cannot be read: permission denied");
  }

  @Test
  void load_namedPipe_refusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("registry.fifo");
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "mkfifo not available");
      return;
    }
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");

    // opening a FIFO for reading would block until a writer came; the loader must not open it
    assertThat(registryError(fifo).getMessage()).isEqualTo(fifo + ": is not a regular file");
  }

  @Test
  void load_oversizedFile_refusedBeforeParsing() throws Exception {
    Path file = dir.resolve("huge.yaml");
    // valid YAML all the way, so only the size can be the reason
    StringBuilder sb = new StringBuilder();
    while (sb.length() <= ConfigText.MAX_BYTES) {
      sb.append("# padding padding padding padding padding padding padding padding\n");
    }
    Files.writeString(file, sb);

    SecretConfigException e = registryError(file);

    assertThat(e.getMessage()).startsWith(file + ": file is larger than " + ConfigText.MAX_BYTES);
  }

  @Test
  void parse_oversizedText_refused() {
    String text = "a".repeat(ConfigText.MAX_BYTES + 1);

    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> SecretPolicy.parse(text, "big.json"));

    assertThat(e.getMessage()).startsWith("big.json: configuration is larger than");
  }

  @Test
  void load_invalidUtf8_namesTheLine() throws Exception {
    Path file = dir.resolve("latin1.yaml");
    byte[] head = "openai:\n  dev:\n    secret_ref: \"mem://caf".getBytes(
        java.nio.charset.StandardCharsets.US_ASCII);
    byte[] bytes = new byte[head.length + 3];
    System.arraycopy(head, 0, bytes, 0, head.length);
    bytes[head.length] = (byte) 0xE9; // 'é' in Latin-1: not UTF-8
    bytes[head.length + 1] = '"';
    bytes[head.length + 2] = '\n';
    Files.write(file, bytes);

    SecretConfigException e = registryError(file);

    assertThat(e.line()).hasValue(3);
    assertThat(e.getMessage()).isEqualTo(file + ":3: is not valid UTF-8 text");
  }

  @Test
  void load_utf8ByteOrderMark_isIgnored() throws Exception {
    Path file = dir.resolve("bom.json");
    Files.writeString(file, "\uFEFF{\"version\": 1, \"allowed_secrets\": [\"openai\"]}");

    assertThat(SecretPolicy.load(file).allowedSecrets()).hasValue(java.util.Set.of("openai"));
  }
}
