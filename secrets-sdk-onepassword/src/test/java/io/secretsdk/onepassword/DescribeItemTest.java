package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code describe} through Connect (a spec-checked fake server), and the unsupported operations of
 * both backends, with run-time canaries for the token and for field values: no value, token or
 * unscrubbed server string in a description, an exception or the DEBUG log written through the
 * redacting encoder.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class DescribeItemTest {
  static final String VAULT = ConnectProviderTest.VAULT;
  static final String ITEM = "q7eflcy7f5mk7vg6zrzf5rjjyu";

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private RedactedLogs logs;
  private ConnectSpecDispatcher dispatcher;
  private FakeConnect connect;
  private String token;
  private String value;
  private String otherValue;
  private OnePasswordProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    logs = new RedactedLogs();
    token = Canaries.token("opc", 48);
    value = Canaries.token("val", 30);
    otherValue = Canaries.token("seen", 30);
    // a value this process resolved before, which a hostile server might echo
    RedactionIndex.global().register(SecretRef.parse("op://Prod/Seen/credential"), otherValue.getBytes(StandardCharsets.UTF_8));
    Path specs = Specs.onePasswordDirOrNull();
    dispatcher = new ConnectSpecDispatcher(specs == null ? null : specs.resolve("connect-api-openapi-1.7.1.yaml"),
        token, false);
    connect = new FakeConnect().vault(VAULT, "Prod");
    dispatcher.handler(connect);
    server.setDispatcher(dispatcher);
    provider = OnePasswordProvider.connect(OnePasswordConnectOptions.builder().host(server.url("/").toString())
        .token(token).build());
  }

  @AfterEach
  void tearDown() {
    provider.close();
    logs.close();
    assertThat(dispatcher.violations).as("requests must conform to the Connect spec").isEmpty();
    Canaries.assertAbsent("log output", logs.text(), token, value, otherValue);
    Canaries.assertAbsent("the SDK's own log events", logs.rawSdkText(), token, value, otherValue);
  }

  /** The documented item (connect-sdk-js's item-detail.json) with a 26-character id and our values. */
  private ObjectNode documentedItem() throws Exception {
    ObjectNode item = (ObjectNode) FakeConnect.JSON.readTree(Files.readString(
        Specs.onePasswordDir().resolve("sdk-js-test-responses/item-detail.json")));
    item.put("id", ITEM).put("version", 4).put("createdAt", "2024-01-01T00:00:00Z")
        .put("updatedAt", "2024-03-04T05:06:07Z");
    ((ObjectNode) item.get("vault")).put("id", VAULT);
    ((ObjectNode) item.withArray("fields").get(0)).put("value", value);
    item.withArray("fields").addObject().put("id", "pw").put("type", "CONCEALED").put("label", "password")
        .put("value", value);
    return item;
  }

  private SecretDescription describe(String ref) {
    SecretDescription d = provider.describe(SecretRef.parse(ref));
    Canaries.assertAbsent("description", d.toString(), token, value, otherValue);
    return d;
  }

  private Throwable failure(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).as("an exception").isNotNull();
    Canaries.assertAbsent("exception", Leaks.text(t), token, value, otherValue);
    return t;
  }

  @Test
  void describe_documentedItem_versionTimesTagsAndFieldLabelsWithoutValues() throws Exception {
    connect.item(documentedItem().toString());

    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = new java.io.PrintStream(printed, true, StandardCharsets.UTF_8);

    // --- readme-op-describe start
    SecretDescription d = provider.describe(SecretRef.parse("op://Prod/Bank of 1Password/password"));
    out.println("version " + d.currentVersion() + ", updated " + d.metadata().get("op.updated_at"));
    new TreeMap<>(d.metadata()).forEach((k, v) -> {       // metadata has no order: sorted
      if (k.startsWith("field.")) {
        out.println(k.substring(6) + ": " + v);              // labels and types, never values
      }
    });
    // --- readme-op-describe end

    assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(
        "version 4, updated 2024-03-04T05:06:07Z\nExample: string\npassword: concealed\n");
    Canaries.assertAbsent("description", d.toString(), token, value, otherValue);
    String readme = Files.readString(Path.of("..", "README.md"));
    String src = Files.readString(Path.of("src/test/java/io/secretsdk/onepassword/DescribeItemTest.java"));
    String region = src.substring(src.indexOf("// --- readme-op-describe start") + 31, src.indexOf("    // --- readme-op-describe end"));
    for (String line : region.strip().split("\n")) {
      assertThat(readme).as("README.md shows the tested describe example").contains(line.strip());
    }
    assertThat(d.current()).contains("4");
    assertThat(d.versions()).singleElement().satisfies(v -> {
      assertThat(v.version()).isEqualTo("4");
      assertThat(v.state()).isEqualTo(SecretVersionInfo.State.ENABLED);
      assertThat(v.created()).contains(Instant.parse("2024-03-04T05:06:07Z"));
    });
    assertThat(d.metadata()).containsEntry("op.title", "Bank of 1Password").containsEntry("op.category", "LOGIN")
        .containsEntry("op.tags", "banking").containsEntry("field.Example", "string")
        .containsEntry("field.password", "concealed").containsEntry("op.item_id", ITEM)
        .containsEntry("op.created_at", "2024-01-01T00:00:00Z");
    assertThat(dispatcher.requests).allMatch(r -> r.getMethod().equals("GET"));
  }

  @Test
  void describe_archivedItemWithHostileStrings_disabledAndFingerprinted() throws Exception {
    ObjectNode item = documentedItem();
    item.put("state", "ARCHIVED").put("title", "Bank of 1Password");
    item.putArray("tags").add(otherValue).add("ops");
    item.withArray("fields").addObject().put("id", "x1").put("type", "STRING").put("label", token).put("value", "v");
    item.put("lastEditedBy", otherValue);
    connect.item(item.toString());

    // an archived item is not found by its title (reads skip it), but by its id it is described
    assertThat(failure(() -> provider.describe(SecretRef.parse("op://Prod/Bank of 1Password/password"))))
        .isInstanceOf(SecretNotFoundException.class);
    SecretDescription d = describe("op://Prod/" + ITEM + "/password");

    assertThat(d.versions().get(0).state()).isEqualTo(SecretVersionInfo.State.DISABLED);
    assertThat(d.metadata().get("op.tags")).matches("fp:[0-9a-f]{12},ops");
    assertThat(d.metadata().get("op.last_edited_by")).startsWith("fp:");
    assertThat(d.metadata().keySet()).anyMatch(k -> k.matches("field\\.fp:[0-9a-f]{12}"));
  }

  @Test
  void describe_missingOrDenied_typedWithoutCanaries() throws Exception {
    connect.item(documentedItem().toString());
    assertThat(failure(() -> provider.describe(SecretRef.parse("op://Prod/Absent/password"))))
        .isInstanceOf(SecretNotFoundException.class);
    connect.overrides.put("/v1/vaults/" + VAULT + "/items/" + ITEM,
        FakeConnect.error(403, "vault " + VAULT + " is not in scope for " + token + " " + otherValue));

    Throwable t = failure(() -> provider.describe(SecretRef.parse("op://Prod/Bank of 1Password/password")));

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("not in scope");
  }

  @Test
  void writeAndRevoke_unsupportedSayingWhatToDoInstead() {
    SecretRef ref = SecretRef.parse("op://Prod/Bank of 1Password/password");

    assertThat(failure(() -> provider.write(ref, value.getBytes(StandardCharsets.UTF_8), "4")))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("compare-and-set")
        .hasMessageContaining("op item edit");
    assertThat(failure(() -> provider.revoke(ref, RevokeRequest.disableCurrent())))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("op item delete --archive");
    assertThat(dispatcher.requests).isEmpty();
  }

  @Test
  void cliBackend_describeUnsupportedWithoutRunningOp() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString()));
    Path op = FakeOp.write(dir);
    try (OnePasswordProvider cli = OnePasswordProvider.serviceAccount(OnePasswordCliOptions.builder()
        .executable(op).token(Canaries.token("sa", 48)).environment(env::get).build())) {
      assertThat(failure(() -> cli.describe(SecretRef.parse("op://Prod/Stripe/credential"))))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Connect server");
      assertThat(failure(() -> cli.write(SecretRef.parse("op://Prod/Stripe/credential"), new byte[1], null)))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
