package io.secretsdk.hikari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.testing.FakeSecretProvider;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * HikariCP, the PostgreSQL driver and the SDK at DEBUG, the pool's MBeans registered, through a
 * rotation, a wrong password and a value that is not credentials: no password in any log line,
 * exception, MBean attribute or {@code toString}; no thread left after close.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PoolLeakTest {
  private static PostgresCluster db;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<String> canaries = new ArrayList<>();
  private Level savedRoot;

  @BeforeAll
  static void database(PostgresCluster cluster) {
    db = cluster;
  }

  @BeforeEach
  void captureDebugLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    savedRoot = root.getLevel();
    root.setLevel(Level.DEBUG);
    for (String name : List.of("com.zaxxer", "org.postgresql", "io.secretsdk")) {
      context.getLogger(name).setLevel(Level.DEBUG);
    }
    logs.setContext(context);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void restoreLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.setLevel(savedRoot);
    for (String name : List.of("com.zaxxer", "org.postgresql", "io.secretsdk")) {
      context.getLogger(name).setLevel(null);
    }
  }

  private String canary() {
    String c = "canary-" + UUID.randomUUID();
    canaries.add(c);
    return c;
  }

  private void assertNoCanaryIn(String where, String text) {
    for (String c : canaries) {
      assertThat(text).as(where).doesNotContain(c);
    }
  }

  private static String query(javax.sql.DataSource pool) throws SQLException {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void debugLogsMBeansAndStrings_throughRotationWrongPasswordAndBadValue_holdNoPassword() throws Exception {
    String role = "leak_" + UUID.randomUUID().toString().substring(0, 8);
    String first = canary();
    String second = canary();
    String wrong = canary();
    String notJson = canary();
    db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + first + "'");
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    vault.set("database/creds/leak", PostgresRotationTest.json(role, first));
    SecretRef ref = SecretRef.parse("vault://database/creds/leak");
    HikariConfig config = PostgresRotationTest.poolConfig(db, "leak-check");
    config.setRegisterMbeans(true);
    config.setMinimumIdle(2);
    config.setMaximumPoolSize(2);
    config.setConnectionTimeout(1_000);

    MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    List<String> exposed = new ArrayList<>();
    try (SecretsClient client = SecretsClient.builder().provider(vault)
            .redactionIndex(RedactionIndex.create()).build();
        RotatingDataSource pool = RotatingCredentials.builder(client).jsonRef(ref)
            .redactionIndex(RedactionIndex.create()).build().dataSource(config)) {
      assertThat(query(pool)).isEqualTo(role);

      db.execute("ALTER ROLE " + role + " PASSWORD '" + second + "'");
      vault.set("database/creds/leak", PostgresRotationTest.json(role, second));
      client.refresh(ref).close();
      PostgresRotationTest.await(() -> pool.credentials().evictions() >= 1);
      assertThat(query(pool)).isEqualTo(role);

      // a wrong password: new connections are refused by the server, with its message
      vault.set("database/creds/leak", PostgresRotationTest.json(role, wrong));
      client.refresh(ref).close();
      PostgresRotationTest.await(() -> pool.getHikariPoolMXBean().getTotalConnections() == 0);
      assertThatThrownBy(() -> query(pool)).isInstanceOf(SQLException.class)
          .satisfies(e -> assertNoCanaryIn("exception", ThrowableProxyUtil.asString(
              new ch.qos.logback.classic.spi.ThrowableProxy(e))));

      // a value that is not credentials: the SDK's typed error, without the value
      vault.set("database/creds/leak", "password=" + notJson);
      client.refresh(ref).close();
      assertThatThrownBy(() -> query(pool)).isInstanceOf(SQLException.class)
          .satisfies(e -> assertNoCanaryIn("exception", ThrowableProxyUtil.asString(
              new ch.qos.logback.classic.spi.ThrowableProxy(e))));

      for (ObjectName name : mbeans.queryNames(new ObjectName("com.zaxxer.hikari:*"), null)) {
        for (MBeanAttributeInfo attribute : mbeans.getMBeanInfo(name).getAttributes()) {
          if (attribute.isReadable()) {
            try {
              exposed.add(name + " " + attribute.getName() + "=" + mbeans.getAttribute(name, attribute.getName()));
            } catch (Exception e) {
              exposed.add(name + " " + attribute.getName() + " threw " + e);
            }
          }
        }
      }
      exposed.add(pool.toString());
      exposed.add(pool.credentials().toString());
      exposed.add(String.valueOf(pool.getPassword()));
      exposed.add(String.valueOf(pool.getUsername()));
      exposed.add(String.valueOf(pool.getDataSourceProperties()));

      // good credentials again, so the pool's connection adder is not mid-retry when it closes
      vault.set("database/creds/leak", PostgresRotationTest.json(role, second));
      client.refresh(ref).close();
      PostgresRotationTest.await(() -> {
        try {
          return query(pool).equals(role);
        } catch (SQLException stillBackingOff) {
          return false;
        }
      });
    }
    assertThat(exposed).anyMatch(s -> s.contains("PoolConfig")).anyMatch(s -> s.contains("type=Pool "));
    assertNoCanaryIn("MBeans and strings", String.join("\n", exposed));

    PostgresRotationTest.await(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && (t.getName().contains("leak-check") || t.getName().startsWith("secrets-sdk-hikari"))));
    List<ILoggingEvent> lines;
    synchronized (logs) { // the appender's own lock: pool threads may still be logging
      lines = new ArrayList<>(logs.list);
    }
    assertThat(lines).as("DEBUG lines from HikariCP").anyMatch(e -> e.getLoggerName().startsWith("com.zaxxer"));
    for (ILoggingEvent e : lines) {
      String line = e.getFormattedMessage() + " " + e.getMDCPropertyMap()
          + (e.getThrowableProxy() != null ? ThrowableProxyUtil.asString(e.getThrowableProxy()) : "");
      assertNoCanaryIn("log line of " + e.getLoggerName(), line);
    }

    assertThat(mbeans.queryNames(new ObjectName("com.zaxxer.hikari:*"), null)).isEmpty();
  }

  @Test
  void noPostgres_theReasonToSkipIsNamed() {
    assertThat(PostgresCluster.SKIP_REASON).contains("apt-get install -y postgresql");
    assertThat(PostgresCluster.binaries()).as("this machine has PostgreSQL; CI installs it").isPresent();
  }
}
