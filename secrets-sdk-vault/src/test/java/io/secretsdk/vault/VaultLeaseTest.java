package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CANARY_VALUE;
import static io.secretsdk.vault.VaultHarness.CTX;
import static io.secretsdk.vault.VaultHarness.ref;
import static io.secretsdk.vault.VaultHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.spi.FetchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class VaultLeaseTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private VaultHarness h;
  private final AtomicInteger issued = new AtomicInteger();

  @BeforeEach
  void setUp() {
    h = new VaultHarness(server).lookupSelf(0, false);
    h.vault.on("POST", "sys/leases/revoke", "leases-revoke-lease", 204, null);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private VaultSecretProvider provider() {
    return h.provider(h.options().mount("database", MountKind.GENERIC).build());
  }

  /** database/creds/readonly issues a new lease (and password) per call. */
  private void creds(long ttl, boolean renewable) {
    h.vault.on("GET", "database/creds/readonly", "database-generate-credentials", r -> {
      int n = issued.incrementAndGet();
      return SpecDispatcher.json(200, "{\"request_id\":\"r\",\"lease_id\":\"database/creds/readonly/lease-" + n + "\","
          + "\"renewable\":" + renewable + ",\"lease_duration\":" + ttl + ",\"data\":{\"username\":\"v-user-" + n
          + "\",\"password\":\"" + CANARY_VALUE + "-" + n + "\"},\"wrap_info\":null,\"warnings\":null,\"auth\":null}");
    });
  }

  private List<String> bodies(String path, String member) throws Exception {
    List<String> out = new ArrayList<>();
    for (RecordedRequest r : h.vault.requests()) {
      if (r.getUrl().encodedPath().equals("/v1/" + path)) {
        out.add(VaultSpecs.JSON.readTree(r.getBody().toByteArray()).get(member).asText());
      }
    }
    return out;
  }

  @Test
  void fetch_documentedCredsWithoutLeaseFields_returnsDataAndHoldsNothing() {
    VaultSpecs.assumeAvailable();
    JsonNode sample = VaultSpecs.example("secret-database.json", "Generate credentials", "sample_response");
    h.vault.on("GET", "database/creds/my-role", "database-generate-credentials", 200, sample.toString());
    VaultSecretProvider vault = provider();

    FetchResult r = h.fetch(vault, ref("vault://database/creds/my-role#username"), CTX);

    assertThat(text(r.value())).isEqualTo("root-1430158508-126");
    assertThat(r.ttl()).isEmpty();
    assertThat(vault.leases().size()).isZero();
  }

  @Test
  void fetch_dynamicCreds_ttlFromLeaseAndFieldsShareOneLease() {
    creds(3600, true);
    VaultSecretProvider vault = provider();

    FetchResult user = h.check(h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX));
    FetchResult pass = h.check(h.fetch(vault, ref("vault://database/creds/readonly#password"), CTX));

    assertThat(text(user.value())).isEqualTo("v-user-1");
    assertThat(text(pass.value())).isEqualTo(CANARY_VALUE + "-1");
    assertThat(user.ttl()).contains(Duration.ofSeconds(3600));
    assertThat(user.version()).contains("database/creds/readonly/lease-1");
    assertThat(user.metadata()).containsEntry("lease_duration", "3600").containsEntry("lease_renewable", "true");
    assertThat(issued.get()).isEqualTo(1);
  }

  @Test
  void fetch_inSecondHalfOfLease_renewsInsteadOfNewCredentials() throws Exception {
    creds(3600, true);
    if (VaultSpecs.available()) {
      h.vault.on("POST", "sys/leases/renew", "leases-renew-lease", 200,
          VaultSpecs.example("sys-leases.json", "Renew lease", "sample_response").toString()); // 2764790 s
    } else {
      h.vault.on("POST", "sys/leases/renew", "leases-renew-lease", 200, "{\"lease_id\":\"x\",\"renewable\":true,\"lease_duration\":2764790}");
    }
    VaultSecretProvider vault = provider();
    h.fetch(vault, ref("vault://database/creds/readonly#password"), CTX);

    h.ticker.advance(Duration.ofSeconds(2700)); // 75 %: when the client refreshes
    FetchResult again = h.fetch(vault, ref("vault://database/creds/readonly#password"), CTX);

    assertThat(text(again.value())).isEqualTo(CANARY_VALUE + "-1");
    assertThat(again.ttl()).contains(Duration.ofSeconds(2764790));
    assertThat(issued.get()).isEqualTo(1);
    assertThat(bodies("sys/leases/renew", "lease_id")).containsExactly("database/creds/readonly/lease-1");
    assertThat(bodies("sys/leases/renew", "increment")).containsExactly("3600s");
  }

  @Test
  void fetch_renewalRefused_obtainsNewLeaseAndRevokesBothOnClose() throws Exception {
    creds(600, true);
    h.vault.on("POST", "sys/leases/renew", "leases-renew-lease", 400, "{\"errors\":[\"lease not found\"]}");
    h.vault.on("POST", "sys/leases/revoke", "leases-revoke-lease", 204, null);
    VaultSecretProvider vault = provider();
    h.fetch(vault, ref("vault://database/creds/readonly"), CTX);

    h.ticker.advance(Duration.ofSeconds(450));
    FetchResult second = h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX);
    assertThat(text(second.value())).isEqualTo("v-user-2");

    vault.close();

    assertThat(bodies("sys/leases/revoke", "lease_id"))
        .containsExactlyInAnyOrder("database/creds/readonly/lease-1", "database/creds/readonly/lease-2");
  }

  @Test
  void fetch_renewalNearMaxTtl_obtainsNewLease() {
    creds(600, true);
    h.vault.on("POST", "sys/leases/renew", "leases-renew-lease", 200, "{\"lease_id\":\"x\",\"renewable\":true,\"lease_duration\":10}");
    VaultSecretProvider vault = h.provider(h.options().mount("database", MountKind.GENERIC).revokeOnClose(false).build());
    h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX);

    h.ticker.advance(Duration.ofSeconds(400));
    FetchResult next = h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX);

    assertThat(text(next.value())).isEqualTo("v-user-2");
    assertThat(next.ttl()).contains(Duration.ofSeconds(600));
  }

  @Test
  void fetch_notRenewableLease_servedUntilNearExpiryThenReplaced() {
    creds(600, false);
    VaultSecretProvider vault = h.provider(h.options().mount("database", MountKind.GENERIC).revokeOnClose(false).build());
    h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX);

    h.ticker.advance(Duration.ofSeconds(400)); // 200 s left: still served
    assertThat(text(h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX).value())).isEqualTo("v-user-1");
    h.ticker.advance(Duration.ofSeconds(180)); // 20 s left: below the 30 s minimum
    assertThat(text(h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX).value())).isEqualTo("v-user-2");
    assertThat(h.vault.count("POST", "sys/leases/renew")).isZero();
  }

  @Test
  void close_expiredLeases_notRevoked() {
    creds(60, false);
    VaultSecretProvider vault = provider();
    h.fetch(vault, ref("vault://database/creds/readonly#username"), CTX);
    h.ticker.advance(Duration.ofSeconds(61));

    vault.close();

    assertThat(h.vault.count("POST", "sys/leases/revoke")).isZero();
  }
}
