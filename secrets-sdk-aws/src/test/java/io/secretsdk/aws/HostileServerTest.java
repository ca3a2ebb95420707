package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.CONTEXT;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchOutcome;
import io.secretsdk.spi.FetchResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A server that echoes what it knows — the credentials it was sent and a value the process
 * already resolved — in every string the provider shows: {@code VersionId}, stages, ARN and name,
 * tags and description, error codes, {@code X-Amzn-ErrorType}, error messages and
 * {@code x-amzn-RequestId}. The canaries are plain letters and digits, so they pass the
 * provider's own patterns for codes and request ids: only the check against the registered
 * values and credentials ({@code ProviderText.shown}) keeps them out. Nothing reaches a result,
 * an exception (message, cause, trace), a {@code toString()} or a log line written through the
 * {@code RedactingEncoder} with every logger at TRACE.
 */
@Timeout(30)
final class HostileServerTest {
  static final SecretRef REF = SecretRef.parse("aws-sm://MyTestDatabaseSecret");
  static final Pattern FP = Pattern.compile("fp:[0-9a-f]{12}");

  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  RedactedFakes fakes;
  FakeSecretsManager fake;
  FakeSts sts;
  Canaries canaries;
  String accessKeyId;
  String secretKey;
  String sessionToken;
  /** A value another secret of this process resolved to (so the index knows it). */
  String otherValue;
  AwsSecretsManagerProvider provider;

  @BeforeEach
  void setUp() {
    fakes = new RedactedFakes(server, stsServer);
    fake = fakes.fake;
    sts = fakes.sts;
    canaries = fakes.canaries;
    accessKeyId = canaries.upper("ASIA", 16);
    secretKey = canaries.alnum("sk", 38);
    sessionToken = canaries.alnum("st", 120);
    otherValue = canaries.alnum("val", 30);
    RedactionIndex.global().register(SecretRef.parse("aws-sm://hostile/other"),
        otherValue.getBytes(StandardCharsets.UTF_8));
    provider = AwsSecretsManagerProvider.create(options().credentialsProvider(
        StaticCredentialsProvider.create(
            AwsSessionCredentials.create(accessKeyId, secretKey, sessionToken))).build());
  }

  @AfterEach
  void tearDown() {
    provider.close();
    fakes.close();
  }

  private AwsSecretsManagerOptions.Builder options() {
    return fakes.options();
  }

  private void assertClean(String what, FetchResult r) {
    canaries.assertAbsent(what + " toString", r.toString());
    canaries.assertAbsent(what + " version", r.version().orElse(""));
    canaries.assertAbsent(what + " metadata", r.metadata().toString());
  }

  private void assertClean(Throwable e) {
    canaries.assertAbsent("exception", Leaks.render(e));
    assertThat(FP.matcher(e.getMessage()).find())
        .as("the echoed code and request id show as fingerprints").isTrue();
  }

  /** Checks without printing {@code actual}, which would be a canary if the check failed. */
  private static void assertFingerprint(String what, String actual) {
    assertThat(actual != null && FP.matcher(actual).matches()).as(what + " is a fingerprint").isTrue();
  }

  /** An error answer echoing the canaries in the code (body and header), message and request id. */
  private MockResponse echoingError(int status) {
    return new MockResponse.Builder().code(status)
        .setHeader("Content-Type", FakeSecretsManager.JSON_11)
        .setHeader("x-amzn-RequestId", accessKeyId)
        .setHeader("X-Amzn-ErrorType", otherValue)
        .body("{\"__type\":\"" + otherValue + "\",\"Message\":\"" + sessionToken + " " + secretKey
            + " " + otherValue + "\"}").build();
  }

  @Test
  void getSecretValue_canariesInVersionStagesArnAndName_resultShowsFingerprints() {
    ObjectNode answer = SpecShapes.getSecretValue();
    answer.put("VersionId", otherValue);
    answer.putArray("VersionStages").add(sessionToken).add("AWSCURRENT");
    answer.put("ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + secretKey);
    answer.put("Name", accessKeyId);
    fake.on("GetSecretValue", c -> json(answer));

    FetchResult r = provider.fetch(REF, CONTEXT);

    assertClean("result", r);
    assertFingerprint("version", r.version().orElse(null));
    String[] stages = r.metadata().get(AwsSecretsManagerProvider.META_STAGES).split(",");
    assertThat(stages).hasSize(2);
    assertFingerprint("echoed stage", stages[0]);
    assertThat(stages[1]).isEqualTo("AWSCURRENT"); // a plain stage is kept as it is
    assertFingerprint("arn", r.metadata().get(AwsSecretsManagerProvider.META_ARN));
    assertFingerprint("name", r.metadata().get(AwsSecretsManagerProvider.META_NAME));
    assertThat(r.metadata()).containsEntry(AwsSecretsManagerProvider.META_REGION, "us-east-1");
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 500})
  void getSecretValue_errorEchoesCanaries_exceptionShowsFingerprints(int status) {
    fake.on("GetSecretValue", c -> echoingError(status));

    SecretException e = catchThrowableOfType(SecretException.class,
        () -> provider.fetch(REF, CONTEXT));

    assertClean(e);
    assertThat(e.getMessage()).contains("HTTP " + status);
    if (status >= 500) {
      assertThat(e).isInstanceOf(ProviderUnavailableException.class);
    }
  }

