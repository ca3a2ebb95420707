package io.secretsdk.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the README's keychain example against the test Secret Service, and checks that the code
 * between the markers below stands in README.md as it is.
 */
@ExtendWith(SecretServiceSession.Extension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ReadmeExampleTest {
  private static final Path SOURCE =
      Path.of("src/test/java/io/secretsdk/keychain/ReadmeExampleTest.java");
  private static final Path README = Path.of("..", "README.md");

  private final List<String> seenByStripe = new ArrayList<>();

  private void callStripe(String apiKey) {
    seenByStripe.add(apiKey);
  }

  @Test
  void readmeExample_writesThenResolvesThroughTheSecretService(SecretServiceSession session) {
    Function<String, String> getenv = session.environment()::get; // stands in for System::getenv
    String value = SecretServiceSession.canary();
    byte[] newValue = value.getBytes(UTF_8);

    // --- README example starts ---
    SecretRef ref = SecretRef.parse("keychain://payments-ci/stripe-api-key");
    try (KeychainProvider keychain = KeychainProvider.create(KeychainOptions.builder()
            .environment(getenv)                 // the default is System::getenv
            .build());                           // Linux: secret-tool; macOS: security
         SecretsClient client = SecretsClient.builder().provider(keychain).build()) {
      keychain.write(ref, newValue, null);       // what `secrets put` does: the value goes to stdin
      try (Secret stripe = client.resolve(ref)) {
        callStripe(stripe.reveal());
      }
    }
    // --- README example ends ---

    assertThat(seenByStripe).containsExactly(value);
  }

  @Test
  void readmeExample_standsInTheReadmeAsItIs() throws Exception {
    String source = Files.readString(SOURCE, UTF_8);
    int start = source.indexOf('\n', source.indexOf("// --- README example starts ---")) + 1;
    int end = source.lastIndexOf('\n', source.indexOf("// --- README example ends ---"));
    StringBuilder snippet = new StringBuilder();
    for (String line : source.substring(start, end).split("\n", -1)) {
      snippet.append(line.length() >= 4 ? line.substring(4) : line.strip()).append('\n');
    }
    assertThat(Files.readString(README, UTF_8)).contains("```java\n" + snippet + "```");
  }
}
