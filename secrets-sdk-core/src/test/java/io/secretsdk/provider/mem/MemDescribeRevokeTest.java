package io.secretsdk.provider.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SPI's describe and revoke on the in-memory provider. */
final class MemDescribeRevokeTest {
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.LOCAL);
  private final String canary = "canary-" + UUID.randomUUID();
  private final SecretRef ref = SecretRef.parse("mem://app/key");

  @Test
  void describe_listsVersionsNewestFirstWithoutValues() {
    try (MemSecretProvider p = MemSecretProvider.create()) {
      p.put("app/key", canary + "1");
      p.put("app/key", canary + "2");
      SecretDescription d = p.describe(ref);
      assertThat(d.current()).contains("2");
      assertThat(d.versions()).extracting(SecretVersionInfo::version).containsExactly("2", "1");
      assertThat(d.toString()).doesNotContain(canary);
      assertThatThrownBy(() -> p.describe(SecretRef.parse("mem://none")))
          .isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void revokeCurrent_disablesIt_previousServes_casSeesPrevious() {
    try (MemSecretProvider p = MemSecretProvider.create()) {
      p.put("app/key", canary + "1");
      p.put("app/key", canary + "2");
      assertThat(p.revoke(ref, RevokeRequest.disableCurrent()).revokedVersion()).isEqualTo("2");
      assertThat(new String(p.fetch(ref, CTX).value(), StandardCharsets.UTF_8)).isEqualTo(canary + "1");
      assertThatThrownBy(() -> p.fetch(ref.withQueryParam("version", "2"), CTX))
          .isInstanceOf(SecretNotFoundException.class).hasMessageNotContaining(canary);
      assertThat(p.describe(ref).versions().get(0).state()).isEqualTo(SecretVersionInfo.State.DISABLED);
      assertThatThrownBy(() -> p.write(ref, new byte[] {1}, "2"))
          .isInstanceOf(SecretVersionConflictException.class);
      assertThat(p.write(ref, new byte[] {1}, "1")).isEqualTo("3");
    }
  }

  @Test
  void destroyAll_thenNothingResolves_andRevokingAgainIsNotFound() {
    try (MemSecretProvider p = MemSecretProvider.create()) {
      p.put("app/key", canary);
      assertThat(p.revoke(ref, new RevokeRequest("1", RevokeRequest.Mode.DESTROY, null)).steps())
          .anyMatch(s -> s.contains("no version"));
      assertThat(p.describe(ref).current()).isEmpty();
      assertThatThrownBy(() -> p.fetch(ref, CTX)).isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> p.revoke(ref, RevokeRequest.disableCurrent()))
          .isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> p.revoke(SecretRef.parse("mem://none"), RevokeRequest.disableCurrent()))
          .isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> p.revoke(ref, new RevokeRequest(null,
          RevokeRequest.Mode.SCHEDULE_DELETION, null))).isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