  @Test
  void batch_errorEntriesEchoCanaries_eachFailureShowsFingerprints() {
    ObjectNode answer = Specs.JSON.createObjectNode();
    answer.putArray("SecretValues");
    for (String id : List.of("a", "b")) {
      answer.withArray("Errors").addObject().put("SecretId", id).put("ErrorCode", otherValue)
          .put("Message", sessionToken + " " + secretKey);
    }
    fake.on("BatchGetSecretValue", c -> json(answer));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(
        List.of(SecretRef.parse("aws-sm://a"), SecretRef.parse("aws-sm://b")), CONTEXT);

    assertThat(fake.calls("BatchGetSecretValue")).hasSize(1);
    assertThat(out).hasSize(2).allSatisfy((ref, outcome) -> {
      assertThat(outcome.failure()).isPresent();
      assertClean(outcome.failure().get());
    });
  }

  @Test
  void batch_callFailsEchoingCanaries_everyRefsFailureShowsFingerprints() {
    fake.on("BatchGetSecretValue", c -> echoingError(400));

    Map<SecretRef, FetchOutcome> out = provider.fetchAll(
        List.of(SecretRef.parse("aws-sm://a"), SecretRef.parse("aws-sm://b")), CONTEXT);

    assertThat(out).hasSize(2).allSatisfy((ref, outcome) -> assertClean(outcome.failure().get()));
  }

  @Test
  void describeSecret_canariesInTagsAndDescription_metadataShowsFingerprints() {
    ObjectNode get = SpecShapes.getSecretValue();
    fake.on("GetSecretValue", c -> json(get));
    ObjectNode described = SpecShapes.describeSecret();
    described.put("Description", otherValue);
    described.putArray("Tags").addObject().put("Key", "owner").put("Value", accessKeyId);
    described.withArray("Tags").addObject().put("Key", sessionToken).put("Value", "team-a");
    fake.on("DescribeSecret", c -> json(described));
    FetchContext ctx = FetchContext.of(RunEnvironment.values()[0], null, null, Set.of("owner"));

    FetchResult r = provider.fetch(REF, ctx);

    assertClean("result", r);
    assertFingerprint("tag value", r.metadata().get("owner"));
    assertFingerprint("description", r.metadata().get(AwsSecretsManagerProvider.META_DESCRIPTION));
    assertThat(r.metadata().entrySet().stream().anyMatch(m -> m.getValue().equals("team-a")
        && FP.matcher(m.getKey()).matches())).as("the echoing tag key is fingerprinted").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jwt", "long", "newline", "bidi"})
  void getSecretValue_versionIdOfUnsafeShape_showsFingerprint(String shape) {
    String versionId;
    switch (shape) {
      case "jwt": // a token format nobody registered: the detector knows it
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        versionId = canaries.remember(
            b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "." + b64.encodeToString(("{\"sub\":\"" + canaries.alnum("", 20) + "\"}")
                .getBytes(StandardCharsets.UTF_8))
            + "." + canaries.alnum("", 43));
        break;
      case "long":
        versionId = "v".repeat(200);
        break;
      case "newline":
        versionId = "v1\nINFO forged log line";
        break;
      default:
        versionId = "v1\u202egpj.exe";
        break;
    }
    ObjectNode answer = SpecShapes.getSecretValue();
    answer.put("VersionId", versionId);
    fake.on("GetSecretValue", c -> json(answer));

    FetchResult r = provider.fetch(REF, CONTEXT);

    assertFingerprint("version", r.version().orElse(null));
    assertThat(r.toString().contains(versionId)).isFalse();
    assertClean("result", r);
  }

  @Test
  void sts_errorEchoesTheWebIdentityToken_exceptionShowsFingerprints() {
    provider.close();
    String token = canaries.alnum("wit", 60);
    sts.override = form -> new MockResponse.Builder().code(400).setHeader("Content-Type", "text/xml")
        .body("<ErrorResponse><Error><Type>Sender</Type><Code>" + form.get("WebIdentityToken")
            + "</Code><Message>" + form.get("WebIdentityToken") + "</Message></Error><RequestId>"
            + form.get("WebIdentityToken") + "</RequestId></ErrorResponse>").build();
    provider = AwsSecretsManagerProvider.create(options()
        .stsEndpointOverride(stsServer.url("/").uri())
        .webIdentity(() -> IdentityToken.of(token, Instant.now().plusSeconds(300)),
            "arn:aws:iam::123456789012:role/ci-secrets")
        .build());

    SecretException e = catchThrowableOfType(SecretException.class,
        () -> provider.fetch(REF, CONTEXT));

    assertThat(sts.calls).hasSize(1);
    assertClean(e);
    assertThat(fake.calls).isEmpty();
  }
}
