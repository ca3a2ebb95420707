package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.provider.mem.MemSecretProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code secrets check} as a CI gate: the project's own configs, empty environments, JSON. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CheckGateTest {
  @TempDir Path dir;

  private final MemSecretProvider mem = MemSecretProvider.create();
  private final String canary = CliRun.canary();
  private final Backends.Overrides memBackend = scheme -> scheme.equals("mem")
      ? Optional.of(new UnclosedProvider(mem)) : Optional.empty();

  @AfterEach
  void close() {
    mem.close();
  }

  private static Path configs() {
    Path here = Path.of("").toAbsolutePath();
    Path root = here.getFileName().toString().equals("secrets-cli") ? here.getParent() : here;
    return root.resolve("configs");
  }

  private Map<String, String> env() {
    return Map.of("HOME", dir.toString(), "SECRETS_SDK_LOCAL_STORE", dir.resolve("s.json").toString(),
        "GITHUB_TOKEN", canary);
  }

  @Test
  void projectConfigs_memRefsAreNamedNotACrash_envRefChecked() {
    CliRun.Result r = CliRun.run(env(), "", Backends.NONE, "--env", "ci",
        "--registry", configs().resolve("secrets-registry.yaml").toString(),
        "--policy", configs().resolve("secrets-policy.json").toString(), "check");
    assertThat(r.out()).contains("SKIP openai -> mem://openai/ci/api_key: mem:// values live in the"
        + " application's own memory").contains("ok   github -> env://GITHUB_TOKEN")
        .contains("-    database: no entry for ci");
    assertThat(r.exit()).as(r.all()).isEqualTo(SecretsCli.OK);
    assertThat(r.all()).doesNotContain(canary).doesNotContain("internal error");
    assertThat(CliRun.run(env(), "", Backends.NONE, "check", "--strict", "--env", "ci",
        "--registry", configs().resolve("secrets-registry.yaml").toString()).exit())
        .isEqualTo(SecretsCli.FINDINGS);
  }

  @Test
  void projectConfigs_everyEnvironment_neverCrashes() {
    for (String env : new String[] {"local", "ci", "prod"}) {
      CliRun.Result r = CliRun.run(env(), "", Backends.NONE, "check", "--env", env,
          "--registry", configs().resolve("secrets-registry.yaml").toString(),
          "--policy", configs().resolve("secrets-policy.json").toString(), "--format", "json");
      assertThat(r.exit()).as(env + r.all()).isIn(SecretsCli.OK, SecretsCli.FINDINGS);
      assertThat(r.err()).doesNotContain("internal error");
      assertThat(r.all()).doesNotContain(canary);
    }
  }

  @Test
  void environmentWithoutEntries_checksNothing_failsTheGate() throws Exception {
    Path registry = Files.writeString(dir.resolve("r.yaml"), """
        openai:
          dev:
            secret_ref: "mem://openai/dev"
        """);
    CliRun.Result r = CliRun.run(env(), "", memBackend, "check", "--registry",
        registry.toString(), "--env", "prod");
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("0 of 1 names checked for prod");
    assertThat(r.err()).contains("no name was checked for prod");
    assertThat(r.err().lines().count()).isEqualTo(1);
  }

  @Test
  void memBackedRegistry_jsonFormat_reportsEachName_neverTheValue() throws Exception {
    mem.put("openai/prod", canary);
    Path registry = Files.writeString(dir.resolve("r.yaml"), """
        openai:
          prod:
            secret_ref: "mem://openai/prod"
        stripe:
          prod:
            secret_ref: "mem://stripe/prod"
        legacy:
          prod:
            secret_ref: "nosuch://x/y"
        """);
    CliRun.Result r = CliRun.run(env(), "", memBackend, "--format", "json", "check",
        "--registry", registry.toString(), "--env", "prod");
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("passed").asBoolean()).isFalse();
    assertThat(json.get("checked").asInt()).isEqualTo(2);
    Map<String, JsonNode> byName = new java.util.HashMap<>();
    json.get("names").forEach(n -> byName.put(n.get("name").asText(), n));
    assertThat(byName.get("openai").get("status").asText()).isEqualTo("ok");
    assertThat(byName.get("openai").get("version").asText()).isEqualTo("1");
    assertThat(byName.get("stripe").get("status").asText()).isEqualTo("fail");
    assertThat(byName.get("stripe").get("reason").asText()).contains("SecretNotFoundException");
    assertThat(byName.get("legacy").get("status").asText()).isEqualTo("skip");
    assertThat(byName.get("legacy").get("reason").asText()).contains("nosuch");
    assertThat(r.all()).doesNotContain(canary);
  }

  @Test
  void globalOptionsAnywhere_missingRegistryOrPolicyFile_namedExitTwo() throws Exception {
    mem.put("a/b", canary);
    Path registry = Files.writeString(dir.resolve("r.yaml"), "a:\n  ci:\n    secret_ref: \"mem://a/b\"\n");
    for (String[] args : new String[][] {
        {"--registry", registry.toString(), "--env", "ci", "check"},
        {"check", "--env=ci", "--registry", registry.toString()},
        {"--env", "ci", "check", "--registry=" + registry}}) {
      CliRun.Result r = CliRun.run(env(), "", memBackend, args);
      assertThat(r.exit()).as(String.join(" ", args) + r.all()).isZero();
    }
    CliRun.Result missing = CliRun.run(env(), "", memBackend, "check", "--registry",
        dir.resolve("typo.yaml").toString());
    assertThat(missing.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(missing.err()).contains("typo.yaml").hasLineCount(1);
    CliRun.Result policy = CliRun.run(env(), "", memBackend, "check", "--registry",
        registry.toString(), "--policy", dir.resolve("nopolicy.json").toString());
    assertThat(policy.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(policy.err()).contains("nopolicy.json").hasLineCount(1);
    CliRun.Result none = CliRun.run(Map.of(), "", memBackend, "check");
    assertThat(none.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(none.err()).contains("--registry");
  }
}
