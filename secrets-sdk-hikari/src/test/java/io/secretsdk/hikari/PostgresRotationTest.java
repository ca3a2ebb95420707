package io.secretsdk.hikari;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.testing.FakeSecretProvider;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Credentials rotated twice (a new password, then a new role with the old one locked out) while
 * 12 threads run queries through an 6-connection pool against a real PostgreSQL: no query fails,
 * and no connection opened with the old credentials survives.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class PostgresRotationTest {
  private static PostgresCluster db;

  @BeforeAll
  static void database(PostgresCluster cluster) {
    db = cluster;
  }

  static String json(String username, String password) {
    return "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
  }

  static String password() {
    return "canary-" + UUID.randomUUID();
  }

  /** Waits (bounded by the class timeout) until {@code condition} holds. */
  static void await(BooleanSupplier condition) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      Thread.sleep(20);
    }
  }

  static long connectionsOf(String role) {
    return connectionsOf(db, role);
  }

  static long connectionsOf(PostgresCluster db, String role) {
    try (Connection c = db.admin();
        PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
      st.setString(1, role);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static HikariConfig poolConfig(PostgresCluster db, String name) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.jdbcUrl());
    config.setPoolName(name);
    config.setMaximumPoolSize(6);
    config.setMinimumIdle(6);
    config.setConnectionTimeout(Duration.ofSeconds(20).toMillis());
    return config;
  }

  @Test
  void rotateDuringConcurrentQueries_newPasswordThenNewRole_noQueryFails_oldConnectionsEvicted()
      throws Exception {
    String roleA = "app_a_" + UUID.randomUUID().toString().substring(0, 8);
    String roleB = "app_b_" + UUID.randomUUID().toString().substring(0, 8);
    String a1 = password();
    String a2 = password();
    String b1 = password();
    db.execute("CREATE ROLE " + roleA + " LOGIN PASSWORD '" + a1 + "'");
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    vault.set("database/creds/app", json(roleA, a1));
    SecretRef ref = SecretRef.parse("vault://database/creds/app");

    try (SecretsClient client = SecretsClient.builder().provider(vault)
            .redactionIndex(RedactionIndex.create()).build();
        RotatingDataSource pool = RotatingCredentials.builder(client)
            .jsonRef(ref)
            .checkInterval(Duration.ofMillis(200))
            .redactionIndex(RedactionIndex.create())
            .build()
            .dataSource(poolConfig(db, "rotation"))) {
      QueryLoad load = new QueryLoad(pool, 12);
      try (load) {
        load.awaitMore(300);

        // 1: a new password for the same role; connections opened with the old one go
        db.execute("ALTER ROLE " + roleA + " PASSWORD '" + a2 + "'");
        vault.set("database/creds/app", json(roleA, a2));
        client.refresh(ref).close();
        await(() -> pool.credentials().evictions() >= 1);
        load.awaitMore(300);

        // 2: a new role; then the old one is locked out, as a revoked lease's would be
        db.execute("CREATE ROLE " + roleB + " LOGIN PASSWORD '" + b1 + "'");
        vault.set("database/creds/app", json(roleB, b1));
        client.refresh(ref).close();
        await(() -> connectionsOf(roleA) == 0);
        db.execute("ALTER ROLE " + roleA + " NOLOGIN");
        load.awaitMore(300);
      }

      assertThat(load.failures).as("failed queries").isEmpty();
      assertThat(load.queriesBy.keySet()).containsExactlyInAnyOrder(roleA, roleB);
      assertThat(connectionsOf(roleA)).isZero();
      assertThat(connectionsOf(roleB)).isPositive();
      assertThat(pool.credentials().evictions()).isGreaterThanOrEqualTo(2);
      assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isPositive();
    }
    await(() -> connectionsOf(roleB) == 0); // the pool closed every connection
  }

  @Test
  void bind_aLazyDataSourceConfiguredBySetters_rotationEvicts_andWatchingStopsWhenThePoolCloses()
      throws Exception {
    String role = "app_bind_" + UUID.randomUUID().toString().substring(0, 8);
    String first = password();
    String second = password();
    db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + first + "'");
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    vault.set("database/creds/bind", json(role, first));
    SecretRef ref = SecretRef.parse("vault://database/creds/bind");
    try (SecretsClient client = SecretsClient.builder().provider(vault)
        .redactionIndex(RedactionIndex.create()).build()) {
      RotatingCredentials credentials = RotatingCredentials.builder(client).jsonRef(ref)
          .checkInterval(Duration.ofMillis(50)).redactionIndex(RedactionIndex.create()).build();
      com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(); // as Spring Boot makes it
      pool.setJdbcUrl(db.jdbcUrl());
      pool.setPoolName("bound");
      pool.setMaximumPoolSize(2);
      credentials.bind(pool);
      try (QueryLoad load = new QueryLoad(pool, 4)) {
        load.awaitMore(100);
        db.execute("ALTER ROLE " + role + " PASSWORD '" + second + "'");
        vault.set("database/creds/bind", json(role, second));
        client.refresh(ref).close();
        await(() -> credentials.evictions() >= 1);
        load.awaitMore(100);
        assertThat(load.failures).as("failed queries").isEmpty();
      }
      pool.close();
      // the next check sees the pool closed and stops the check thread
      await(() -> credentials.toString().endsWith(", closed]"));
      await(() -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.isAlive() && t.getName().startsWith("secrets-sdk-hikari")));
      await(() -> connectionsOf(role) == 0);
    }
  }
}
