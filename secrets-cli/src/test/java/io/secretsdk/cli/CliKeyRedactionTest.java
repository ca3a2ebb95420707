package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.redact.RedactionIndex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys the command line creates ({@code init}) or rotates in ({@code rotate}) are registered for
 * redaction the moment they exist: the key file's text, read here without the SDK's help, is
 * masked by the global index, and so are its encoded forms.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CliKeyRedactionTest {
  private static final String MASK_PREFIX = "[REDACTED:credential://local/key/";

  @TempDir Path dir;

  private int run(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CliIo io = new CliIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env, null);
    return SecretsCli.run(args, io);
  }

  /** Asserts that the key file's text, and the key's raw-derived forms, are masked. */
  private static void assertKeyFileMasked(Path keyFile) throws Exception {
    String text = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
    byte[] raw = Base64.getDecoder().decode(text); // the JDK's decoder: registers nothing
    for (String form : List.of(text, HexFormat.of().formatHex(raw),
        Base64.getUrlEncoder().withoutPadding().encodeToString(raw))) {
      String redacted = RedactionIndex.global().redact("key: " + form + " !");
      assertThat(redacted).as("a form of the key").startsWith("key: " + MASK_PREFIX)
          .doesNotContain(form.substring(0, 16));
    }
  }

  @Test
  void init_createdKey_isRegistered() throws Exception {
    Path keyFile = dir.resolve("keys/local.key");
    assertThat(run(Map.of(), "", "init", "--store", dir.resolve("store.json").toString(),
        "--key-file", keyFile.toString())).isZero();
    assertKeyFileMasked(keyFile);
  }

  @Test
  void rekey_keyFile_newKeyIsRegistered() throws Exception {
    Path keyFile = dir.resolve("local.key");
    String[] store = {"--store", dir.resolve("store.json").toString(), "--key-file", keyFile.toString()};
    assertThat(run(Map.of(), "", concat("init", store))).isZero();
    assertThat(run(Map.of(), SecretsCliTest.canary(), concat("put", store, "a")))
        .isZero();
    assertThat(run(Map.of(), "", concat("rekey", store))).isZero();
    assertKeyFileMasked(keyFile);
  }

  @Test
  void rekey_environmentKey_newKeyFileIsRegistered() throws Exception {
    byte[] key = new byte[LocalKeys.KEY_LENGTH];
    new SecureRandom().nextBytes(key);
    Map<String, String> env = Map.of(LocalStoreOptions.KEY_VARIABLE,
        Base64.getEncoder().encodeToString(key));
    String[] store = {"--store", dir.resolve("store.json").toString()};
    assertThat(run(env, SecretsCliTest.canary(), concat("put", store, "a"))).isZero();
    Path target = dir.resolve("new.key");
    assertThat(run(env, "", concat("rekey", store, "--new-key-file", target.toString()))).isZero();
    assertKeyFileMasked(target);
  }

  private static String[] concat(String command, String[] options, String... more) {
    String[] all = new String[1 + options.length + more.length];
    all[0] = command;
    System.arraycopy(options, 0, all, 1, options.length);
    System.arraycopy(more, 0, all, 1 + options.length, more.length);
    return all;
  }
}
