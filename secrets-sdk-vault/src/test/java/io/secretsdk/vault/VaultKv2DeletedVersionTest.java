package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CTX;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KV v2 version whose metadata says {@code destroyed: true} or has a {@code deletion_time} that has
 * passed is not found, whatever data the answer carries (it used to be returned when the body held
 * data). A {@code deletion_time} still ahead (a {@code delete_version_after} schedule) is served
 * until then. Provider strings in the message are shown through {@code ProviderText}.
 */
@Timeout(60)
final class VaultKv2DeletedVersionTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String value;
  private VaultOptions options;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    String token = v.canaries.make("token", "hvs.");
    value = v.canaries.make("value", "sk-");
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, "{\"data\":{\"ttl\":3600,\"renewable\":false}}");
    options = v.options(token).mount("secret", MountKind.KV_V2).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  /** A 200 answer carrying the value, with {@code metadata} members as raw JSON. */
  private void read(String metadata) {
    v.vault.on("GET", "secret/data/app", "kv-v2-read", 200, "{\"data\":{\"data\":{\"k\":\"" + value + "\"},"
        + "\"metadata\":{\"created_time\":\"2026-01-01T00:00:00Z\",\"version\":3," + metadata + "}}}");
  }

  @Test
  void resolve_destroyedVersionWithData_notFoundSayingDestroyed() {
    SecretsClient client = v.client(options);
    for (String destroyed : List.of("\"destroyed\":true,\"deletion_time\":\"\"", "\"destroyed\":\"true\"")) {
      read(destroyed);

      Throwable t = v.resolveFailure(client, "vault://secret/app#k");

      assertThat(t).as(destroyed).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("was destroyed");
    }
  }

  @Test
  void resolve_deletedVersionWithData_notFoundWithDeletionTimeShownSafely() {
    String echo = v.canaries.make("echoed-deletion-time", "hvs.");
    SecretsClient client = v.client(options);
    for (String[] c : new String[][] {
        {"\"2026-05-01T00:00:00Z\"", "was deleted at 2026-05-01T00:00:00Z"},
        {"\"2026-06-01T12:00:00Z\"", "was deleted at 2026-06-01T12:00:00Z"},
        {"\"" + echo + "\"", "was deleted at fp:"},
        {"\"yesterday\"", "was deleted at yesterday"},
        {"1717243200", "was deleted"},
        {"{\"at\":\"" + echo + "\"}", "was deleted"}}) {
      read("\"destroyed\":false,\"deletion_time\":" + c[0]);

      Throwable t = v.resolveFailure(client, "vault://secret/app?version=3#k");

      assertThat(t).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("version 3 of vault://secret/app")
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void resolve_deletionScheduledAhead_servedWithTtlUntilThen() {
    read("\"destroyed\":false,\"deletion_time\":\"2026-06-01T12:10:00Z\"");
    SecretsClient client = v.client(options);

    assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).isTrue();
    try (VaultSecretProvider direct = VaultSecretProvider.create(options)) {
      assertThat(direct.fetch(SecretRef.parse("vault://secret/app#k"), CTX).ttl()).contains(Duration.ofMinutes(10));
    }
  }

  @Test
  void resolve_notDeleted_servedWithoutTtl() {
    SecretsClient client = v.client(options);
    for (String live : List.of("\"destroyed\":false,\"deletion_time\":\"\"", "\"destroyed\":false,\"deletion_time\":null",
        "\"destroyed\":false")) {
      read(live);

      assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).as(live).isTrue();
    }
  }
}
