package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalStoreOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CheckCommandTest {
  @TempDir Path dir;

  private final byte[] key = LocalKeys.generate();
  private final String canary = SecretsCliTest.canary();
  private Path registry;
  private Path policy;

  record Result(int exit, String out, String err) {}

  private Result cli(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--store", dir.resolve("store.json").toString()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = SecretsCli.run(all.toArray(String[]::new), new CliIo(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of(LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(key)), null));
    Result r = new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    assertThat(r.out() + r.err()).doesNotContain(canary);
    return r;
  }

  @BeforeEach
  void files() throws Exception {
    registry = dir.resolve("secrets-registry.yaml");
    Files.writeString(registry, """
        openai:
          dev:
            secret_ref: "local://openai/dev"
            max_ttl_seconds: 3600
        stripe:
          dev:
            secret_ref: "local://stripe/dev"
        """);
    policy = dir.resolve("secrets-policy.json");
    Files.writeString(policy, """
        {
          "version": 1,
          "allowed_secrets": ["openai", "stripe"],
          "required_prefix": ["local://"],
          "environments": ["local", "ci"],
          "required_metadata": ["owner"]
        }
        """);
  }

  @Test
  void check_everyNameResolvesAndHasMetadata_exitsZeroWithoutValues() {
    cli(canary, "put", "openai/dev", "--meta", "owner=team-a");
    cli(canary, "put", "stripe/dev", "--meta", "owner=team-b");
    Result r = cli("", "check", "--registry", registry.toString(), "--policy", policy.toString(),
        "--env", "dev");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("ok   openai -> local://openai/dev (version 1)")
        .contains("ok   stripe -> local://stripe/dev").contains("2 names checked for local");
  }

  @Test
  void check_missingSecretAndMissingMetadata_exitsOneNamingBoth() {
    cli(canary, "put", "openai/dev"); // no owner metadata
    Result r = cli("", "check", "--registry", registry.toString(), "--policy", policy.toString(),
        "--env", "dev");
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("FAIL openai").contains("owner")
        .contains("FAIL stripe").contains("SecretNotFoundException");
    assertThat(r.err()).contains("check failed for 2 of 2: openai, stripe");
  }

  @Test
  void check_policyDeniesEnvironmentOrPrefix_exitsOne() throws Exception {
    cli(canary, "put", "openai/dev", "--meta", "owner=a");
    cli(canary, "put", "stripe/dev", "--meta", "owner=b");
    Files.writeString(policy, Files.readString(policy).replace("\"local://\"", "\"vault://\""));
    Result r = cli("", "check", "--registry", registry.toString(), "--policy", policy.toString(),
        "--env", "dev");
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("PolicyViolationException").contains("required_prefix");
  }

  @Test
  void check_refWithoutProviderInThisTool_failsThatName() throws Exception {
    Files.writeString(registry, """
        vaulted:
          dev:
            secret_ref: "vault://secret/app"
        """);
    Result r = cli("", "check", "--registry", registry.toString(), "--env", "dev");
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("SKIP vaulted -> vault://secret/app: no provider for scheme 'vault'")
        .contains("VAULT_TOKEN");
    assertThat(r.err()).contains("no name was checked");
  }

  @Test
  void check_badRegistryFileOrEnv_isStoreOrUsageError() throws Exception {
    Files.writeString(registry, "openai: [not, a, map]\n");
    Result r = cli("", "check", "--registry", registry.toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(r.err()).contains(registry.toString());
    assertThat(cli("", "check", "--registry", registry.toString(), "--env", "mars").exit())
        .isEqualTo(SecretsCli.USAGE);
    Result missing = cli("", "check", "--registry", dir.resolve("none.yaml").toString());
    assertThat(missing.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(missing.err()).contains("none.yaml").contains("does not exist");
  }
}
