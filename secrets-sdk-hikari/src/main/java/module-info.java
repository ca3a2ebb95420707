/**
 * Rotating database credentials for HikariCP pools: {@link io.secretsdk.hikari.RotatingCredentials}
 * supplies each new connection the newest username and password a {@code SecretsClient} resolves,
 * and soft-evicts the pool's connections when it sees a rotation or a lease end.
 */
module io.secretsdk.hikari {
  requires transitive io.secretsdk.core;
  requires transitive com.zaxxer.hikari;
  requires transitive java.sql;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.secretsdk.hikari;
}
