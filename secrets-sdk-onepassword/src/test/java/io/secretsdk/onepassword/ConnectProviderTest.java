package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.onepassword.internal.ConnectBackend;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ConnectProviderTest {
  static final String TOKEN =
      "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.CANARYtokenSignature0123456789";
  static final String CANARY = "canary-VALUE-9f2d71c0";
  static final String CANARY2 = "canary-SECTION-44a1be";
  static final String CANARY_FILE = "canary-FILE-0c3e55";
  static final String VAULT = "ionaiwtdvgclrixbt6ztpqcxnq";
  static final String VAULT2 = id("devvault");
  static final String ITEM = "p7eflcy7f5mk7vg6zrzf5rjjyu";
  static final String FILE = "6r65pjq33banznomn7q22sj44e";
  static final FetchContext CTX = FetchContext.of(RunEnvironment.CI);

  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer otherHost = new MockWebServer();

  private final AtomicLong nanos = new AtomicLong();
  private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1111111109), ZoneOffset.UTC);
  private ConnectSpecDispatcher dispatcher;
  private FakeConnect connect;
  private final List<OnePasswordProvider> providers = new ArrayList<>();
  private LogCapture logs;

  static String id(String prefix) {
    StringBuilder sb = new StringBuilder(prefix);
    while (sb.length() < 26) {
      sb.append('a');
    }
    return sb.toString();
  }

  static String stripeItem() {
    return "{\"id\":\"" + ITEM + "\",\"title\":\"Stripe\",\"vault\":{\"id\":\"" + VAULT + "\"},"
        + "\"category\":\"API_CREDENTIAL\",\"version\":7,\"updatedAt\":\"2024-01-02T03:04:05Z\","
        + "\"sections\":[{\"id\":\"keyssection\",\"label\":\"Keys\"},{\"id\":\"twin1\",\"label\":\"Twin\"},"
        + "{\"id\":\"twin2\",\"label\":\"twin\"}],"
        + "\"fields\":["
        + "{\"id\":\"username\",\"type\":\"STRING\",\"purpose\":\"USERNAME\",\"label\":\"username\",\"value\":\"acct_123\"},"
        + "{\"id\":\"credential\",\"type\":\"CONCEALED\",\"purpose\":\"PASSWORD\",\"label\":\"credential\",\"value\":\"" + CANARY + "\"},"
        + "{\"id\":\"sk1\",\"section\":{\"id\":\"keyssection\"},\"type\":\"CONCEALED\",\"label\":\"secret key\",\"value\":\"" + CANARY2 + "\"},"
        + "{\"id\":\"otp1\",\"section\":{\"id\":\"keyssection\"},\"type\":\"OTP\",\"label\":\"one-time password\","
        + "\"value\":\"otpauth://totp/Stripe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8\"},"
        + "{\"id\":\"badotp\",\"type\":\"OTP\",\"label\":\"broken otp\",\"value\":\"otpauth://totp/x?secret=" + CANARY + "\"},"
        + "{\"id\":\"dupA\",\"type\":\"STRING\",\"label\":\"dup\",\"value\":\"" + CANARY + "\"},"
        + "{\"id\":\"dupB\",\"type\":\"STRING\",\"label\":\"DUP\",\"value\":\"" + CANARY2 + "\"},"
        + "{\"id\":\"multi\",\"type\":\"CONCEALED\",\"label\":\"multi line\",\"value\":\"line1\\nline2\\n\"}"
        + "],"
        + "\"files\":[{\"id\":\"" + FILE + "\",\"name\":\"key.pem\",\"size\":35,"
        + "\"content_path\":\"v1/vaults/" + VAULT + "/items/" + ITEM + "/files/" + FILE + "/content\"}]}";
  }

  @BeforeEach
  void setUp() throws Exception {
    Path specs = Specs.onePasswordDirOrNull();
    dispatcher = new ConnectSpecDispatcher(
        specs == null ? null : specs.resolve("connect-api-openapi-1.7.1.yaml"), TOKEN, false);
    connect = new FakeConnect().vault(VAULT, "Prod").vault(VAULT2, "Dev").item(stripeItem());
    connect.fileContents.put(FILE, CANARY_FILE.getBytes(StandardCharsets.UTF_8));
    dispatcher.handler(connect);
    server.setDispatcher(dispatcher);
    otherHost.setDispatcher(new ConnectSpecDispatcher(null, TOKEN, false));
    logs = new LogCapture();
  }

  @AfterEach
  void tearDown() {
    providers.forEach(OnePasswordProvider::close);
    try {
      assertThat(dispatcher.violations).as("requests must conform to the Connect spec").isEmpty();
      assertThat(logs.text()).doesNotContain(CANARY).doesNotContain(CANARY2)
          .doesNotContain(CANARY_FILE).doesNotContain(TOKEN).doesNotContain("CANARYtoken");
    } finally {
      logs.close();
    }
  }

  private OnePasswordProvider provider() {
    return provider(b -> { });
  }

  private OnePasswordProvider provider(Consumer<OnePasswordConnectOptions.Builder> customize) {
    OnePasswordConnectOptions.Builder b = OnePasswordConnectOptions.builder()
        .host(server.url("/").toString())
        .token(TOKEN)
        .clock(clock)
        .ticker(nanos::get);
    customize.accept(b);
    OnePasswordProvider p = OnePasswordProvider.connect(b.build());
    providers.add(p);
    return p;
  }

  private static String fetch(OnePasswordProvider p, String ref) {
    FetchResult r = p.fetch(SecretRef.parse(ref), CTX);
    try {
      return new String(r.value(), StandardCharsets.UTF_8);
    } finally {
      r.wipe();
    }
  }

  private List<String> paths() {
    return dispatcher.requests.stream().map(r -> r.getUrl().encodedPath() + (r.getUrl().query() == null
        ? "" : "?" + r.getUrl().query())).collect(Collectors.toList());
  }

  // ---- happy paths -----------------------------------------------------------------------

  @Test
  void fetch_namesOfVaultItemField_resolvesThroughFilteredLookups() {
    OnePasswordProvider p = provider();

    FetchResult r = p.fetch(SecretRef.parse("op://Prod/Stripe/credential"), CTX);

    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(CANARY);
    assertThat(r.version()).contains("7");
    assertThat(r.createdAt()).contains(Instant.parse("2024-01-02T03:04:05Z"));
    assertThat(r.metadata()).containsEntry("op.vault_id", VAULT).containsEntry("op.item_id", ITEM)
        .containsEntry("op.field_id", "credential").containsEntry("op.field_type", "concealed");
    assertThat(r.toString()).doesNotContain(CANARY);
    assertThat(paths()).containsExactly(
        "/v1/vaults?filter=name eq \"Prod\"",
        "/v1/vaults/" + VAULT + "/items?filter=title eq \"Stripe\"",
        "/v1/vaults/" + VAULT + "/items/" + ITEM);
    for (RecordedRequest req : dispatcher.requests) {
      assertThat(req.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
      if (req.getTarget().contains("filter=")) {
        // the SCIM filter travels URL-encoded: no raw space or quote on the request line
        assertThat(req.getTarget()).doesNotContain(" ").doesNotContain("\"").contains("%22");
      }
    }
  }

  @Test
  void fetch_givenHttpClient_itsInterceptorsRunWithoutSeeingTheTokenAndItSurvivesClose()
      throws Exception {
    java.util.List<String> seenAuthorization = new java.util.concurrent.CopyOnWriteArrayList<>();
    okhttp3.OkHttpClient mine = new okhttp3.OkHttpClient.Builder()
        .followRedirects(true)
        .addInterceptor(chain -> {
          seenAuthorization.add(String.valueOf(chain.request().header("Authorization")));
          return chain.proceed(chain.request().newBuilder().header("X-Trace-Id", "t-1").build());
        })
        .build();
    try {
      OnePasswordProvider p = provider(b -> b.httpClient(mine));

      assertThat(fetch(p, "op://" + VAULT + "/" + ITEM + "/credential")).isEqualTo(CANARY);
      assertThat(seenAuthorization).isNotEmpty().containsOnly("null");
      assertThat(dispatcher.requests).allSatisfy(r -> {
        assertThat(r.getHeaders().get("X-Trace-Id")).isEqualTo("t-1");
        assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
      });
      int pooled = mine.connectionPool().connectionCount();
      p.close();
      // the given client is its owner's: its threads run on and its pool is not emptied
      assertThat(mine.dispatcher().executorService().isShutdown()).isFalse();
      assertThat(mine.connectionPool().connectionCount()).isEqualTo(pooled);
    } finally {
      mine.dispatcher().executorService().shutdown();
      mine.connectionPool().evictAll();
    }
  }

  @Test
  void provider_givenHttpClientWithItsOwnHostnameVerifier_refused() {
    okhttp3.OkHttpClient lax = new okhttp3.OkHttpClient.Builder()
        .hostnameVerifier((host, session) -> true).build();
    try {
      assertThatThrownBy(() -> provider(b -> b.httpClient(lax)))
          .isInstanceOf(io.secretsdk.SecretConfigException.class)
          .hasMessageContaining("hostname verifier");
    } finally {
      lax.dispatcher().executorService().shutdown();
    }
  }

  @Test
  void fetch_idsInReference_skipsLookups() {
    assertThat(fetch(provider(), "op://" + VAULT + "/" + ITEM + "/credential")).isEqualTo(CANARY);
    assertThat(paths()).containsExactly("/v1/vaults/" + VAULT + "/items/" + ITEM);
  }

  @Test
  void fetch_sectionAndLabelWithSpaces_selectsFieldInSection() {
    assertThat(fetch(provider(), "op://Prod/Stripe/Keys/secret key")).isEqualTo(CANARY2);
    assertThat(fetch(provider(), "op://Prod/Stripe/keyssection/sk1")).isEqualTo(CANARY2);
  }

  @Test
  void fetch_differentCase_matchesAfterUnfilteredFallback() {
    // the fake server's eq filter is exact, as a real one may be: the client falls back to the
    // unfiltered list and matches ignoring case, because references are case-insensitive
    assertThat(fetch(provider(), "op://PROD/stripe/CREDENTIAL")).isEqualTo(CANARY);
    assertThat(paths()).containsExactly(
        "/v1/vaults?filter=name eq \"PROD\"",
        "/v1/vaults",
        "/v1/vaults/" + VAULT + "/items?filter=title eq \"stripe\"",
        "/v1/vaults/" + VAULT + "/items",
        "/v1/vaults/" + VAULT + "/items/" + ITEM);
  }

  @Test
  void fetch_valueWithNewlines_returnedExactly() {
    assertThat(fetch(provider(), "op://Prod/Stripe/multi line")).isEqualTo("line1\nline2\n");
  }

  @Test
  void fetch_attributes_returnFieldFacts() {
    OnePasswordProvider p = provider();
    assertThat(fetch(p, "op://Prod/Stripe/credential?attribute=type")).isEqualTo("concealed");
    assertThat(fetch(p, "op://Prod/Stripe/credential?attr=id")).isEqualTo("credential");
    assertThat(fetch(p, "op://Prod/Stripe/username?attribute=purpose")).isEqualTo("username");
    assertThat(fetch(p, "op://Prod/Stripe/credential?attribute=value")).isEqualTo(CANARY);
  }

  @Test
  void fetch_otpAttribute_computesRfc6238CodeWithTtlToPeriodEnd() {
    FetchResult r = provider().fetch(
        SecretRef.parse("op://Prod/Stripe/Keys/one-time password?attribute=otp"), CTX);
    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("07081804");
    assertThat(r.ttl()).contains(Duration.ofSeconds(1)); // 1111111109 is 29 s into its period
    assertThat(fetch(provider(), "op://Prod/Stripe/one-time password?attribute=totp"))
        .isEqualTo("07081804");
  }

  @Test
  void fetch_otpOnOrdinaryField_throwsInvalidRef() {
    assertThatThrownBy(() -> fetch(provider(), "op://Prod/Stripe/credential?attribute=otp"))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("not otp")
        .satisfies(e -> Leaks.assertClean(e, CANARY, TOKEN));
  }

  @Test
  void fetch_otpFieldWithMalformedSecret_failsWithoutQuotingIt() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/broken otp?attribute=otp"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("base32");
    Leaks.assertClean(e, CANARY, TOKEN);
  }

  @Test
  void fetch_fileAttachment_readsContentEndpoint() {
    OnePasswordProvider p = provider();
    assertThat(fetch(p, "op://Prod/Stripe/key.pem")).isEqualTo(CANARY_FILE);
    assertThat(paths()).last().isEqualTo(
        "/v1/vaults/" + VAULT + "/items/" + ITEM + "/files/" + FILE + "/content");
    assertThat(fetch(p, "op://Prod/Stripe/key.pem?attribute=name")).isEqualTo("key.pem");
    assertThat(fetch(p, "op://Prod/Stripe/key.pem?attribute=size")).isEqualTo("35");
    assertThat(fetch(p, "op://Prod/Stripe/" + FILE + "?attribute=id")).isEqualTo(FILE);
  }

  @Test
  void fetch_itemWithoutFilesMember_asksFilesEndpointOnlyForNonFields() {
    String noFiles = stripeItem().substring(0, stripeItem().indexOf(",\"files\"")) + "}";
    connect.fullItems.put(ITEM, noFiles);
    connect.fileLists.put(ITEM, "[{\"id\":\"" + FILE + "\",\"name\":\"key.pem\",\"size\":35}]");
    OnePasswordProvider p = provider();

    assertThat(fetch(p, "op://" + VAULT + "/" + ITEM + "/credential")).isEqualTo(CANARY);
    assertThat(paths()).hasSize(1);
    assertThat(fetch(p, "op://" + VAULT + "/" + ITEM + "/key.pem")).isEqualTo(CANARY_FILE);
    assertThat(paths()).containsSubsequence(
        "/v1/vaults/" + VAULT + "/items/" + ITEM + "/files",
        "/v1/vaults/" + VAULT + "/items/" + ITEM + "/files/" + FILE + "/content");
  }

  @Test
  void fetch_cachedVaultIdGone_looksUpAgainOnce() {
    OnePasswordProvider p = provider();
    fetch(p, "op://Prod/Stripe/credential");
    // the vault is re-created under a new id
    String newVault = id("newvault");
    connect.vaults.removeAll();
    connect.itemsByVault.remove(VAULT);
    connect.vault(newVault, "Prod").item(stripeItem().replace(VAULT, newVault));
    dispatcher.requests.clear();

    assertThat(fetch(p, "op://Prod/Stripe/credential")).isEqualTo(CANARY);
    assertThat(paths()).last().isEqualTo("/v1/vaults/" + newVault + "/items/" + ITEM);
  }

  @Test
  void fetch_fileLargerThanLimit_refusedWithoutContent() {
    connect.fileContents.put(FILE, (CANARY_FILE + "x".repeat(100)).getBytes(StandardCharsets.UTF_8));
    Throwable e = catchThrowable(() -> fetch(provider(b -> b.maxFileBytes(50)), "op://Prod/Stripe/key.pem"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("larger than the limit of 50");
    Leaks.assertClean(e, CANARY_FILE, TOKEN);
  }

  @Test
  void fetch_specFileExample_replaysContent() throws Exception {
    Path spec = Specs.onePasswordDir().resolve("connect-api-openapi-1.7.1.yaml");
    JsonNode example = new ObjectMapper(new YAMLFactory()).readTree(spec.toFile())
        .path("components").path("schemas").path("File").path("example");
    String vaultId = example.path("content_path").asText().split("/")[2];
    String itemId = example.path("content_path").asText().split("/")[4];
    connect.vault(vaultId, "Docs").item("{\"id\":\"" + itemId + "\",\"title\":\"Doc\",\"vault\":{\"id\":\""
        + vaultId + "\"},\"category\":\"DOCUMENT\",\"files\":[" + example + "]}");
    byte[] content = Base64.getDecoder().decode(example.path("content").asText());
    connect.fileContents.put(example.path("id").asText(), content);

    assertThat(fetch(provider(), "op://Docs/Doc/" + example.path("name").asText()))
        .isEqualTo(new String(content, StandardCharsets.UTF_8));
    assertThat(fetch(provider(), "op://Docs/Doc/foo.txt?attribute=size"))
        .isEqualTo(example.path("size").asText());
  }

  @Test
  void fetch_sdkJsFixtures_replayWithUuidStyleIds() throws Exception {
    Path dir = Specs.onePasswordDir().resolve("sdk-js-test-responses");
    // the sdk-js fixtures use UUID-style ids (a known upstream quirk): the client takes ids from
    // responses as opaque, and this dispatcher accepts them only for this replay
    dispatcher = new ConnectSpecDispatcher(
        Specs.onePasswordDir().resolve("connect-api-openapi-1.7.1.yaml"), TOKEN, true);
    String vaults = Files.readString(dir.resolve("vaults.json"));
    String items = Files.readString(dir.resolve("vault-items.json"));
    String item = Files.readString(dir.resolve("item-detail.json"));
    dispatcher.handler(r -> {
      List<String> s = r.getUrl().pathSegments();
      if (s.size() == 2) {
        return FakeConnect.json(200, vaults);
      }
      return FakeConnect.json(200, s.size() == 4 ? items : item);
    });
    server.setDispatcher(dispatcher);

    // vault-items.json's item is titled "string"; item-detail.json is its full form
    assertThat(fetch(provider(), "op://My Test Vault/string/My Section/Example")).isEqualTo("aardvark");
    assertThat(paths()).containsExactly(
        "/v1/vaults?filter=name eq \"My Test Vault\"",
        "/v1/vaults/3fa85f64-5717-4562-b3fc-2c963f66afa6/items?filter=title eq \"string\"",
        "/v1/vaults/3fa85f64-5717-4562-b3fc-2c963f66afa6/items/3fa85f64-5717-4562-b3fc-2c963f66afa6");
  }

  @Test
  void fetch_sdkJsSameTitleVaults_throwsAmbiguousNeverGuesses() throws Exception {
    Path dir = Specs.onePasswordDir().resolve("sdk-js-test-responses");
    String sameTitle = Files.readString(dir.resolve("same-title-vaults.json"));
    connect.overrides.put("/v1/vaults", FakeConnect.json(200, sameTitle));

    Throwable e = catchThrowable(() -> fetch(provider(), "op://Same title/Stripe/credential"));

    assertThat(e).isInstanceOf(AmbiguousReferenceException.class);
    AmbiguousReferenceException a = (AmbiguousReferenceException) e;
    assertThat(a.kind()).isEqualTo("vault");
    assertThat(a.candidateIds()).hasSize(2);
    assertThat(a.getMessage()).contains("2 vaults match").contains("id");
    assertThat(paths()).hasSize(1); // no item request: nothing was guessed
  }

  // ---- ambiguity and absence ---------------------------------------------------------------

  @Test
  void fetch_twoItemsWithOneTitle_throwsAmbiguous() {
    connect.item(stripeItem().replace(ITEM, id("second")));
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/credential"));
    assertThat(e).isInstanceOf(AmbiguousReferenceException.class);
    assertThat(((AmbiguousReferenceException) e).candidateIds()).containsExactly(ITEM, id("second"));
    Leaks.assertClean(e, CANARY, TOKEN);
  }

  @Test
  void fetch_twoFieldsWithOneLabel_throwsAmbiguousWithoutValues() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/dup"));
    assertThat(e).isInstanceOf(AmbiguousReferenceException.class);
    assertThat(((AmbiguousReferenceException) e).candidateIds()).containsExactly("dupA", "dupB");
    Leaks.assertClean(e, CANARY, CANARY2, TOKEN);
    // an id is unique, so it selects one of them
    assertThat(fetch(provider(), "op://Prod/Stripe/dupB")).isEqualTo(CANARY2);
  }

  @Test
  void fetch_twoSectionsWithOneLabel_throwsAmbiguous() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/twin/anything"));
    assertThat(e).isInstanceOf(AmbiguousReferenceException.class);
    assertThat(((AmbiguousReferenceException) e).kind()).isEqualTo("section");
  }

  @Test
  void fetch_missingParts_throwNotFound() {
    OnePasswordProvider p = provider();
    assertThatThrownBy(() -> fetch(p, "op://Nope/Stripe/credential"))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no vault");
    assertThatThrownBy(() -> fetch(p, "op://Prod/Nope/credential"))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no item");
    assertThatThrownBy(() -> fetch(p, "op://Prod/Stripe/nope"))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no field");
    assertThatThrownBy(() -> fetch(p, "op://Prod/Stripe/Nope/credential"))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no section");
    assertThatThrownBy(() -> fetch(p, "op://Prod/Stripe/username/credential"))
        .isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void fetch_variableOrSshFormat_refusedBeforeAnyRequest() {
    OnePasswordProvider p = provider();
    assertThatThrownBy(() -> fetch(p, "op://$APP_ENV/Stripe/credential"))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("$VARIABLE");
    assertThatThrownBy(() -> fetch(p, "op://Prod/Stripe/credential?ssh-format=openssh"))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("op CLI");
    assertThat(dispatcher.requests).isEmpty();
  }

  // ---- name cache --------------------------------------------------------------------------

  @Test
  void fetch_repeated_reusesCachedIdsUntilTtlEnds() {
    OnePasswordProvider p = provider(b -> b.nameCacheTtl(Duration.ofMinutes(1)));
    fetch(p, "op://Prod/Stripe/credential");
    fetch(p, "op://prod/STRIPE/username");
    assertThat(paths()).hasSize(4).last().isEqualTo("/v1/vaults/" + VAULT + "/items/" + ITEM);

    nanos.addAndGet(Duration.ofMinutes(1).plusSeconds(1).toNanos());
    dispatcher.requests.clear();
    fetch(p, "op://Prod/Stripe/credential");
    assertThat(paths()).hasSize(3).first().isEqualTo("/v1/vaults?filter=name eq \"Prod\"");
  }

  @Test
  void fetch_cacheDisabled_looksUpEveryTime() {
    OnePasswordProvider p = provider(b -> b.nameCacheTtl(Duration.ZERO));
    fetch(p, "op://Prod/Stripe/credential");
    fetch(p, "op://Prod/Stripe/credential");
    assertThat(paths()).hasSize(6);
  }

  @Test
  void fetch_cachedItemIdGone_looksUpAgainOnce() {
    OnePasswordProvider p = provider();
    fetch(p, "op://Prod/Stripe/credential");
    // the item is deleted and re-created under a new id
    String newId = id("recreated");
    connect.fullItems.remove(ITEM);
    connect.itemsByVault.get(VAULT).removeAll();
    connect.item(stripeItem().replace(ITEM, newId));
    dispatcher.requests.clear();

    assertThat(fetch(p, "op://Prod/Stripe/credential")).isEqualTo(CANARY);
    assertThat(paths()).containsExactly(
        "/v1/vaults/" + VAULT + "/items/" + ITEM,
        "/v1/vaults?filter=name eq \"Prod\"",
        "/v1/vaults/" + VAULT + "/items?filter=title eq \"Stripe\"",
        "/v1/vaults/" + VAULT + "/items/" + newId);
  }

  // ---- errors ------------------------------------------------------------------------------

  @Test
  void fetch_specErrorResponseExamples_mapToCoreExceptions() throws Exception {
    Path spec = Specs.onePasswordDir().resolve("connect-api-openapi-1.7.1.yaml");
    JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(spec.toFile()).path("paths");
    List<JsonNode> examples = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : paths.properties()) {
      for (JsonNode op : path.getValue()) {
        for (Map.Entry<String, JsonNode> response : op.path("responses").properties()) {
          if (Integer.parseInt(response.getKey()) < 400) {
            continue; // success examples (GET /health) are not ErrorResponses
          }
          JsonNode json = response.getValue().path("content").path("application/json");
          if (json.has("example")) {
            examples.add(json.get("example"));
          }
          json.path("examples").forEach(e -> examples.add(e.path("value")));
        }
      }
    }
    assertThat(examples).extracting(e -> e.path("status").asInt())
        .contains(400, 401, 403, 404, 413).doesNotContain(0);
    String itemPath = "/v1/vaults/" + VAULT + "/items/" + ITEM;
    OnePasswordProvider p = provider();
    for (JsonNode example : examples) {
      int status = example.path("status").asInt();
      connect.overrides.put(itemPath, FakeConnect.json(status, example.toString()));
      Throwable e = catchThrowable(() -> fetch(p, "op://" + VAULT + "/" + ITEM + "/credential"));
      Class<?> expected = status == 400 ? InvalidSecretRefException.class
          : status == 401 || status == 403 ? SecretAccessDeniedException.class
          : status == 404 ? SecretNotFoundException.class
          : SecretException.class;
      assertThat(e).as("status %s", status).isInstanceOf(expected)
          .hasMessageContaining("HTTP " + status)
          .hasMessageContaining(example.path("message").asText());
      assertThat(e).isNotInstanceOf(ProviderUnavailableException.class);
      Leaks.assertClean(e, TOKEN, CANARY);
    }
  }

  @Test
  void fetch_429WithRetryAfterSeconds_isUnavailableWithDelay() {
    connect.overrides.put("/v1/vaults/" + VAULT + "/items/" + ITEM, new MockResponse.Builder()
        .code(429).addHeader("Retry-After", "7").body("{\"status\":429,\"message\":\"slow down\"}").build());
    Throwable e = catchThrowable(() -> fetch(provider(), "op://" + VAULT + "/" + ITEM + "/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("slow down");
    assertThat(((ProviderUnavailableException) e).retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void fetch_503WithRetryAfterDate_isUnavailableWithDelayFromClock() {
    connect.overrides.put("/v1/vaults/" + VAULT + "/items/" + ITEM, new MockResponse.Builder()
        .code(503).addHeader("Retry-After", "Fri, 18 Mar 2005 01:58:59 GMT").build());
    Throwable e = catchThrowable(() -> fetch(provider(), "op://" + VAULT + "/" + ITEM + "/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class);
    // the fixed clock is 2005-03-18T01:58:29Z
    assertThat(((ProviderUnavailableException) e).retryAfter()).contains(Duration.ofSeconds(30));
  }

  @Test
  void fetch_500_isUnavailable() {
    connect.overrides.put("/v1/vaults", FakeConnect.error(500, "internal error"));
    assertThatThrownBy(() -> fetch(provider(), "op://Prod/Stripe/credential"))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("HTTP 500");
  }

  @Test
  void fetch_errorBodyEchoingTokenAndKnownFormats_isScrubbed() {
    String stripeKey = "sk_live_" + "CANARYabcdefghijklmnopqrstuvwx";
    connect.overrides.put("/v1/vaults", FakeConnect.error(401,
        "Invalid token signature: " + TOKEN + " near " + stripeKey + "\n\u001b[31mred"));
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/credential"));
    assertThat(e).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("Invalid token signature").hasMessageContaining("[REDACTED")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("\u001b").doesNotContain("\n"));
    Leaks.assertClean(e, TOKEN, "CANARYtoken", stripeKey);
  }

  @Test
  void fetch_nonJsonErrorBody_isNotQuoted() {
    connect.overrides.put("/v1/vaults", new MockResponse.Builder().code(502)
        .body("<html>proxy error " + CANARY + "</html>").build());
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("HTTP 502");
    Leaks.assertClean(e, CANARY, TOKEN);
  }

  @Test
  void fetch_malformedJson_isTypedErrorWithoutBody() {
    connect.overrides.put("/v1/vaults/" + VAULT + "/items/" + ITEM,
        FakeConnect.json(200, "{\"fields\":[{\"value\":\"" + CANARY + "\" oops"));
    Throwable e = catchThrowable(() -> fetch(provider(), "op://" + VAULT + "/" + ITEM + "/credential"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("malformed response")
        .hasNoCause();
    Leaks.assertClean(e, CANARY, TOKEN);
  }

  @Test
  void fetch_wrongJsonShape_isMalformed() {
    connect.overrides.put("/v1/vaults", FakeConnect.json(200, "{\"not\":\"a list\"}"));
    assertThatThrownBy(() -> fetch(provider(), "op://Prod/Stripe/credential"))
        .isInstanceOf(SecretException.class).hasMessageContaining("malformed response");
  }

  @Test
  void fetch_responseLargerThanLimit_refused() {
    String big = stripeItem().replace("\"category\"", "\"padding\":\"" + "x".repeat(2000) + "\",\"category\"");
    connect.overrides.put("/v1/vaults/" + VAULT + "/items/" + ITEM, FakeConnect.json(200, big));
    Throwable e = catchThrowable(() -> fetch(provider(b -> b.maxResponseBytes(1024)),
        "op://" + VAULT + "/" + ITEM + "/credential"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("larger than the limit of 1024");
    Leaks.assertClean(e, CANARY, TOKEN);
  }

  @Test
  void fetch_responseWithoutLengthLargerThanLimit_refused() {
    String big = stripeItem().replace("\"category\"", "\"padding\":\"" + "x".repeat(4000) + "\",\"category\"");
    connect.overrides.put("/v1/vaults/" + VAULT + "/items/" + ITEM, new MockResponse.Builder()
        .code(200).chunkedBody(new Buffer().writeUtf8(big), 256).build());
    Throwable e = catchThrowable(() -> fetch(provider(b -> b.maxResponseBytes(1024)),
        "op://" + VAULT + "/" + ITEM + "/credential"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("larger than the limit");
    Leaks.assertClean(e, CANARY, TOKEN);
  }

  @Test
  void fetch_redirectToAnotherHost_notFollowedAndTokenNeverSent() {
    connect.overrides.put("/v1/vaults", new MockResponse.Builder().code(307)
        .addHeader("Location", otherHost.url("/v1/vaults").toString()).build());
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/Stripe/credential"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("redirect");
    assertThat(otherHost.getRequestCount()).isZero();
    Leaks.assertClean(e, TOKEN);
  }

  @Test
  void httpClient_requestToAnotherHost_refusedBeforeTheTokenIsSent() {
    ConnectBackend backend = (ConnectBackend) provider().backend();
    Throwable e = catchThrowable(() -> backend.httpClient()
        .newCall(new okhttp3.Request.Builder().url(otherHost.url("/v1/vaults")).build()).execute());
    assertThat(e).isInstanceOf(java.io.IOException.class).hasMessageContaining("refusing");
    assertThat(otherHost.getRequestCount()).isZero();
  }

  @Test
  void fetch_unreachableServer_isUnavailable() throws Exception {
    OnePasswordProvider p = provider();
    server.close();
    Throwable e = catchThrowable(() -> fetch(p, "op://Prod/Stripe/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("I/O error");
    Leaks.assertClean(e, TOKEN);
  }

  @Test
  void fetch_concurrentCallers_allResolve() throws Exception {
    OnePasswordProvider p = provider();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        String ref = i % 2 == 0 ? "op://Prod/Stripe/credential" : "op://prod/stripe/Keys/secret key";
        futures.add(pool.submit(() -> fetch(p, ref)));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i % 2 == 0 ? CANARY : CANARY2);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- lifecycle and hygiene -----------------------------------------------------------------

  @Test
  void close_shutsDownOkHttpAndRefusesFurtherFetches() {
    OnePasswordProvider p = provider();
    fetch(p, "op://Prod/Stripe/credential");
    ConnectBackend backend = (ConnectBackend) p.backend();

    p.close();
    p.close(); // idempotent

    assertThat(backend.httpClient().dispatcher().executorService().isShutdown()).isTrue();
    assertThat(backend.httpClient().connectionPool().connectionCount()).isZero();
    assertThatThrownBy(() -> fetch(p, "op://Prod/Stripe/credential"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void toString_optionsAndProvider_neverShowToken() {
    OnePasswordConnectOptions o = OnePasswordConnectOptions.builder()
        .host(server.url("/").toString()).token(TOKEN).build();
    assertThat(o.toString()).doesNotContain(TOKEN).contains("token=****");
    assertThat(provider().toString()).doesNotContain(TOKEN).startsWith("OnePasswordProvider[connect(");
  }

  @Test
  void fetch_wrongScheme_throwsInvalidRef() {
    assertThatThrownBy(() -> provider().fetch(SecretRef.parse("vault://a/b/c"), CTX))
        .isInstanceOf(InvalidSecretRefException.class);
  }

  @Test
  void builtInOperations_matchTheSpecFile() throws Exception {
    Path spec = Specs.onePasswordDir().resolve("connect-api-openapi-1.7.1.yaml");
    ConnectSpecDispatcher fromSpec = new ConnectSpecDispatcher(spec, TOKEN, false);
    assertThat(ConnectSpecDispatcher.describe(ConnectSpecDispatcher.builtInOperations()))
        .isEqualTo(ConnectSpecDispatcher.describe(fromSpec.operations()));
  }
}
