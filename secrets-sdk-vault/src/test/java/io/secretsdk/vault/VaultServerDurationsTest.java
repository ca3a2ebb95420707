package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CTX;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durations from the server are clamped to 0..365 days: a KV v1 {@code lease_duration} of 10^12 or
 * {@code Long.MAX_VALUE} used to make {@code resolve} throw {@code ArithmeticException: long
 * overflow}, and a huge token {@code ttl} made every resolve fail. Negative or unreadable values
 * count as no TTL.
 */
@Timeout(60)
final class VaultServerDurationsTest {
  private static final Duration MAX = Duration.ofDays(365);
  /** Raw JSON for {@code lease_duration} / {@code ttl} and the TTL it must come out as (empty: none). */
  private static final List<Object[]> DURATIONS = List.of(
      new Object[] {"1000000000000", Optional.of(MAX)},
      new Object[] {"9223372036854775807", Optional.of(MAX)},
      new Object[] {"100000000000000000000000000000", Optional.of(MAX)},
      new Object[] {"1e30", Optional.of(MAX)},
      new Object[] {"\"99999999999999999999999\"", Optional.of(MAX)},
      new Object[] {"31536001", Optional.of(MAX)},
      new Object[] {"3600", Optional.of(Duration.ofHours(1))},
      new Object[] {"\"3600\"", Optional.of(Duration.ofHours(1))},
      new Object[] {"-5", Optional.empty()},
      new Object[] {"-9223372036854775808", Optional.empty()},
      new Object[] {"-1e30", Optional.empty()},
      new Object[] {"\"soon\"", Optional.empty()},
      new Object[] {"null", Optional.empty()});

  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String token;
  private String value;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    token = v.canaries.make("token", "hvs.");
    value = v.canaries.make("value", "sk-");
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  private void lookupSelf(String ttl) {
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200,
        "{\"data\":{\"ttl\":" + ttl + ",\"renewable\":false}}");
  }

  @Test
  void resolve_kv1LeaseDurationHugeNegativeOrUnreadable_clampedNeverArithmeticException() {
    lookupSelf("3600");
    VaultOptions options = v.options(token).mount("kv", MountKind.KV_V1).build();
    SecretsClient client = v.client(options);
    try (VaultSecretProvider direct = VaultSecretProvider.create(options)) {
      for (Object[] d : DURATIONS) {
        v.vault.on("GET", "kv/app", "kv-v1-read", 200,
            "{\"lease_duration\":" + d[0] + ",\"data\":{\"k\":\"" + value + "\"}}");

        assertThat(v.resolve(client, "vault://kv/app#k").equals(value)).as("resolved with lease_duration " + d[0]).isTrue();
        FetchResult r = direct.fetch(SecretRef.parse("vault://kv/app#k"), CTX);
        assertThat(r.ttl()).as("ttl for lease_duration " + d[0]).isEqualTo(d[1]);
      }
    }
  }

  @Test
  void resolve_tokenTtlFromLookupOrLoginHuge_everyResolveWorks() {
    v.vault.on("GET", "secret/data/app", "kv-v2-read", 200,
        "{\"data\":{\"data\":{\"k\":\"" + value + "\"},\"metadata\":{\"version\":1}}}");
    for (Object[] d : DURATIONS) {
      lookupSelf(String.valueOf(d[0]));
      SecretsClient client = v.client(v.options(token).mount("secret", MountKind.KV_V2).build());

      assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).as("lookup-self ttl " + d[0]).isTrue();
      v.ticker.advance(Duration.ofMinutes(1));
      assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).as("lookup-self ttl " + d[0]).isTrue();
    }
    String secretId = v.canaries.make("secret-id", "");
    for (Object[] d : DURATIONS) {
      String loggedIn = v.canaries.make("login-token-" + DURATIONS.indexOf(d), "hvs.");
      v.vault.on("POST", "auth/approle/login", "app-role-login", 200,
          "{\"auth\":{\"client_token\":\"" + loggedIn + "\",\"lease_duration\":" + d[0] + ",\"renewable\":false}}");
      v.vault.on("GET", "secret/data/app", "kv-v2-read", r -> loggedIn.equals(r.getHeaders().get("X-Vault-Token"))
          ? SpecDispatcher.json(200, "{\"data\":{\"data\":{\"k\":\"" + value + "\"},\"metadata\":{\"version\":1}}}")
          : SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}"));
      SecretsClient client = v.client(v.options().mount("secret", MountKind.KV_V2)
          .authentication(AppRoleAuthentication.create(AppRoleAuthenticationOptions.builder()
              .roleId("59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8").secretId(secretId).build())).build());

      assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).as("login lease_duration " + d[0]).isTrue();
      v.ticker.advance(Duration.ofMinutes(1));
      assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).as("login lease_duration " + d[0]).isTrue();
    }
  }

  @Test
  void resolve_dynamicLeaseAndRenewalHuge_clampedAndRenewed() {
    lookupSelf("0");
    String password = v.canaries.make("password", "pw-");
    v.vault.on("GET", "database/creds/readonly", "database-generate-credentials", 200,
        "{\"lease_id\":\"database/creds/readonly/abc123\",\"renewable\":true,\"lease_duration\":9223372036854775807,"
            + "\"data\":{\"username\":\"v-user\",\"password\":\"" + password + "\"}}");
    v.vault.on("POST", "sys/leases/renew", "leases-renew-lease", 200,
        "{\"lease_id\":\"database/creds/readonly/abc123\",\"renewable\":true,\"lease_duration\":1e30}");
    v.vault.on("POST", "sys/leases/revoke", "leases-revoke-lease", 204, null);
    VaultOptions options = v.options(token).mount("database", MountKind.GENERIC).build();
    SecretsClient client = v.client(options);

    assertThat(v.resolve(client, "vault://database/creds/readonly#password").equals(password)).isTrue();
    v.ticker.advance(Duration.ofDays(200)); // second half of the clamped 365-day lease: renewed
    assertThat(v.resolve(client, "vault://database/creds/readonly#password").equals(password)).isTrue();

    assertThat(v.vault.count("POST", "sys/leases/renew")).isEqualTo(1);
    assertThat(v.vault.count("GET", "database/creds/readonly")).isEqualTo(1);
  }
}
