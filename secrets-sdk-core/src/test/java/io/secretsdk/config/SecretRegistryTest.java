package io.secretsdk.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class SecretRegistryTest {
  /** The example files at the repository root, which the quick start uses. */
  static Path configs() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("configs"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a configs/ directory above the working directory").isNotNull();
    return dir.resolve("configs");
  }

  @Test
  void load_exampleRegistry_holdsEveryVendorAndEnvironment() {
    SecretRegistry registry = SecretRegistry.load(configs().resolve("secrets-registry.yaml"));

    assertThat(registry.names()).containsExactly("openai", "stripe", "github", "database");
    assertThat(registry.entries()).hasSize(8);
    for (String vendor : List.of("openai", "stripe")) {
      for (RunEnvironment env : RunEnvironment.values()) {
        RegistryEntry e = registry.entry(vendor, env).orElseThrow();
        // local runs read the encrypted local:// store (the quick start); CI and prod use mem://
        assertThat(e.ref().scheme()).isEqualTo(env == RunEnvironment.LOCAL ? "local" : "mem");
        assertThat(e.maxTtl()).hasValueSatisfying(t -> assertThat(t).isLessThanOrEqualTo(
            Duration.ofHours(1)));
      }
    }
    assertThat(registry.entry("github", RunEnvironment.CI).orElseThrow().ref())
        .isEqualTo(SecretRef.parse("env://GITHUB_TOKEN"));
    assertThat(registry.entry("database", RunEnvironment.PROD).orElseThrow().ref().scheme())
        .isEqualTo("file");
  }

  @Test
  void entry_seedExample_mapsFieldsAndEnvironments() {
    SecretRegistry registry = SecretRegistry.parse(String.join("\n",
        "openai:",
        "  dev:",
        "    secret_ref: \"kv://openai/dev/api_key\"",
        "    scope: [\"llm:chat\"]",
        "    max_ttl_seconds: 3600",
        "  ci:",
        "    secret_ref: \"kv://openai/ci/api_key\"",
        "    scope: [\"llm:chat\"]",
        "    max_ttl_seconds: 900",
        ""), "seed.yaml");

    RegistryEntry dev = registry.entry("openai", RunEnvironment.LOCAL).orElseThrow();
    assertThat(dev.name()).isEqualTo("openai");
    assertThat(dev.environmentKey()).isEqualTo("dev");
    assertThat(dev.environment()).isEqualTo(RunEnvironment.LOCAL);
    assertThat(dev.ref()).hasToString("kv://openai/dev/api_key");
    assertThat(dev.scope()).containsExactly("llm:chat");
    assertThat(dev.maxTtl()).hasValue(Duration.ofHours(1));
    assertThat(registry.entry("openai", RunEnvironment.CI).orElseThrow().maxTtl())
        .hasValue(Duration.ofMinutes(15));
    assertThat(registry.entry("openai", RunEnvironment.PROD)).isEmpty();
    assertThat(registry.entry("anthropic", RunEnvironment.LOCAL)).isEmpty();
  }

  @Test
  void entry_alternativeEnvironmentKeys_answerForTheirEnvironment() {
    SecretRegistry registry = SecretRegistry.parse(String.join("\n",
        "a:",
        "  development: {secret_ref: \"mem://a/local\"}",
        "  test: {secret_ref: \"mem://a/ci\"}",
        "  production: {secret_ref: \"mem://a/prod\"}",
        ""), null);

    assertThat(registry.entry("a", RunEnvironment.LOCAL).orElseThrow().ref())
        .hasToString("mem://a/local");
    assertThat(registry.entry("a", RunEnvironment.CI).orElseThrow().environmentKey())
        .isEqualTo("test");
    assertThat(registry.entry("a", RunEnvironment.PROD).orElseThrow().environment())
        .isEqualTo(RunEnvironment.PROD);
    assertThat(registry.entries(RunEnvironment.CI)).extracting(RegistryEntry::name)
        .containsExactly("a");
  }

  @Test
  void parse_optionalFieldsOmitted_defaultsToNoScopeAndNoTtl() {
    RegistryEntry e = SecretRegistry.parse("x:\n  prod:\n    secret_ref: op://Private/My Item/password\n",
        "r.yaml").entry("x", RunEnvironment.PROD).orElseThrow();

    assertThat(e.scope()).isEmpty();
    assertThat(e.maxTtl()).isEmpty();
    assertThat(e.ref().segments()).containsExactly("Private", "My Item", "password");
  }

  @Test
  void parse_realWorldRefs_accepted() {
    SecretRegistry registry = SecretRegistry.parse(String.join("\n",
        "stripe:",
        "  prod:",
        "    secret_ref: \"aws-sm://arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-AbCdEf#api_key\"",
        "  ci:",
        "    secret_ref: \"vault://secret/openai/ci?version=3#api_key\"",
        "  dev:",
        "    secret_ref: \"op://Private/My Item/password\"",
        ""), "real.yaml");

    assertThat(registry.entries()).hasSize(3);
  }

  @Test
  void collections_areImmutable() {
    SecretRegistry registry = SecretRegistry.load(configs().resolve("secrets-registry.yaml"));
    RegistryEntry e = registry.entries().get(0);

    assertThatThrownBy(() -> registry.entries().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> registry.names().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> e.scope().add("admin"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void empty_hasNoEntries() {
    SecretRegistry empty = SecretRegistry.empty();

    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.names()).isEmpty();
    assertThat(empty.entry("openai", RunEnvironment.LOCAL)).isEmpty();
  }

  @Test
  void toString_namesSourceAndRefsOnly() {
    SecretRegistry registry = SecretRegistry.parse("openai:\n  ci:\n    secret_ref: mem://openai/ci\n"
        + "    max_ttl_seconds: 900\n", "r.yaml");

    assertThat(registry).hasToString("SecretRegistry[source=r.yaml, names=[openai], entries=1]");
    assertThat(registry.entries().get(0)).hasToString(
        "RegistryEntry[openai/ci -> mem://openai/ci, scope=[], maxTtl=900s]");
  }

  @Test
  void entry_nullArguments_throwNpe() {
    assertThatThrownBy(() -> SecretRegistry.empty().entry(null, RunEnvironment.CI))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SecretRegistry.empty().entry("x", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void load_concurrentLoads_eachGetsTheWholeRegistry() throws Exception {
    Path file = configs().resolve("secrets-registry.yaml");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<SecretRegistry>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        futures.add(pool.submit(() -> SecretRegistry.load(file)));
      }
      SecretRegistry first = futures.get(0).get();
      for (java.util.concurrent.Future<SecretRegistry> f : futures) {
        assertThat(f.get().entries()).isEqualTo(first.entries());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
