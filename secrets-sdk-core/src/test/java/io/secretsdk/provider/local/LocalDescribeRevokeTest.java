package io.secretsdk.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The SPI's describe and revoke on the local store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LocalDescribeRevokeTest {
  @TempDir Path dir;

  private final byte[] key = LocalKeys.generate();
  private final String canary = LocalStoreFixtures.canary();

  private LocalSecretProvider provider() {
    return LocalSecretProvider.create(LocalStoreOptions.builder().storeFile(dir.resolve("s.json"))
        .key(key).environment(n -> null).build());
  }

  @Test
  void describe_versionsNewestFirst_metadataOfCurrent_noValue() {
    try (LocalSecretProvider p = provider()) {
      p.put("app/db", (canary + "1").getBytes(StandardCharsets.UTF_8));
      p.put("app/db", (canary + "2").getBytes(StandardCharsets.UTF_8), Duration.ofHours(1),
          Map.of("owner", "team"), null);
      SecretDescription d = ((SecretProvider) p).describe(SecretRef.parse("local://app/db"));
      assertThat(d.current()).contains("2");
      assertThat(d.versions()).extracting(SecretVersionInfo::version).containsExactly("2", "1");
      assertThat(d.versions().get(0).expires()).isPresent();
      assertThat(d.versions()).allMatch(v -> v.state() == SecretVersionInfo.State.ENABLED);
      assertThat(d.metadata()).containsEntry("owner", "team");
      assertThat(d.toString()).doesNotContain(canary);
    }
  }

  @Test
  void describe_missingSecretOrFieldRef_typedErrors() {
    try (LocalSecretProvider p = provider()) {
      assertThatThrownBy(() -> p.describe(SecretRef.parse("local://nope")))
          .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("local://nope");
      assertThatThrownBy(() -> p.describe(SecretRef.parse("local://a#f")))
          .isInstanceOf(InvalidSecretRefException.class);
    }
  }

  @Test
  void revoke_current_previousBecomesCurrentAndStepsSaySo() {
    try (LocalSecretProvider p = provider()) {
      p.put("app/db", (canary + "1").getBytes(StandardCharsets.UTF_8));
      p.put("app/db", (canary + "2").getBytes(StandardCharsets.UTF_8));
      SecretRef ref = SecretRef.parse("local://app/db");
      RevokeResult r = p.revoke(ref, RevokeRequest.disableCurrent());
      assertThat(r.revokedVersion()).isEqualTo("2");
      assertThat(r.steps()).hasSize(2);
      assertThat(r.steps().get(1)).contains("version 1 is now current");
      assertThat(p.fetch(ref, FetchContext.of(RunEnvironment.LOCAL)).version()).contains("1");
      assertThatThrownBy(() -> p.fetch(ref.withQueryParam("version", "2"),
          FetchContext.of(RunEnvironment.LOCAL))).isInstanceOf(SecretNotFoundException.class);
      assertThat(String.join("\n", r.steps())).doesNotContain(canary);
    }
  }

  @Test
  void revoke_namedVersion_missingVersion_scheduleDeletion() {
    try (LocalSecretProvider p = provider()) {
      p.put("app/db", (canary + "1").getBytes(StandardCharsets.UTF_8));
      p.put("app/db", (canary + "2").getBytes(StandardCharsets.UTF_8));
      SecretRef ref = SecretRef.parse("local://app/db");
      assertThat(p.revoke(ref, new RevokeRequest("1", RevokeRequest.Mode.DESTROY, null))
          .revokedVersion()).isEqualTo("1");
      assertThatThrownBy(() -> p.revoke(ref, new RevokeRequest("1", RevokeRequest.Mode.DISABLE, null)))
          .isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> p.revoke(ref, new RevokeRequest("x", RevokeRequest.Mode.DISABLE, null)))
          .isInstanceOf(InvalidSecretRefException.class);
      assertThatThrownBy(() -> p.revoke(ref, new RevokeRequest(null,
          RevokeRequest.Mode.SCHEDULE_DELETION, null))).isInstanceOf(UnsupportedOperationException.class);
      assertThat(p.describe(ref).current()).contains("2");
    }
  }
}
