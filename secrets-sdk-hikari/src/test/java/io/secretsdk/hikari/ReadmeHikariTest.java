package io.secretsdk.hikari;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.testing.FakeSecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs README.md's connection pool example against PostgreSQL and checks the README shows it. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ReadmeHikariTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SELF = Path.of("src/test/java/io/secretsdk/hikari/ReadmeHikariTest.java");
  private static PostgresCluster db;

  @BeforeAll
  static void database(PostgresCluster cluster) {
    db = cluster;
  }

  static String example(SecretsClient client, String jdbcUrl) throws SQLException {
    // snippet:hikari:start
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl); // no username or password: they come from the ref
    config.setMaximumPoolSize(10);
    RotatingCredentials credentials = RotatingCredentials.builder(client)
        .jsonRef(SecretRef.parse("vault://database/creds/app")) // {"username": ..., "password": ...}
        .build();
    try (RotatingDataSource pool = credentials.dataSource(config);
        Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
    // snippet:hikari:end
  }

  @Test
  void readmeExample_connectsWithTheCredentialsOfTheRef() throws Exception {
    String role = "readme_" + UUID.randomUUID().toString().substring(0, 8);
    String password = "canary-" + UUID.randomUUID();
    db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    vault.set("database/creds/app", PostgresRotationTest.json(role, password));
    try (SecretsClient client = SecretsClient.builder().provider(vault).build()) {
      assertThat(example(client, db.jdbcUrl())).isEqualTo(role);
    }
    // the pool closed its connections; the server notices each disconnect shortly after
    PostgresRotationTest.await(() -> PostgresRotationTest.connectionsOf(db, role) == 0);
  }

  @Test
  void readme_showsTheTestedExample() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<!-- snippet:hikari [^>]*-->\\s*```java\\n(.*?)```", Pattern.DOTALL)
        .matcher(readme);
    assertThat(m.find()).as("README.md has snippet hikari").isTrue();
    String src = Files.readString(SELF, StandardCharsets.UTF_8);
    String region = src.substring(src.indexOf('\n', src.indexOf("// snippet:hikari:start")) + 1,
        src.indexOf("// snippet:hikari:end"));
    assertThat(normalize(m.group(1))).isEqualTo(normalize(region));
  }

  private static String normalize(String code) {
    return code.lines().map(String::strip).filter(l -> !l.isEmpty())
        .reduce(new StringBuilder(), (sb, l) -> sb.append(l).append('\n'), StringBuilder::append).toString();
  }
}
