package io.secretsdk.hikari;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.Credentials;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.testing.FakeSecretProvider;
import io.secretsdk.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rotation and lease-end decisions, with a fake pool and a fake clock (no database). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class RotatingCredentialsTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RedactionIndex index = RedactionIndex.create();
  private final CountingPool pool = new CountingPool();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** A pool that counts soft evictions. */
  static final class CountingPool implements HikariPoolMXBean {
    final AtomicInteger softEvictions = new AtomicInteger();

    @Override
    public int getIdleConnections() {
      return 0;
    }

    @Override
    public int getActiveConnections() {
      return 0;
    }

    @Override
    public int getTotalConnections() {
      return 0;
    }

    @Override
    public int getThreadsAwaitingConnection() {
      return 0;
    }

    @Override
    public void softEvictConnections() {
      softEvictions.incrementAndGet();
    }

    @Override
    public void suspendPool() {}

    @Override
    public void resumePool() {}
  }

  /** A database secrets engine: leases of {@code leaseSeconds}; renewals keep the credentials. */
  static final class LeasingProvider implements SecretProvider {
    final AtomicInteger lease = new AtomicInteger(1);
    final AtomicInteger fetches = new AtomicInteger();
    final String password = "canary-" + UUID.randomUUID();

    @Override
    public String scheme() {
      return "vault";
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      fetches.incrementAndGet();
      int n = lease.get();
      return FetchResult.builder(PostgresRotationTest.json("v-app-" + n, password + n).getBytes(UTF_8))
          .version("database/creds/app/lease-" + n)
          .ttl(Duration.ofSeconds(60))
          .metadata("lease_id", "database/creds/app/lease-" + n)
          .metadata("lease_duration", "60")
          .build();
    }
  }

  private SecretsClient client(SecretProvider provider) {
    SecretsClient c = SecretsClient.builder().provider(provider).ticker(ticker).keepWarm(0)
        .refreshExecutor(Runnable::run).redactionIndex(RedactionIndex.create()).build();
    closing.add(c);
    return c;
  }

  private RotatingCredentials attached(RotatingCredentials.Builder b) {
    RotatingCredentials c = b.ticker(ticker).redactionIndex(index).build();
    closing.add(c);
    c.getCredentials(); // the pool's first connection
    c.attach(pool);
    return c;
  }

  @Test
  void leaseEnd_renewedLease_keepsConnections_newLease_evictsThem() {
    LeasingProvider vault = new LeasingProvider();
    SecretsClient client = client(vault);
    RotatingCredentials credentials = attached(RotatingCredentials.builder(client)
        .jsonRef(SecretRef.parse("vault://database/creds/app"))
        .leaseEndMargin(Duration.ofSeconds(20)));
    assertThat(credentials.getCredentials().getUsername()).isEqualTo("v-app-1");

    ticker.advance(Duration.ofSeconds(30));
    credentials.check(); // 30 s before the lease ends: a cache hit, nothing else
    assertThat(vault.fetches.get()).isEqualTo(1);

    ticker.advance(Duration.ofSeconds(11));
    credentials.check(); // inside the margin: fetched again; the provider renewed the lease
    assertThat(vault.fetches.get()).isEqualTo(2);
    assertThat(pool.softEvictions.get()).isZero();

    ticker.advance(Duration.ofSeconds(10));
    credentials.check(); // within one margin of that fetch: a cache hit
    assertThat(vault.fetches.get()).isEqualTo(2);
    vault.lease.set(2); // the lease reached its max TTL: the next fetch is a new lease
    ticker.advance(Duration.ofSeconds(11));
    credentials.check(); // one margin later: fetched again, a new lease
    assertThat(vault.fetches.get()).isEqualTo(3);
    assertThat(pool.softEvictions.get()).isEqualTo(1);
    Credentials next = credentials.getCredentials();
    assertThat(next.getUsername()).isEqualTo("v-app-2");
    assertThat(next.getPassword()).isEqualTo(vault.password + 2);
    assertThat(credentials.evictions()).isEqualTo(1);
  }

  @Test
  void changeEvent_fromAClientRefresh_evictsOnce_andNewConnectionsGetTheNewPassword() {
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    String old = "canary-" + UUID.randomUUID();
    String rotated = "canary-" + UUID.randomUUID();
    vault.set("db/app", PostgresRotationTest.json("app", old));
    SecretsClient client = client(vault);
    SecretRef ref = SecretRef.parse("vault://db/app");
    RotatingCredentials credentials = attached(RotatingCredentials.builder(client).jsonRef(ref));
    ticker.advance(RotatingCredentials.SETTLE.plusSeconds(1)); // no connection is being opened

    vault.set("db/app", PostgresRotationTest.json("app", rotated));
    client.refresh(ref).close(); // the client sees version 2 and tells its listeners
    assertThat(pool.softEvictions.get()).isEqualTo(1);
    assertThat(credentials.getCredentials().getPassword()).isEqualTo(rotated);
    credentials.check();
    assertThat(pool.softEvictions.get()).as("the same credentials again evict nothing").isEqualTo(1);
    assertThat(index.redact("pw " + rotated)).doesNotContain(rotated);
    assertThat(credentials.toString()).doesNotContain(old).doesNotContain(rotated).contains("vault://db/app");
  }

  @Test
  void fieldRefs_rotationRightAfterAConnectionWasOpened_evictsAgainOnceThatOneHasJoined() {
    FakeSecretProvider aws = FakeSecretProvider.create("aws-sm");
    String password = "canary-" + UUID.randomUUID();
    aws.set("prod/db", "{\"username\":\"app\",\"password\":\"" + password + "\"}");
    SecretsClient client = client(new FieldProvider(aws));
    RotatingCredentials credentials = attached(RotatingCredentials.builder(client).fieldRefs(
        SecretRef.parse("aws-sm://prod/db#username"), SecretRef.parse("aws-sm://prod/db#password")));
    Credentials c = credentials.getCredentials();
    assertThat(c.getUsername()).isEqualTo("app");
    assertThat(c.getPassword()).isEqualTo(password);

    aws.set("prod/db", "{\"username\":\"app\",\"password\":\"" + password + "-2\"}");
    client.refresh(SecretRef.parse("aws-sm://prod/db#password")).close();
    assertThat(credentials.getCredentials().getPassword()).isEqualTo(password + "-2");
    // the old pair was handed out just now: the connection opened with it may join the pool
    // after the first eviction, so a second one follows (at once here: no check thread)
    assertThat(pool.softEvictions.get()).isEqualTo(2);
  }

  @Test
  void valueNotCredentials_typedErrorNamingTheRef_neverTheValue() {
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    String canary = "canary-" + UUID.randomUUID();
    SecretsClient client = client(vault);
    for (String bad : List.of("not json " + canary, "{\"username\":\"app\",\"pw\":\"" + canary + "\"}",
        "[\"" + canary + "\"]", "{\"username\":\"\",\"password\":\"" + canary + "\"}",
        "{\"username\":\"app\",\"password\":\"" + canary + "\"")) {
      vault.set("db/app", bad);
      client.invalidate(SecretRef.parse("vault://db/app"));
      RotatingCredentials credentials = RotatingCredentials.builder(client)
          .jsonRef(SecretRef.parse("vault://db/app")).redactionIndex(index).build();
      assertThatThrownBy(credentials::getCredentials)
          .isInstanceOf(InvalidSecretRefException.class)
          .hasMessageContaining("vault://db/app")
          .hasNoCause()
          .satisfies(e -> assertThat(e.toString()).doesNotContain(canary));
      credentials.close();
    }
  }

  @Test
  void builderAndDataSource_misuse_isRejectedNamingWhatIsWrong() {
    SecretsClient client = client(FakeSecretProvider.create("vault"));
    assertThatThrownBy(() -> RotatingCredentials.builder(client).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jsonRef or fieldRefs");
    assertThatThrownBy(() -> RotatingCredentials.builder(client).checkInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkInterval");
    assertThatThrownBy(() -> RotatingCredentials.builder(client).leaseEndMargin(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseEndMargin");
    RotatingCredentials credentials = RotatingCredentials.builder(client)
        .jsonRef(SecretRef.parse("vault://db/app")).build();
    HikariConfig withPassword = new HikariConfig();
    withPassword.setPassword("static-" + UUID.randomUUID());
    assertThatThrownBy(() -> credentials.dataSource(withPassword))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(withPassword.getPassword()));
    com.zaxxer.hikari.HikariDataSource lazyWithPassword = new com.zaxxer.hikari.HikariDataSource();
    lazyWithPassword.setPassword(withPassword.getPassword());
    assertThatThrownBy(() -> credentials.bind(lazyWithPassword))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password");
    com.zaxxer.hikari.HikariDataSource closedPool = new com.zaxxer.hikari.HikariDataSource();
    closedPool.close();
    assertThatThrownBy(() -> credentials.bind(closedPool))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("before the pool starts");
    credentials.close();
    assertThatThrownBy(() -> credentials.dataSource(new HikariConfig()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> credentials.bind(new com.zaxxer.hikari.HikariDataSource()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  /** Serves {@code #field} refs from a JSON value, as the AWS and Vault providers do. */
  static final class FieldProvider implements SecretProvider {
    private final FakeSecretProvider whole;

    FieldProvider(FakeSecretProvider whole) {
      this.whole = whole;
    }

    @Override
    public String scheme() {
      return whole.scheme();
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      FetchResult r = whole.fetch(ref.withoutField(), context);
      byte[] json = r.value();
      try {
        String field = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
            .get(ref.field().orElseThrow()).asText();
        return FetchResult.builder(field.getBytes(UTF_8)).version(r.version().orElse(null)).build();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      } finally {
        java.util.Arrays.fill(json, (byte) 0);
        r.wipe();
      }
    }
  }
}
