package io.secretsdk.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretsClient;
import io.secretsdk.internal.ProviderDiscovery;
import io.secretsdk.spi.ProviderSettings;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ProviderDiscoveryTest {

  @Test
  void discovery_unknownFactoryOnClasspath_isNeverInitializedUnlessNamed() {
    ClassLoader loader = getClass().getClassLoader();
    assertThat(ProviderDiscovery.visibleFactoryNames(loader))
        .contains("io.secretsdk.discovery.RogueFactory");

    assertThat(ProviderDiscovery.allowedFactories(loader, Set.of())).doesNotContainKey("rogue")
        .containsKey("mem");
    assertThatThrownBy(() -> SecretsClient.builder()
            .providerFromFactory("rogue", ProviderSettings.of(Map.of())))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("no allowed provider factory for scheme 'rogue'");
    assertThat(System.getProperty("secretsdk.test.rogue.initialized")).isNull();
    assertThat(System.getProperty("secretsdk.test.rogue.constructed")).isNull();

    // named by the user: now it may load
    try (SecretsClient client = SecretsClient.builder()
        .allowFactory("io.secretsdk.discovery.RogueFactory")
        .providerFromFactory("rogue", ProviderSettings.of(Map.of()))
        .environment(RunEnvironment.LOCAL)
        .build()) {
      assertThat(client.resolve("rogue://x").revealBytes()).containsExactly(1);
    }
    assertThat(System.getProperty("secretsdk.test.rogue.constructed")).isEqualTo("true");
  }

  @Test
  void fromEnvironment_listedSchemes_buildsProvidersFromSdkFactories() {
    SecretsClient.Builder b = SecretsClient.Builder.fromEnvironment(Map.of(
        "SECRETS_SDK_PROVIDERS", "mem", "SECRETS_SDK_ENV", "ci", "SECRETS_SDK_ALIASES", "kv=mem"));
    try (SecretsClient client = b.build()) {
      assertThat(client.environment()).isEqualTo(RunEnvironment.CI);
      assertThatThrownBy(() -> client.resolve("kv://nothing/here"))
          .hasMessageContaining("mem://nothing/here");
    }
  }

  @Test
  void fromEnvironment_unknownScheme_namesIt() {
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(
            Map.of("SECRETS_SDK_PROVIDERS", "nosuch")))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("'nosuch'");
  }

  @Test
  void fromEnvironment_malformedAlias_isTypedError() {
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(
            Map.of("SECRETS_SDK_PROVIDERS", "mem", "SECRETS_SDK_ALIASES", "kv")))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("SECRETS_SDK_ALIASES");
  }
}
