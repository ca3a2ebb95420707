package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.CONTEXT;
import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.AwsSecretsManagerProviderTest.utf8;
import static io.secretsdk.aws.FakeSecretsManager.error;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static io.secretsdk.aws.Leaks.CANARY_VALUE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchOutcome;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class BatchFetchTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final FakeSecretsManager fake = new FakeSecretsManager();
  final LogCapture logs = new LogCapture();
  AwsSecretsManagerProvider provider;

  @BeforeEach
  void setUp() {
    server.setDispatcher(fake);
    provider = AwsSecretsManagerProvider.create(AwsSecretsManagerProviderTest.options(server).build());
  }

  @AfterEach
  void tearDown() {
    provider.close();
    logs.close();
    assertThat(fake.problems).as("requests that did not conform to the service model").isEmpty();
    Leaks.assertNoCanary(logs.text());
  }

  /** Answers every id of the request with a value named after it, except those in {@code errors}. */
  static JsonNode answer(JsonNode body, Map<String, String> errors) {
    ObjectNode out = Specs.JSON.createObjectNode();
    ArrayNode values = out.putArray("SecretValues");
    ArrayNode errs = out.putArray("Errors");
    for (JsonNode id : body.get("SecretIdList")) {
      String code = errors.get(id.asText());
      if (code != null) {
        errs.addObject().put("SecretId", id.asText()).put("ErrorCode", code)
            .put("Message", "about " + CANARY_VALUE);
      } else {
        values.add(secretString(id.asText(), "{\"k\":\"v-" + id.asText() + "\"}"));
      }
    }
    return out;
  }

  @Test
  void fetchAll_45Secrets_sendsChunksOfAtMost20() {
    fake.on("BatchGetSecretValue", c -> json(answer(c.body(), Map.of())));
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      refs.add(SecretRef.parse("aws-sm://app/s" + i + "#k"));
    }

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(refs, CONTEXT);

    assertThat(fake.calls("BatchGetSecretValue")).extracting(c -> c.body().get("SecretIdList").size())
        .containsExactly(20, 20, 5);
    assertThat(fake.calls("GetSecretValue")).isEmpty();
    assertThat(out.keySet()).containsExactlyElementsOf(refs);
    for (int i = 0; i < 45; i++) {
      assertThat(utf8(out.get(refs.get(i)).result().orElseThrow())).isEqualTo("v-app/s" + i);
    }
  }

  @Test
  void fetchAll_nextToken_followsPagesWithSameIds() {
    AtomicInteger page = new AtomicInteger();
    fake.on("BatchGetSecretValue", c -> {
      ObjectNode out = Specs.JSON.createObjectNode();
      ArrayNode values = out.putArray("SecretValues");
      out.putArray("Errors");
      if (page.getAndIncrement() == 0) {
        assertThat(c.body().has("NextToken")).isFalse();
        values.add(secretString("a", "va"));
        out.put("NextToken", "page-2");
      } else {
        assertThat(c.body().get("NextToken").asText()).isEqualTo("page-2");
        values.add(secretString("b", "vb"));
      }
      return json(out);
    });
    List<SecretRef> refs = List.of(SecretRef.parse("aws-sm://a"), SecretRef.parse("aws-sm://b"));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(refs, CONTEXT);

    assertThat(fake.calls("BatchGetSecretValue")).hasSize(2)
        .allSatisfy(c -> assertThat(c.body().get("SecretIdList").size()).isEqualTo(2));
    assertThat(utf8(out.get(refs.get(0)).result().orElseThrow())).isEqualTo("va");
    assertThat(utf8(out.get(refs.get(1)).result().orElseThrow())).isEqualTo("vb");
  }

  @Test
  void fetchAll_repeatedNextToken_stopsAndFetchesRestDirectly() {
    fake.on("BatchGetSecretValue", c -> {
      ObjectNode out = Specs.JSON.createObjectNode();
      out.putArray("SecretValues").add(secretString("a", "va"));
      out.putArray("Errors");
      out.put("NextToken", "same-token-forever");
      return json(out);
    });
    fake.on("GetSecretValue", c -> json(secretString("b", "vb")));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(
        List.of(SecretRef.parse("aws-sm://a"), SecretRef.parse("aws-sm://b")), CONTEXT);

    assertThat(fake.calls("BatchGetSecretValue")).hasSize(2);
    assertThat(fake.calls("GetSecretValue")).hasSize(1);
    assertThat(utf8(out.get(SecretRef.parse("aws-sm://b")).result().orElseThrow())).isEqualTo("vb");
  }

  @Test
  void fetchAll_perSecretErrors_mappedIndividually() {
    fake.on("BatchGetSecretValue", c -> json(answer(c.body(), Map.of(
        "missing", "ResourceNotFoundException",
        "denied", "AccessDeniedException",
        "kms", "DecryptionFailure",
        "bad", "InvalidParameterException",
        "busy", "ThrottlingException"))));
    List<SecretRef> refs = new ArrayList<>();
    for (String n : new String[] {"ok", "missing", "denied", "kms", "bad", "busy"}) {
      refs.add(SecretRef.parse("aws-sm://" + n));
    }

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(refs, CONTEXT);

    assertThat(utf8(out.get(refs.get(0)).result().orElseThrow())).isEqualTo("{\"k\":\"v-ok\"}");
    assertThat(out.get(refs.get(1)).failure()).get().isInstanceOf(SecretNotFoundException.class);
    assertThat(out.get(refs.get(2)).failure()).get().isInstanceOf(SecretAccessDeniedException.class);
    assertThat(out.get(refs.get(3)).failure()).get().isInstanceOf(SecretAccessDeniedException.class)
        .extracting(Throwable::getMessage).asString().contains("KMS");
    assertThat(out.get(refs.get(4)).failure()).get().isInstanceOf(InvalidSecretRefException.class);
    assertThat(out.get(refs.get(5)).failure()).get().isInstanceOf(ProviderUnavailableException.class);
    for (int i = 1; i < refs.size(); i++) {
      SecretException e = out.get(refs.get(i)).failure().orElseThrow();
      assertThat(e.ref()).contains(refs.get(i));
      Leaks.assertNoCanary(e);
    }
    assertThat(fake.calls("GetSecretValue")).isEmpty();
  }

  @Test
  void fetchAll_pinnedVersionsAndDuplicates_fetchedDirectlyAndShared() {
    fake.on("BatchGetSecretValue", c -> json(answer(c.body(), Map.of())));
    fake.on("GetSecretValue", c -> json(secretString("p", "{\"k\":\"previous\"}")));
    List<SecretRef> refs = List.of(
        SecretRef.parse("aws-sm://p?stage=AWSPREVIOUS#k"),
        SecretRef.parse("aws-sm://shared#k"),
        SecretRef.parse("aws-sm://shared"),
        SecretRef.parse("aws-sm://shared#k"),
        SecretRef.parse("aws-sm://current?stage=AWSCURRENT"));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(refs, CONTEXT);

    assertThat(out).hasSize(4);
    assertThat(fake.calls("BatchGetSecretValue")).hasSize(1);
    assertThat(fake.calls("BatchGetSecretValue").get(0).body().get("SecretIdList").toString())
        .isEqualTo("[\"shared\",\"current\"]");
    assertThat(fake.calls("GetSecretValue")).hasSize(1);
    assertThat(utf8(out.get(refs.get(0)).result().orElseThrow())).isEqualTo("previous");
    assertThat(utf8(out.get(refs.get(1)).result().orElseThrow())).isEqualTo("v-shared");
  }

  @Test
  void fetchAll_batchActionDenied_fallsBackToGetSecretValue() {
    fake.on("BatchGetSecretValue", c -> error(400, "AccessDeniedException", "no batch"));
    fake.on("GetSecretValue", c -> json(secretString(c.body().get("SecretId").asText(), "one")));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(
        List.of(SecretRef.parse("aws-sm://a"), SecretRef.parse("aws-sm://b")), CONTEXT);

    assertThat(fake.calls("GetSecretValue")).hasSize(2);
    assertThat(out.values()).allSatisfy(o -> assertThat(o.result()).isPresent());
  }

  @Test
  void fetchAll_wholeCallThrottled_eachRefGetsItsOwnFailure() {
    fake.on("BatchGetSecretValue", c -> error(400, "ThrottlingException", "slow " + CANARY_VALUE));
    List<SecretRef> refs = List.of(SecretRef.parse("aws-sm://a"), SecretRef.parse("aws-sm://b#x"));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(refs, CONTEXT);

    Map<SecretException, Boolean> distinct = new IdentityHashMap<>();
    for (SecretRef ref : refs) {
      SecretException e = out.get(ref).failure().orElseThrow();
      assertThat(e).isInstanceOf(ProviderUnavailableException.class);
      assertThat(e.ref()).contains(ref);
      distinct.put(e, true);
      Leaks.assertNoCanary(e);
    }
    assertThat(distinct).hasSize(2);
    assertThat(fake.calls("GetSecretValue")).isEmpty();
  }

  @Test
  void fetchAll_idsAcrossRegionsAndInvalidRefs_batchedPerRegion() {
    fake.on("BatchGetSecretValue", c -> json(answer(c.body(), Map.of())));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(List.of(
        SecretRef.parse("aws-sm://a"),
        SecretRef.parse("aws-sm://b?region=eu-west-1"),
        SecretRef.parse("aws-sm://c?bogus=1")), CONTEXT);

    assertThat(fake.calls("BatchGetSecretValue")).extracting(FakeSecretsManager.Call::region)
        .containsExactlyInAnyOrder("us-east-1", "eu-west-1");
    assertThat(out.get(SecretRef.parse("aws-sm://c?bogus=1")).failure()).get()
        .isInstanceOf(InvalidSecretRefException.class);
    assertThat(out.get(SecretRef.parse("aws-sm://b?region=eu-west-1")).result()).isPresent();
  }

  @Test
  void fetchAll_requiredMetadata_describesEachSecretOnce() {
    fake.on("BatchGetSecretValue", c -> json(answer(c.body(), Map.of())));
    fake.on("DescribeSecret", c -> json("{\"Tags\":[{\"Key\":\"owner\",\"Value\":\"team-"
        + c.body().get("SecretId").asText() + "\"}]}"));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(List.of(SecretRef.parse("aws-sm://a#k"),
        SecretRef.parse("aws-sm://a")), io.secretsdk.spi.FetchContext.of(
            CONTEXT.environment(), null, null, Set.of("owner")));

    assertThat(fake.calls("DescribeSecret")).hasSize(1);
    assertThat(out.values()).allSatisfy(o ->
        assertThat(o.result().orElseThrow().metadata()).containsEntry("owner", "team-a"));
  }
}
