package io.secretsdk.hikari;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.testing.FakeTicker;
import io.secretsdk.vault.MountKind;
import io.secretsdk.vault.VaultOptions;
import io.secretsdk.vault.VaultSecretProvider;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Vault provider's database secrets engine leases, end to end: a fake Vault (MockWebServer)
 * whose {@code database/creds/app} creates a PostgreSQL role per lease, as Vault's engine does.
 * When the lease nears its end, the forced refresh gets a new lease; the pool's connections move
 * to the new role under load, the old role is then locked out as Vault's revocation would, and no
 * query fails.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class VaultDatabaseLeaseTest {
  private static PostgresCluster db;
  @StartStop private final MockWebServer server = new MockWebServer();
  private final FakeTicker ticker = new FakeTicker();
  private final AtomicInteger leases = new AtomicInteger();
  private final List<String> roles = new CopyOnWriteArrayList<>();
  private final List<String> revoked = new CopyOnWriteArrayList<>();
  private final String token = "hvs." + UUID.randomUUID().toString().replace("-", "");
  private final String prefix = "v_" + UUID.randomUUID().toString().substring(0, 6) + "_";

  @BeforeAll
  static void database(PostgresCluster cluster) {
    db = cluster;
  }

  /** Vault's database secrets engine, as much of it as the provider uses. */
  private final class FakeVault extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      if (!token.equals(request.getHeaders().get("X-Vault-Token"))) {
        return new MockResponse.Builder().code(403).body("{\"errors\":[\"permission denied\"]}").build();
      }
      try {
        if (path.equals("/v1/auth/token/lookup-self")) {
          return json("{\"data\":{\"ttl\":0,\"renewable\":false,\"policies\":[\"app\"]}}");
        }
        if (path.equals("/v1/database/creds/app") && request.getMethod().equals("GET")) {
          int n = leases.incrementAndGet();
          String role = prefix + n;
          String password = "canary-" + UUID.randomUUID();
          db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
          roles.add(role);
          return json("{\"request_id\":\"r" + n + "\",\"lease_id\":\"database/creds/app/lease-" + n + "\","
              + "\"renewable\":false,\"lease_duration\":60,\"data\":{\"username\":\"" + role
              + "\",\"password\":\"" + password + "\"},\"wrap_info\":null,\"warnings\":null,\"auth\":null}");
        }
        if (path.equals("/v1/sys/leases/revoke")) {
          revoked.add(request.getBody().utf8());
          return new MockResponse.Builder().code(204).build();
        }
      } catch (SQLException e) {
        return new MockResponse.Builder().code(500).body("{\"errors\":[\"database\"]}").build();
      }
      return new MockResponse.Builder().code(404).body("{\"errors\":[]}").build();
    }

    private MockResponse json(String body) {
      return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }
  }

  @Test
  void leaseNearItsEnd_newLeaseUnderLoad_connectionsMoveToTheNewRole_noQueryFails() throws Exception {
    server.setDispatcher(new FakeVault());
    VaultSecretProvider vault = VaultSecretProvider.create(VaultOptions.builder()
        .address(server.url("/").toString())
        .ticker(ticker)
        .authentication(TokenAuthentication.create(TokenAuthenticationOptions.builder().token(token).build()))
        .mount("database", MountKind.GENERIC)
        .build());
    SecretRef ref = SecretRef.parse("vault://database/creds/app");
    HikariConfig config = PostgresRotationTest.poolConfig(db, "vault-lease");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(4);
    try (SecretsClient client = SecretsClient.builder().provider(vault).ticker(ticker).keepWarm(0)
            .redactionIndex(RedactionIndex.create()).build();
        RotatingDataSource pool = RotatingCredentials.builder(client).jsonRef(ref)
            .ticker(ticker)
            .checkInterval(Duration.ofHours(1)) // the test runs the checks itself
            .redactionIndex(RedactionIndex.create())
            .build().dataSource(config)) {
      QueryLoad load = new QueryLoad(pool, 8);
      String first = prefix + 1;
      try (load) {
        load.awaitMore(200);

        ticker.advance(Duration.ofSeconds(20));
        pool.credentials().check(); // 40 s left of the lease: nothing to do
        assertThat(leases.get()).isEqualTo(1);
        assertThat(pool.credentials().evictions()).isZero();

        ticker.advance(Duration.ofSeconds(15));
        pool.credentials().check(); // 25 s left: fetched again; Vault issues a new lease
        assertThat(leases.get()).isEqualTo(2);
        PostgresRotationTest.await(() -> PostgresRotationTest.connectionsOf(db, first) == 0);
        db.execute("ALTER ROLE " + first + " NOLOGIN"); // the old lease ends: Vault revokes its role
        load.awaitMore(200);
      }

      assertThat(load.failures).as("failed queries").isEmpty();
      assertThat(load.queriesBy.keySet()).containsExactlyInAnyOrder(first, prefix + 2);
      assertThat(pool.credentials().evictions()).isPositive();
    }
    assertThat(revoked).as("the provider revokes its leases on close").isNotEmpty();
    for (String role : roles) { // closed by the pool; the server notices each disconnect shortly after
      PostgresRotationTest.await(() -> PostgresRotationTest.connectionsOf(db, role) == 0);
    }
  }
}
