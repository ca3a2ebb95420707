package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/** The auto-configured client, injection and metrics, with Spring Boot's context runner. */
final class SecretsAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class,
          SecretsHealthAutoConfiguration.class));

  @TempDir Path dir;
  private SecretFiles files;

  private final DebugLogs logs = new DebugLogs();

  @AfterEach
  void noValueInTheLogs() {
    logs.close();
    assertThat(logs.text()).isNotEmpty().doesNotContain(files.canary);
  }

  @BeforeEach
  void setUp() {
    files = new SecretFiles(dir);
  }

  @Test
  void clientFromProperties_resolvesRegistryNames_andIsClosedWithTheContext() {
    AtomicReference<SecretsClient> seen = new AtomicReference<>();
    runner.withPropertyValues(files.properties("secrets.principal=payments")).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(SecretsClient.class);
      SecretsClient client = context.getBean(SecretsClient.class);
      seen.set(client);
      assertThat(client.environment()).isEqualTo(RunEnvironment.LOCAL);
      try (Secret key = client.resolveByName("openai")) {
        assertThat(key.reveal()).isEqualTo(files.canary);
        assertThat(key.ref()).hasToString(files.ref("openai"));
      }
      assertThat(client.toString()).contains("providers=[file]").doesNotContain(files.canary);
    });
    assertThatThrownBy(() -> seen.get().resolveByName("openai")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void noProvidersConfigured_defaultsToEnvAndFile() {
    runner.run(context -> assertThat(context.getBean(SecretsClient.class).toString())
        .contains("env").contains("file"));
  }

  @Test
  void enabledFalse_leavesAProviderOut_andAnythingElseIsRefused() {
    runner.withPropertyValues(files.properties("secrets.providers.env.enabled=false"))
        .run(context -> assertThat(context.getBean(SecretsClient.class).toString()).contains("providers=[file]"));
    runner.withPropertyValues(files.properties("secrets.providers.env.enabled=maybe")).run(context ->
        assertThat(context).getFailure().rootCause().isInstanceOf(SecretConfigException.class)
            .hasMessageContaining("secrets.providers.env.enabled"));
  }

  @Test
  void customizer_addsAProviderBuiltInCode() {
    MemSecretProvider mem = MemSecretProvider.create();
    String value = "canary-" + java.util.UUID.randomUUID();
    mem.put("app/key", value);
    runner.withPropertyValues(files.properties())
        .withBean(SecretsClientCustomizer.class, () -> builder -> builder.provider(mem))
        .run(context -> {
          try (Secret s = context.getBean(SecretsClient.class).resolve("mem://app/key")) {
            assertThat(s.reveal()).isEqualTo(value);
          }
        });
  }

  @Test
  void policyFile_isEnforced() throws Exception {
    Path policy = Files.writeString(dir.resolve("policy.json"),
        "{\"version\": 1, \"allowed_secrets\": [\"missing\"]}", StandardCharsets.UTF_8);
    runner.withPropertyValues(files.properties("secrets.policy=" + policy)).run(context ->
        assertThatThrownBy(() -> context.getBean(SecretsClient.class).resolveByName("openai"))
            .isInstanceOf(PolicyViolationException.class)
            .hasMessageContaining("allowed_secrets")
            .hasMessageNotContaining(files.canary));
  }

  @Test
  void registryOnTheClasspath_loads() {
    runner.withPropertyValues("secrets.registry=classpath:registry-test.yaml", "secrets.environment=prod")
        .withBean(SecretsClientCustomizer.class, () -> builder -> builder.provider(MemSecretProvider.create()))
        .run(context -> assertThat(context.getBean(SecretsClient.class).refOf("openai"))
            .hasToString("mem://openai/prod/api_key"));
  }

  @Test
  void badSettings_failTheContextWithATypedErrorNamingTheSetting() {
    runner.withPropertyValues(files.properties("secrets.environment=moon")).run(context ->
        assertThat(context).getFailure().rootCause().isInstanceOf(SecretConfigException.class)
            .hasMessageContaining("secrets.environment"));
    runner.withPropertyValues("secrets.providers.nosuch.address=x").run(context ->
        assertThat(context).getFailure().rootCause().isInstanceOf(SecretConfigException.class)
            .hasMessageContaining("nosuch"));
    runner.withPropertyValues("secrets.registry=" + dir.resolve("absent.yaml")).run(context ->
        assertThat(context).getFailure().rootCause().isInstanceOf(SecretConfigException.class));
    runner.withPropertyValues(files.properties("secrets.providers.file.noSuchOption=1")).run(context ->
        assertThat(context).getFailure().rootCause().isInstanceOf(SecretConfigException.class)
            .hasMessageContaining("noSuchOption"));
  }

  @Test
  void aCredentialPastedIntoAnOption_isRefusedWithoutBeingEchoed() {
    String pasted = "canary-" + java.util.UUID.randomUUID();
    for (String option : new String[] {"secrets.providers.vault.token=" + pasted,
        "secrets.providers.file.maxSize=" + pasted, "secrets.providers.vault.address=" + pasted}) {
      runner.withPropertyValues(option).run(context -> {
        Throwable failure = context.getStartupFailure();
        assertThat(failure).as(option).isNotNull();
        assertThat(failure).hasRootCauseInstanceOf(SecretConfigException.class);
        for (Throwable t = failure; t != null; t = t.getCause()) {
          assertThat(String.valueOf(t.getMessage())).as(option).doesNotContain(pasted);
        }
      });
    }
    assertThat(logs.text()).doesNotContain(pasted);
  }

  @Test
  @org.junit.jupiter.api.Timeout(60)
  void manyThreads_resolveThroughNamedSecretsWhileHealthIsPolled() {
    runner.withPropertyValues(files.properties("secrets.health.names=openai"))
        .withUserConfiguration(VendorConfiguration.class).run(context -> {
          NamedSecret key = context.getBean(Vendor.class).key;
          var health = context.getBean("secretsHealthIndicator",
              org.springframework.boot.health.contributor.HealthIndicator.class);
          var pool = java.util.concurrent.Executors.newFixedThreadPool(32);
          try {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < 640; i++) {
              boolean poll = i % 10 == 0;
              results.add(pool.submit(() -> {
                if (poll) {
                  return health.health().getStatus().getCode().equals("UP");
                }
                try (Secret s = key.resolve()) {
                  return s.reveal().equals(files.canary);
                }
              }));
            }
            for (var r : results) {
              assertThat(r.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
          } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
          }
        });
  }

  @Test
  void secretName_injectsNamedSecretAndRef_neverTheValue() {
    runner.withPropertyValues(files.properties()).withUserConfiguration(VendorConfiguration.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          Vendor vendor = context.getBean(Vendor.class);
          assertThat(vendor.ref).hasToString(files.ref("openai"));
          assertThat(vendor.key.name()).isEqualTo("openai");
          assertThat(vendor.key.toString()).doesNotContain(files.canary);
          try (Secret s = vendor.key.resolve()) {
            assertThat(s.reveal()).isEqualTo(files.canary);
          }
          assertNotInEnvironment(context.getEnvironment(), files.canary);
        });
  }

  @Test
  void secretName_onAValueType_orAnUnknownName_failsTheContext() {
    runner.withPropertyValues(files.properties()).withUserConfiguration(StringConfiguration.class)
        .run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOf(SecretConfigException.class).hasMessageContaining("NamedSecret")
            .hasMessageNotContaining(files.canary));
    runner.withPropertyValues(files.properties()).withUserConfiguration(UnknownNameConfiguration.class)
        .run(context -> assertThat(context).getFailure().rootCause()
            .isInstanceOf(SecretConfigException.class).hasMessageContaining("nosuchname"));
  }

  @Test
  void metrics_goToBootsMeterRegistry_taggedBySchemeNeverByRef() {
    runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
        .withPropertyValues(files.properties())
        .run(context -> {
          SecretsClient client = context.getBean(SecretsClient.class);
          client.resolveByName("openai").close();
          client.resolveByName("openai").close();
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.find("secrets.resolve").tag("scheme", "file").counters()).isNotEmpty();
          assertThat(registry.find("secrets.fetch").timer()).isNotNull();
          for (Meter meter : registry.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
              assertThat(tag.getValue()).doesNotContain(dir.toString()).doesNotContain(files.canary);
            }
          }
        });
  }

  @Test
  void ownClientBean_replacesTheAutoConfiguredOne() {
    MemSecretProvider mem = MemSecretProvider.create();
    runner.withBean(SecretsClient.class, () -> SecretsClient.builder().provider(mem).build())
        .run(context -> {
          assertThat(context).hasSingleBean(SecretsClient.class).doesNotHaveBean(ConfiguredSecrets.class);
          assertThat(context.getBean(SecretsClient.class).toString()).contains("mem");
        });
  }

  static void assertNotInEnvironment(ConfigurableEnvironment environment, String value) {
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> e) {
        for (String name : e.getPropertyNames()) {
          assertThat(String.valueOf(e.getProperty(name))).as(name).doesNotContain(value);
        }
      }
    }
  }

  /** A bean as users write one: holds the name and the ref, resolves at use. */
  static final class Vendor {
    final NamedSecret key;
    final SecretRef ref;

    Vendor(NamedSecret key, SecretRef ref) {
      this.key = key;
      this.ref = ref;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class VendorConfiguration {
    @Bean
    Vendor vendor(@SecretName("openai") NamedSecret key, @SecretName("openai") SecretRef ref) {
      return new Vendor(key, ref);
    }
  }

  /** Field injection, as {@code @Autowired} fields are written. */
  static final class FieldInjected {
    @org.springframework.beans.factory.annotation.Autowired
    @SecretName("openai")
    NamedSecret key;
  }

  @Test
  void secretName_onAnAutowiredField() {
    runner.withPropertyValues(files.properties()).withBean(FieldInjected.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(FieldInjected.class).key.ref()).hasToString(files.ref("openai"));
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class StringConfiguration {
    @Bean
    String apiKey(@SecretName("openai") String key) {
      return key;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UnknownNameConfiguration {
    @Bean
    Vendor vendor(@SecretName("nosuchname") NamedSecret key) {
      return new Vendor(key, key.ref());
    }
  }
}
