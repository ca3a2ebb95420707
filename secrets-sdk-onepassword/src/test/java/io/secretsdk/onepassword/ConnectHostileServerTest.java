package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretsClient;
import io.secretsdk.onepassword.internal.ConnectBackend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A hostile Connect server, answering in the shapes of the Connect API (ErrorResponse
 * {@code {status, message}}, FullItem, vault and item lists) but echoing the token and values the
 * process resolved wherever it can: in error messages (raw, encoded, straddling the message
 * bound), as ids, as the item version and as a field type. Nothing of them may reach exception
 * messages, {@code toString()}, the secret's version or metadata, or any log line; every logger
 * is at DEBUG, written through the redacting encoder.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ConnectHostileServerTest {
  private static final String MASK = "[REDACTED:credential://" + ConnectBackend.TOKEN_KIND + "]";

  @StartStop final MockWebServer server = new MockWebServer();

  private final String token = Canaries.token("opc", 40);
  /** Values of the "Pins" item: resolved first, so the index knows them. */
  private final String pin = Canaries.digits(14);
  private final String word = Canaries.letters(20);
  private final String value = Canaries.token("val", 24);
  private final String twinId = Canaries.token("twn", 23);
  private final String pinsId = Canaries.token("pin", 23).toLowerCase();
  private final String stripeId = Canaries.token("str", 23).toLowerCase();
  private final FakeConnect connect = new FakeConnect();
  private final List<RecordedRequest> requests = new ArrayList<>();
  private RedactedLogs logs;

  @BeforeEach
  void setUp() {
    // the vault's id is the token itself; the Stripe item's version is a value resolved before, its
    // credential field's id the token, its type another resolved value
    connect.vault(token, "Prod");
    connect.item(item(pinsId, "Pins", 1, field("pin", "pin", "CONCEALED", pin),
        field("word", "word", "STRING", word), field("v", "value", "CONCEALED", value)));
    connect.item(item(stripeId, "Stripe", Long.parseLong(pin),
        field(token, "credential", word.toUpperCase(), "sk-" + value)));
    connect.item(item(value, "Twin", 1));
    connect.item(item(twinId, "Twin", 1));
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.add(request);
        return connect.apply(request);
      }
    });
    logs = new RedactedLogs();
  }

  @AfterEach
  void tearDown() {
    logs.close();
  }

  private ObjectNode field(String id, String label, String type, String v) {
    return FakeConnect.JSON.createObjectNode().put("id", id).put("label", label).put("type", type)
        .put("value", v);
  }

  private String item(String id, String title, long version, ObjectNode... fields) {
    ObjectNode n = FakeConnect.JSON.createObjectNode().put("id", id).put("title", title)
        .put("category", "API_CREDENTIAL").put("version", version)
        .put("updatedAt", "2024-01-02T03:04:05Z");
    n.putObject("vault").put("id", token);
    ArrayNode f = n.putArray("fields");
    for (ObjectNode field : fields) {
      f.add(field);
    }
    return n.toString();
  }

  private SecretsClient client() {
    return SecretsClient.builder().provider(OnePasswordProvider.connect(
        OnePasswordConnectOptions.builder().host(server.url("/").toString()).token(token).build()))
        .build();
  }

  private String[] canaries() {
    return new String[] {token, pin, word, value};
  }

  @Test
  void resolve_idsVersionAndTypeEchoingSecrets_shownAsFingerprints() {
    String shown;
    try (SecretsClient client = client()) {
      for (String f : List.of("pin", "word", "value")) {
        try (Secret s = client.resolve("op://Prod/Pins/" + f)) {
          assertThat(s.reveal()).isNotEmpty();
        }
      }
      try (Secret stripe = client.resolve("op://Prod/Stripe/credential")) {
        assertThat(stripe.reveal()).isEqualTo("sk-" + value);
        assertThat(stripe.version()).hasValueSatisfying(v -> assertThat(v).startsWith("fp:"));
        assertThat(stripe.metadata()).containsKeys("op.vault_id", "op.field_id", "op.field_type");
        shown = stripe + "\n" + stripe.version() + "\n" + stripe.metadata();
        LoggerFactory.getLogger("app").debug("resolved {} version {} metadata {}", stripe,
            stripe.version(), stripe.metadata());
      }
    }
    Canaries.assertAbsent("Secret.toString, version and metadata", shown, canaries());
    assertThat(shown).contains("fp:");
    assertThat(requests).isNotEmpty();
    Canaries.assertAbsent("redacted log output", logs.text(), canaries());
    Canaries.assertAbsent("the SDK's own log events", logs.rawSdkText(), canaries());
  }

  @Test
  void resolve_ambiguousTitleWithSecretIds_idsShownAsFingerprints() {
    try (SecretsClient client = client()) {
      client.resolve("op://Prod/Pins/value").close();
      Throwable e = catchThrowable(() -> client.resolve("op://Prod/Twin/credential"));
      assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("fp:");
      LoggerFactory.getLogger("app").debug("resolve failed", e);
      Canaries.assertAbsent("exception", Leaks.text(e), value);
    }
    Canaries.assertAbsent("redacted log output", logs.text(), canaries());
  }

  @Test
  void resolve_errorMessagesEchoingTokenAndValues_scrubbedBeforeTheCut() {
    String b64 = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    List<String> hostile = List.of(
        "Invalid token signature: " + token,
        "bearer " + b64 + " rejected; value " + pin + " and " + word,
        "x".repeat(290) + token,
        "y".repeat(285) + value + " tail",
        "vault " + token + " is not in scope\n\u001b[2J" + "z".repeat(400));
    List<String> messages = new ArrayList<>();
    try (SecretsClient client = client()) {
      for (String f : List.of("pin", "word", "value")) {
        client.resolve("op://Prod/Pins/" + f).close();
      }
      String path = "/v1/vaults/" + token + "/items/" + stripeId;
      for (int i = 0; i < hostile.size(); i++) {
        ObjectNode body = FakeConnect.JSON.createObjectNode().put("status", 403)
            .put("message", hostile.get(i));
        connect.overrides.put(path, FakeConnect.json(403, body.toString()));
        // a different ref each time, so no cached failure answers (the item is read before the field)
        String ref = "op://Prod/Stripe/credential" + i;
        Throwable e = catchThrowable(() -> client.resolve(ref));
        assertThat(e).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("HTTP 403");
        LoggerFactory.getLogger("app").debug("resolve failed", e);
        messages.add(Leaks.text(e));
      }
    }
    String all = String.join("\n", messages);
    Canaries.assertAbsent("exceptions", all, canaries());
    assertThat(all).contains(MASK).contains("Invalid token signature").doesNotContain("\u001b");
    String logged = logs.text();
    Canaries.assertAbsent("redacted log output", logged, canaries());
    assertThat(logged).contains(MASK);
  }
}
