package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.CONTEXT;
import static io.secretsdk.aws.AwsSecretsManagerProviderTest.utf8;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchOutcome;
import io.secretsdk.spi.FetchResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Replays AWS's own documented responses and protocol compliance cases from
 * {@code ../shared/specs/aws-secretsmanager} (skipped with a reason when absent), quirks kept.
 */
@Timeout(60)
final class SpecReplayTest {
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
    assertThat(fake.problems).isEmpty();
    Leaks.assertNoCanary(logs.text());
  }

  @Test
  void examples_getSecretValue_replayedOutputResolves() {
    JsonNode examples = Specs.require("botocore/examples-1.json").path("examples").path("GetSecretValue");
    assertThat(examples.size()).isPositive();
    for (JsonNode ex : examples) {
      JsonNode out = ex.get("output");
      fake.on("GetSecretValue", c -> json(out));
      SecretRef ref = SecretRef.parse("aws-sm://" + ex.path("input").path("SecretId").asText());

      FetchResult r = provider.fetch(ref, CONTEXT);

      assertThat(fake.calls.get(fake.calls.size() - 1).body()).isEqualTo(ex.get("input"));
      assertThat(utf8(r)).isEqualTo(out.get("SecretString").asText());
      assertThat(r.version()).contains(out.get("VersionId").asText());
      assertThat(r.createdAt()).contains(Instant.ofEpochMilli(
          Math.round(out.get("CreatedDate").asDouble() * 1000)));
      assertThat(r.metadata()).containsEntry(AwsSecretsManagerProvider.META_STAGES, "AWSPREVIOUS")
          .containsEntry(AwsSecretsManagerProvider.META_ARN, out.get("ARN").asText());
      // the example's value is a JSON object: its keys resolve one by one
      assertThat(utf8(provider.fetch(SecretRef.parse(ref + "#password"), CONTEXT)))
          .isEqualTo("EXAMPLE-PASSWORD");
      assertThat(utf8(provider.fetch(SecretRef.parse(ref + "#username"), CONTEXT)))
          .isEqualTo("david");
    }
  }

  @Test
  void examples_describeSecret_tagsAndDescriptionBecomeMetadata() {
    JsonNode ex = Specs.require("botocore/examples-1.json").path("examples").path("DescribeSecret").get(0);
    JsonNode get = Specs.require("botocore/examples-1.json").path("examples").path("GetSecretValue")
        .get(0).get("output");
    fake.on("GetSecretValue", c -> json(get));
    // quirk kept: LastAccessedDate is the string "1523923200" in this example
    fake.on("DescribeSecret", c -> json(ex.get("output")));
    FetchContext ctx = FetchContext.of(RunEnvironment.values()[0], null, null, Set.of("FirstTag"));

    FetchResult r = provider.fetch(SecretRef.parse("aws-sm://MyTestDatabaseSecret"), ctx);

    assertThat(fake.calls("DescribeSecret").get(0).body()).isEqualTo(ex.get("input"));
    assertThat(r.metadata()).containsEntry("FirstTag", "SomeValue")
        .containsEntry("SecondTag", "AnotherValue")
        .containsEntry("description", "My test database secret");
  }

  @Test
  void smithyExamples_batchGetSecretValue_replayedWithTruncatedJsonQuirk() {
    JsonNode model = Specs.require("smithy/secrets-manager-2017-10-17.json");
    JsonNode examples = model.path("shapes").path("com.amazonaws.secretsmanager#BatchGetSecretValue")
        .path("traits").path("smithy.api#examples");
    assertThat(examples.size()).isPositive();
    JsonNode ex = examples.get(0);
    fake.on("BatchGetSecretValue", c -> json(ex.get("output")));
    List<SecretRef> refs = new ArrayList<>();
    for (JsonNode id : ex.path("input").path("SecretIdList")) {
      refs.add(SecretRef.parse("aws-sm://" + id.asText()));
      refs.add(SecretRef.parse("aws-sm://" + id.asText() + "#password"));
    }

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(refs, CONTEXT);

    assertThat(fake.calls("BatchGetSecretValue")).hasSize(1);
    assertThat(fake.calls("GetSecretValue")).isEmpty();
    assertThat(fake.calls.get(0).body().get("SecretIdList")).isEqualTo(ex.path("input").path("SecretIdList"));
    assertThat(out.keySet()).containsExactlyElementsOf(refs);
    JsonNode values = ex.path("output").path("SecretValues");
    for (JsonNode v : values) {
      String name = v.get("Name").asText();
      FetchResult whole = out.get(SecretRef.parse("aws-sm://" + name)).result().orElseThrow();
      assertThat(utf8(whole)).isEqualTo(v.get("SecretString").asText());
      assertThat(whole.version()).contains(v.get("VersionId").asText());
      // quirk: the ARNs hold unexpanded doc entities ("&region-arn;"): not plain text, so the
      // metadata shows their fingerprint, the same one each time
      assertThat(whole.metadata().get(AwsSecretsManagerProvider.META_ARN))
          .isEqualTo(ProviderText.fingerprint(v.get("ARN").asText())).startsWith("fp:");
      FetchOutcome key = out.get(SecretRef.parse("aws-sm://" + name + "#password"));
      boolean validJson = v.get("SecretString").asText().endsWith("}");
      if (validJson) {
        assertThat(utf8(key.result().orElseThrow())).isEqualTo("EXAMPLE-PASSWORD");
      } else {
        // quirk: MySecret2 and MySecret3 hold truncated JSON, so their keys cannot be read
        assertThat(key.failure()).get().isInstanceOf(InvalidSecretRefException.class);
        Leaks.assertNoCanary(key.failure().get());
        assertThat(key.failure().get().getMessage()).doesNotContain("EXAMPLE-PASSWORD");
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> protocolTests_errorCases_mapToCoreTypesWithExtractedCode() {
    JsonNode suites = Specs.require("protocol-tests/output-json-1.1.json");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode suite : suites) {
      for (JsonNode c : suite.path("cases")) {
        if (!c.hasNonNull("errorCode")) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> replayError(c)));
      }
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(10);
    return tests.stream();
  }

  private void replayError(JsonNode c) {
    JsonNode resp = c.get("response");
    int status = resp.get("status_code").asInt();
    MockResponse.Builder b = new MockResponse.Builder().code(status);
    resp.path("headers").properties().forEach(h -> b.setHeader(h.getKey(), h.getValue().asText()));
    if (resp.has("body")) {
      b.body(resp.get("body").asText());
    }
    MockResponse response = b.build();
    fake.on("GetSecretValue", call -> response);
    SecretRef ref = SecretRef.parse("aws-sm://protocol/test");

    SecretException e = catchThrowableOfType(SecretException.class, () -> provider.fetch(ref, CONTEXT));

    String code = c.get("errorCode").asText();
    assertThat(e.getMessage()).contains("(" + code + ",").contains("HTTP " + status);
    if (status >= 500) {
      assertThat(e).isInstanceOf(ProviderUnavailableException.class);
    } else {
      assertThat(e).isExactlyInstanceOf(SecretException.class); // an unknown 4xx: not retried
    }
    // the service's message and other error members are dropped, never echoed
    c.path("error").properties().forEach(f -> {
      if (f.getValue().isTextual()) {
        assertThat(e.getMessage()).doesNotContain(f.getValue().asText());
      }
    });
    if (c.hasNonNull("errorMessage")) {
      assertThat(Leaks.render(e)).doesNotContain(": " + c.get("errorMessage").asText() + " ");
    }
  }
}
