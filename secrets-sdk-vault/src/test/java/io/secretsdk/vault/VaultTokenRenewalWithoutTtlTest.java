package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretsClient;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A renewal that answers 204 or {@code {}} says nothing of the token's new TTL: the token used to be
 * taken as never expiring, so requests went out with it after it expired. The fake Vault here keeps
 * each token's real expiry (on the test's ticker) and records every request that carries a token
 * past it: there must be none.
 */
@Timeout(60)
final class VaultTokenRenewalWithoutTtlTest {
  private static final String REF = "vault://secret/app#k";
  private static final long TTL_S = 600;
  /** The renewal extends the token to its max TTL: 30 s more than the first TTL. */
  private static final long MAX_TTL_S = 630;

  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String value;
  private String secretId;
  private final Map<String, Long> expiry = new ConcurrentHashMap<>();
  private final Map<String, Long> maxExpiry = new ConcurrentHashMap<>();
  private final List<String> expiredUses = new CopyOnWriteArrayList<>();
  private final List<String> issued = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    value = v.canaries.make("value", "sk-");
    secretId = v.canaries.make("secret-id", "");
    v.vault.on("POST", "auth/approle/login", "app-role-login", r -> {
      String token = v.canaries.make("token-" + issued.size(), "hvs.");
      issue(token);
      return SpecDispatcher.json(200, "{\"auth\":{\"client_token\":\"" + token + "\",\"lease_duration\":" + TTL_S
          + ",\"renewable\":true}}");
    });
    v.vault.on("GET", "secret/data/app", "kv-v2-read", r -> valid(r)
        ? SpecDispatcher.json(200, "{\"data\":{\"data\":{\"k\":\"" + value + "\"},\"metadata\":{\"version\":1}}}")
        : denied());
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  private void issue(String token) {
    long now = v.ticker.read();
    issued.add(token);
    expiry.put(token, now + TimeUnit.SECONDS.toNanos(TTL_S));
    maxExpiry.put(token, now + TimeUnit.SECONDS.toNanos(MAX_TTL_S));
  }

  /** Whether the request's token is one Vault issued and still valid; records a use past expiry. */
  private boolean valid(RecordedRequest r) {
    String token = r.getHeaders().get("X-Vault-Token");
    Long until = token == null ? null : expiry.get(token);
    if (until != null && v.ticker.read() - until >= 0) {
      expiredUses.add(r.getMethod() + " " + r.getUrl().encodedPath() + " with token #" + issued.indexOf(token));
    }
    return until != null && v.ticker.read() - until < 0;
  }

  private static MockResponse denied() {
    return SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}");
  }

  /** Renewal extends the token to its max TTL but answers {@code answer}, which says nothing of it. */
  private void renewSelfAnswers(int status, String answer) {
    v.vault.on("POST", "auth/token/renew-self", "token-renew-self", r -> {
      if (!valid(r)) {
        return denied();
      }
      String token = r.getHeaders().get("X-Vault-Token");
      expiry.put(token, maxExpiry.get(token));
      return SpecDispatcher.json(status, answer);
    });
  }

  /** lookup-self gives the real remaining TTL when {@code truthful}, else {@code answer}. */
  private void lookupSelf(boolean truthful, String answer) {
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", r -> {
      if (!valid(r)) {
        return denied();
      }
      long left = TimeUnit.NANOSECONDS.toSeconds(expiry.get(r.getHeaders().get("X-Vault-Token")) - v.ticker.read());
      return SpecDispatcher.json(200, truthful ? "{\"data\":{\"ttl\":" + left + ",\"renewable\":true}}" : answer);
    });
  }

  private SecretsClient appRoleClient() {
    return v.client(v.options().mount("secret", MountKind.KV_V2).authentication(AppRoleAuthentication.create(
        AppRoleAuthenticationOptions.builder().roleId("59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8").secretId(secretId).build())).build());
  }

  @Test
  void resolve_renewalAnswersNoTtl_lookupSelfLearnsExpiryAndExpiredTokenNeverSent() {
    for (String[] renewal : new String[][] {{"204", null}, {"200", "{}"}, {"200", "{\"auth\":{\"renewable\":true}}"},
        {"200", "{\"auth\":{\"lease_duration\":-1}}"}}) {
      renewSelfAnswers(Integer.parseInt(renewal[0]), renewal[1]);
      lookupSelf(true, null);
      int loginsBefore = issued.size();
      SecretsClient client = appRoleClient();
      assertThat(v.resolve(client, REF).equals(value)).isTrue();
      String first = issued.get(issued.size() - 1);

      v.ticker.advance(Duration.ofSeconds(TTL_S - 55)); // into the renewal window: renewed, TTL looked up (85 s)
      assertThat(v.resolve(client, REF).equals(value)).isTrue();
      assertThat(issued).as("no new login yet").hasSize(loginsBefore + 1);
      v.ticker.advance(Duration.ofSeconds(90)); // past the token's max TTL
      assertThat(v.resolve(client, REF).equals(value)).isTrue();

      assertThat(issued).as("a new login once the renewed token expired").hasSize(loginsBefore + 2);
      assertThat(v.sent(issued.get(issued.size() - 1), "secret/data/app")).as("the new token read the secret").isTrue();
      assertThat(v.sent(first, "auth/token/lookup-self")).as("the renewed token was looked up").isTrue();
      assertThat(expiredUses).as("requests with an expired token (renewal answered " + renewal[0] + ")").isEmpty();
      v.ticker.advance(Duration.ofDays(1));
    }
  }

  @Test
  void resolve_renewalAndLookupGiveNoTtl_logsInAgainAtOnce() {
    renewSelfAnswers(204, null);
    for (String lookup : new String[] {"{}", "{\"data\":{}}", "{\"data\":{\"ttl\":0}}", "{\"data\":{\"ttl\":\"never\"}}"}) {
      lookupSelf(false, lookup);
      int loginsBefore = issued.size();
      SecretsClient client = appRoleClient();
      assertThat(v.resolve(client, REF).equals(value)).isTrue();

      v.ticker.advance(Duration.ofSeconds(TTL_S - 55));
      assertThat(v.resolve(client, REF).equals(value)).isTrue();

      assertThat(issued).as("logged in again when lookup-self answered " + lookup).hasSize(loginsBefore + 2);
      v.ticker.advance(Duration.ofSeconds(90));
      assertThat(v.resolve(client, REF).equals(value)).isTrue();
      assertThat(expiredUses).as("requests with an expired token").isEmpty();
      v.ticker.advance(Duration.ofDays(1));
    }
  }

  @Test
  void resolve_configuredTokenExpiresAfterRenewalWithoutTtl_refusedWithoutSendingIt() {
    String configured = v.canaries.make("configured-token", "hvs.");
    issue(configured);
    renewSelfAnswers(204, null);
    lookupSelf(true, null);
    SecretsClient client = v.client(v.options(configured).mount("secret", MountKind.KV_V2).build());
    assertThat(v.resolve(client, REF).equals(value)).isTrue();
    v.ticker.advance(Duration.ofSeconds(TTL_S - 55));
    assertThat(v.resolve(client, REF).equals(value)).isTrue();
    v.ticker.advance(Duration.ofSeconds(90));
    int requestsBefore = v.vault.requests().size();

    Throwable t = v.resolveFailure(client, REF);

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("expired");
    assertThat(v.vault.requests()).as("no request once the configured token expired").hasSize(requestsBefore);
    assertThat(v.vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    assertThat(expiredUses).as("requests with an expired token").isEmpty();
  }
}
