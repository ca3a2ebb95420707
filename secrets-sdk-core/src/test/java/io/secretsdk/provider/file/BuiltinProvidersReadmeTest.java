package io.secretsdk.provider.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.env.EnvSecretProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the example of {@code README.md} and checks the README holds it. */
@Timeout(10)
final class BuiltinProvidersReadmeTest {
  private static final Path SOURCE =
      Path.of("src/test/java/io/secretsdk/provider/file/BuiltinProvidersReadmeTest.java");
  private static final Path README = Path.of("../README.md");

  @TempDir Path secretsDir;

  @Test
  void readmeExample_runs() throws IOException {
    assumeTrue(System.getenv("OPENAI_API_KEY") == null, "OPENAI_API_KEY is set in this environment");
    Files.writeString(secretsDir.resolve("openai"), "sk-test-readme-1\n", UTF_8);
    Files.writeString(secretsDir.resolve("db.json"), "{\"user\":\"app\",\"password\":\"pw-readme\"}", UTF_8);
    Files.setPosixFilePermissions(secretsDir.resolve("openai"), PosixFilePermissions.fromString("r--------"));
    boolean envMissing = false;

    // README-BEGIN
    // secretsDir: where Kubernetes mounts the secret volume, e.g. /var/run/secrets/app
    FileSecretProvider files = FileSecretProvider.create(FileSecretProviderOptions.builder()
        .allowedRoot(secretsDir)         // refs outside it fail with PolicyViolationException
        .stripTrailingNewline(true)      // `echo token > file` leaves a trailing '\n'
        .build());
    try (SecretsClient client = SecretsClient.builder()
            .provider(files)
            .provider(EnvSecretProvider.create()) // reads System.getenv
            .environment(RunEnvironment.LOCAL)
            .build();
        Secret apiKey = client.resolve("file://" + secretsDir + "/openai");
        Secret dbPassword = client.resolve("file://" + secretsDir + "/db.json#password")) {
      String mode = apiKey.metadata().get("file.permissions"); // "0400"; wider than 0600 is logged once
      int length = apiKey.useChars(chars -> chars.length);     // use the value without a String
      try {
        client.resolve("env://OPENAI_API_KEY");
      } catch (SecretNotFoundException e) {
        envMissing = true; // unset or empty; the message names the variable, never a value
      }
      // README-END

      assertThat(apiKey.reveal()).isEqualTo("sk-test-readme-1");
      assertThat(dbPassword.reveal()).isEqualTo("pw-readme");
      assertThat(length).isEqualTo("sk-test-readme-1".length());
      assertThat(mode).isEqualTo("0400");
      assertThat(apiKey.version()).isPresent();
      assertThat(envMissing).isTrue();
    }
  }

  @Test
  void readme_containsTheExampleVerbatim() throws IOException {
    assumeTrue(Files.isRegularFile(SOURCE) && Files.isRegularFile(README),
        "run from the module directory with the docs folder beside it");
    List<String> snippet = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(SOURCE, UTF_8)) {
      if (line.strip().equals("// README-BEGIN")) {
        in = true;
      } else if (line.strip().equals("// README-END")) {
        in = false;
      } else if (in) {
        snippet.add(line.strip());
      }
    }
    assertThat(snippet).hasSizeGreaterThan(10);
    List<String> readme = Files.readAllLines(README, UTF_8).stream().map(String::strip).toList();

    assertThat(readme).containsSubsequence(snippet);
  }
}
