package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the README's operator example for Vault (describe, compare-and-set write, revoke) against
 * MockWebServer, and checks that the README shows exactly this code.
 */
@Timeout(30)
final class ReadmeOperatorExampleTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, "{\"data\":{\"ttl\":3600,\"renewable\":false}}");
    v.vault.on("GET", "sys/internal/ui/mounts/secret/openai/ci", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"secret/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
    v.vault.on("GET", "secret/metadata/openai/ci", "kv-v2-read-metadata", 200, "{\"data\":{\"current_version\":3,"
        + "\"custom_metadata\":{\"owner\":\"ml\"},\"versions\":{"
        + "\"2\":{\"created_time\":\"2026-02-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false},"
        + "\"3\":{\"created_time\":\"2026-03-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false}}}}");
    v.vault.on("POST", "secret/data/openai/ci", "kv-v2-write", r -> r.getBody().utf8().contains("\"cas\":3")
        ? SpecDispatcher.json(200, "{\"data\":{\"version\":4}}")
        : SpecDispatcher.json(400, "{\"errors\":[\"check-and-set parameter did not match the current version\"]}"));
    v.vault.on("POST", "secret/delete/openai/ci", "kv-v2-delete-versions", 204, null);
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  @Test
  void readme_describeWriteRevoke_runsAndMatchesTheReadme() throws IOException {
    String newKey = v.canaries.make("new value", "sk-");
    byte[] newValue = ("{\"api_key\":\"" + newKey + "\"}").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    VaultOptions options = v.options(v.canaries.make("token", "hvs.")).build();
    String current;

    // snippet:vault-operator:start
    try (VaultSecretProvider vault = VaultSecretProvider.create(options)) {
      SecretRef ref = SecretRef.parse("vault://secret/openai/ci");
      SecretDescription d = vault.describe(ref);                 // GET secret/metadata/openai/ci
      for (SecretVersionInfo version : d.versions()) {            // newest first
        out.println(version.version() + " " + version.state() + " " + version.created().orElse(null));
      }
      String previous = d.currentVersion();
      current = vault.write(ref, newValue, previous);             // check-and-set: cas = 3
      RevokeResult r = vault.revoke(ref, new RevokeRequest(previous, RevokeRequest.Mode.DISABLE, null));
      r.steps().forEach(out::println);                            // what was done, in order
    }
    // snippet:vault-operator:end

    assertThat(current).isEqualTo("4");
    String shown = printed.toString(StandardCharsets.UTF_8);
    assertThat(shown).isEqualTo("3 ENABLED 2026-03-01T00:00:00Z\n2 ENABLED 2026-02-01T00:00:00Z\n"
        + "read metadata of vault://secret/openai/ci\n"
        + "deleted version 3 of vault://secret/openai/ci (KV v2 soft delete; restorable with undelete)\n");
    v.canaries.assertAbsent("printed output", shown);
    assertReadmeShows("vault-operator");
  }

  /** Every line of the tested region (stripped) is in README.md's copy of the snippet. */
  private static void assertReadmeShows(String name) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int at = readme.indexOf("<!-- snippet:" + name);
    assertThat(at).as("README.md has snippet " + name).isNotNegative();
    String shown = readme.substring(at, readme.indexOf("```\n", readme.indexOf("```java", at) + 7));
    String src = Files.readString(Path.of("src/test/java/io/secretsdk/vault/ReadmeOperatorExampleTest.java"));
    String region = src.substring(src.indexOf("// snippet:" + name + ":start"), src.indexOf("// snippet:" + name + ":end"));
    for (String line : region.substring(region.indexOf('\n') + 1).strip().split("\n")) {
      assertThat(shown).as("README.md's snippet " + name + " shows the tested code").contains(line.strip());
    }
  }
}
