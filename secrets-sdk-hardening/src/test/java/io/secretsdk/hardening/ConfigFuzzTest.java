package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the registry (YAML) and policy (JSON) loaders: any text either loads into a registry or
 * policy whose every ref is a valid, value-free {@code SecretRef}, or fails with
 * {@link SecretConfigException} — never another exception (no NPE, ClassCast, StackOverflow from
 * deep nesting, YAML alias bombs), and a loaded registry never holds a complete canary
 * credential. (Error messages may name a key the file got wrong, so the fuzzer can always move a
 * canary into a key and see it quoted: that no message quotes a credential in a value position is
 * checked by {@link ConfigLeakTest} on fixed inputs.)
 *
 * <p>Seeds: {@code ConfigFuzzTestInputs/registry/} and {@code ConfigFuzzTestInputs/policy/}.
 */
final class ConfigFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void registry(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    SecretRegistry registry;
    try {
      registry = SecretRegistry.parse(yaml, "fuzz.yaml");
    } catch (SecretConfigException e) {
      checkMessage(e);
      return;
    }
    for (RegistryEntry e : registry.entries()) {
      assertThat(e.ref()).isNotNull();
      assertThat(e.name()).isNotBlank();
      for (String credential : Canaries.COMPLETE) {
        assertThat(e.ref().toString()).as("a loaded ref holds a credential").doesNotContain(credential);
      }
    }
    for (String name : registry.names()) {
      for (RunEnvironment env : RunEnvironment.values()) {
        registry.entry(name, env); // lookups never throw on a loaded registry
      }
    }
  }

  @FuzzTest(maxDuration = "5m")
  void policy(byte[] input) {
    String json = new String(input, StandardCharsets.UTF_8);
    SecretPolicy policy;
    try {
      policy = SecretPolicy.parse(json, "fuzz.json");
    } catch (SecretConfigException e) {
      checkMessage(e);
      return;
    }
    assertThat(policy.maxTtl()).isNotNull();
    assertThat(policy.toString()).isNotNull();
  }

  private static void checkMessage(SecretConfigException e) {
    assertThat(e.getMessage()).isNotBlank();
  }
}
