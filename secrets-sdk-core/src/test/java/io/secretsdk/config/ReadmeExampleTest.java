package io.secretsdk.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The example of README.md, "Registry and policy files", run as written. */
@Timeout(30)
final class ReadmeExampleTest {

  @Test
  void readmeExample_resolvesOpenAiEntryInCi() {
    Path configs = SecretRegistryTest.configs(); // README: Path.of("configs")
    Map<String, String> processEnv = Map.of("CI", "true"); // README: System.getenv()

    // --- README snippet ---
    SecretRegistry registry = SecretRegistry.load(configs.resolve("secrets-registry.yaml"));
    SecretPolicy policy = SecretPolicy.load(configs.resolve("secrets-policy.json"));
    RunEnvironment env = RunEnvironment.detect(processEnv); // SECRETS_SDK_ENV, or CI=true -> CI

    RegistryEntry openai = registry.entry("openai", env).orElseThrow();
    policy.check(openai, env); // PolicyViolationException names the rule that denied it
    String line = openai.ref() + " scope=" + openai.scope() + " ttl=" + openai.maxTtl().orElseThrow();
    // --- end of snippet ---

    assertThat(line).isEqualTo("mem://openai/ci/api_key scope=[llm:chat] ttl=PT15M");
  }
}
