package io.secretsdk.provider.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.PolicyViolationException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.provider.env.EnvSecretProvider;
import io.secretsdk.provider.file.FileSecretProviderTest.KubeVolume;
import io.secretsdk.spi.ProviderSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The env and file providers behind a real {@link SecretsClient}. */
@Timeout(30)
final class FileAndEnvThroughClientTest {
  private static final String CANARY = "canary-client-5e8a3f0c71";

  @TempDir Path dir;
  private LogCapture fileLogs;

  @BeforeEach
  void captureLogs() {
    fileLogs = new LogCapture(FileSecretProvider.class);
  }

  @AfterEach
  void noValueInLogs() {
    try {
      assertThat(fileLogs.allText()).doesNotContain(CANARY);
    } finally {
      fileLogs.close();
    }
  }

  @Test
  void resolve_kubernetesSwapThenRefresh_servesNewValueAndFiresChange() throws IOException {
    KubeVolume volume = new KubeVolume(dir.resolve("app"));
    volume.publish(Map.of("openai", CANARY + "-v1"));
    SecretRef ref = SecretRef.parse("file://" + volume.dir.resolve("openai"));
    List<SecretChangeEvent> changes = new CopyOnWriteArrayList<>();
    try (SecretsClient client = SecretsClient.builder()
        .provider(FileSecretProvider.create(FileSecretProviderOptions.builder()
            .allowedRoot(dir).build()))
        .environment(RunEnvironment.CI)
        .build()) {
      client.onChange(ref, changes::add);
      String v1;
      String version1;
      try (Secret s = client.resolve(ref)) {
        v1 = s.reveal();
        version1 = s.version().orElseThrow();
        assertThat(s.toString()).doesNotContain(CANARY);
      }

      volume.publish(Map.of("openai", CANARY + "-v2"));
      try (Secret cached = client.resolve(ref)) {
        assertThat(cached.reveal()).isEqualTo(v1); // still cached: the client owns freshness
      }
      try (Secret refreshed = client.refresh(ref)) {
        assertThat(refreshed.reveal()).isEqualTo(CANARY + "-v2");
        assertThat(refreshed.version()).isPresent().isNotEqualTo(java.util.Optional.of(version1));
      }

      assertThat(v1).isEqualTo(CANARY + "-v1");
      assertThat(changes).singleElement().satisfies(e -> {
        assertThat(e.oldVersion()).contains(version1);
        assertThat(e.toString()).doesNotContain(CANARY);
      });
    }
  }

  @Test
  void resolve_outsideRoots_isDeniedByTheClientToo() {
    try (SecretsClient client = SecretsClient.builder()
        .provider(FileSecretProvider.create(FileSecretProviderOptions.builder()
            .allowedRoot(dir).build()))
        .environment(RunEnvironment.CI)
        .build()) {
      assertThatThrownBy(() -> client.resolve("file:///etc/shadow"))
          .isInstanceOf(PolicyViolationException.class);
    }
  }

  @Test
  void resolve_envRefs_throughClient() {
    try (SecretsClient client = SecretsClient.builder()
        .provider(EnvSecretProvider.create(Map.of("OPENAI_API_KEY", CANARY)::get))
        .environment(RunEnvironment.CI)
        .build()) {
      try (Secret s = client.resolve("env://OPENAI_API_KEY")) {
        assertThat(s.reveal()).isEqualTo(CANARY);
        assertThat(s.toString()).doesNotContain(CANARY);
      }
      assertThatThrownBy(() -> client.resolve("env://UNSET_ONE"))
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("UNSET_ONE")
          .satisfies(e -> assertThat(e.toString()).doesNotContain(CANARY));
    }
  }

  @Test
  void providerFromFactory_envAndFile_areDiscovered() throws IOException {
    java.nio.file.Files.writeString(dir.resolve("k"), CANARY, UTF_8);
    ProviderSettings settings = ProviderSettings.of(Map.of(), Map.of("TOKEN", CANARY,
        FileSecretProviderFactory.ALLOWED_ROOTS_VARIABLE, dir.toString())::get);
    try (SecretsClient client = SecretsClient.builder()
        .providerFromFactory("env", settings)
        .providerFromFactory("file", settings)
        .environment(RunEnvironment.CI)
        .build()) {
      try (Secret e = client.resolve("env://TOKEN"); Secret f = client.resolve("file://" + dir.resolve("k"))) {
        assertThat(e.reveal()).isEqualTo(CANARY);
        assertThat(f.reveal()).isEqualTo(CANARY);
      }
      assertThatThrownBy(() -> client.resolve("file:///etc/hostname"))
          .isInstanceOf(PolicyViolationException.class);
    }
  }
}
