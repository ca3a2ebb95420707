package io.secretsdk.aws;

import static io.secretsdk.aws.FakeSecretsManager.error;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static io.secretsdk.aws.Leaks.CANARY_ACCESS_KEY;
import static io.secretsdk.aws.Leaks.CANARY_SECRET_KEY;
import static io.secretsdk.aws.Leaks.CANARY_VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

@Timeout(30)
final class AwsSecretsManagerProviderTest {
  static final FetchContext CONTEXT = FetchContext.of(RunEnvironment.values()[0]);

  @StartStop final MockWebServer server = new MockWebServer();
  final FakeSecretsManager fake = new FakeSecretsManager();
  final LogCapture logs = new LogCapture();
  final AtomicLong ticks = new AtomicLong();
  AwsSecretsManagerProvider provider;

  static AwsSecretsManagerOptions.Builder options(MockWebServer server) {
    return AwsSecretsManagerOptions.builder()
        .region("us-east-1")
        .endpointOverride(server.url("/").uri())
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(CANARY_ACCESS_KEY, CANARY_SECRET_KEY)));
  }

  @BeforeEach
  void setUp() {
    server.setDispatcher(fake);
    provider = AwsSecretsManagerProvider.create(options(server).ticker(ticks::get).build());
  }

  @AfterEach
  void tearDown() {
    provider.close();
    logs.close();
    assertThat(fake.problems).as("requests that did not conform to the service model").isEmpty();
    Leaks.assertNoCanary(logs.text());
  }

  static ObjectNode secretString(String name, String value) {
    ObjectNode n = Specs.JSON.createObjectNode();
    n.put("ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-a1b2c3");
    n.put("Name", name);
    n.put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1");
    n.putArray("VersionStages").add("AWSCURRENT");
    n.put("CreatedDate", 1523477145.713);
    n.put("SecretString", value);
    return n;
  }

  static String utf8(FetchResult r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  @Test
  void fetch_secretString_returnsValueVersionAndMetadata() {
    fake.on("GetSecretValue", c -> json(secretString("prod/stripe", CANARY_VALUE)));

    FetchResult r = provider.fetch(SecretRef.parse("aws-sm://prod/stripe"), CONTEXT);

    assertThat(utf8(r)).isEqualTo(CANARY_VALUE);
    assertThat(r.version()).contains("EXAMPLE1-90ab-cdef-fedc-ba987SECRET1");
    assertThat(r.createdAt()).contains(Instant.ofEpochMilli(1523477145713L));
    assertThat(r.metadata())
        .containsEntry(AwsSecretsManagerProvider.META_NAME, "prod/stripe")
        .containsEntry(AwsSecretsManagerProvider.META_STAGES, "AWSCURRENT")
        .containsEntry(AwsSecretsManagerProvider.META_REGION, "us-east-1")
        .containsKey(AwsSecretsManagerProvider.META_ARN);
    assertThat(r.toString()).doesNotContain(CANARY_VALUE);
    FakeSecretsManager.Call call = fake.calls("GetSecretValue").get(0);
    assertThat(call.body().get("SecretId").asText()).isEqualTo("prod/stripe");
    assertThat(call.body().has("VersionId")).isFalse();
    assertThat(call.body().has("VersionStage")).isFalse();
    assertThat(call.region()).isEqualTo("us-east-1");
  }

  @Test
  void fetch_jsonKey_returnsThatKeyOnly() {
    fake.on("GetSecretValue", c -> json(secretString("prod/stripe",
        "{\"api_key\":\"" + CANARY_VALUE + "\",\"port\":5432,\"nested\":{\"a\":1}}")));

    assertThat(utf8(provider.fetch(SecretRef.parse("aws-sm://prod/stripe#api_key"), CONTEXT)))
        .isEqualTo(CANARY_VALUE);
    assertThat(utf8(provider.fetch(SecretRef.parse("aws-sm://prod/stripe#port"), CONTEXT)))
        .isEqualTo("5432");
    assertThat(utf8(provider.fetch(SecretRef.parse("aws-sm://prod/stripe#nested"), CONTEXT)))
        .isEqualTo("{\"a\":1}");
  }

  @Test
  void fetch_jsonKeyMissing_throwsNotFoundWithoutValue() {
    fake.on("GetSecretValue", c -> json(secretString("prod/stripe",
        "{\"api_key\":\"" + CANARY_VALUE + "\"}")));

    SecretNotFoundException e = catchThrowableOfType(SecretNotFoundException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://prod/stripe#password"), CONTEXT));

    assertThat(e).hasMessageContaining("password").hasMessageContaining("no key");
    Leaks.assertNoCanary(e);
  }

  @Test
  void fetch_jsonKeyOnNonJsonValue_throwsInvalidRefWithoutValue() {
    fake.on("GetSecretValue", c -> json(secretString("prod/stripe", "{" + CANARY_VALUE)));

    InvalidSecretRefException e = catchThrowableOfType(InvalidSecretRefException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://prod/stripe#api_key"), CONTEXT));

    assertThat(e).hasMessageContaining("not a JSON object").hasMessageContaining("api_key");
    assertThat(e.getCause()).isNull();
    Leaks.assertNoCanary(e);
  }

  @Test
  void fetch_jsonKeyOnJsonArray_throwsInvalidRef() {
    fake.on("GetSecretValue", c -> json(secretString("x", "[\"" + CANARY_VALUE + "\"]")));

    assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://x#k"), CONTEXT))
        .isInstanceOf(InvalidSecretRefException.class)
        .satisfies(Leaks::assertNoCanary);
  }

  @Test
  void fetch_secretBinary_returnsDecodedBytes() {
    byte[] bin = {0, 1, 2, (byte) 0xff, 42};
    fake.on("GetSecretValue", c -> {
      ObjectNode n = secretString("bin", "x");
      n.remove("SecretString");
      n.put("SecretBinary", Base64.getEncoder().encodeToString(bin));
      return json(n);
    });

    assertThat(provider.fetch(SecretRef.parse("aws-sm://bin"), CONTEXT).value()).isEqualTo(bin);
  }

  @Test
  void fetch_neitherStringNorBinary_throwsTypedError() {
    fake.on("GetSecretValue", c -> {
      ObjectNode n = secretString("empty", "x");
      n.remove("SecretString");
      return json(n);
    });

    assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://empty"), CONTEXT))
        .isExactlyInstanceOf(SecretException.class)
        .hasMessageContaining("neither SecretString nor SecretBinary");
  }

  @Test
  void fetch_versionIdAndStage_sentAndReportedAsMetadata() {
    fake.on("GetSecretValue", c -> {
      ObjectNode n = secretString("db", CANARY_VALUE);
      n.putArray("VersionStages").add("AWSPREVIOUS");
      n.put("VersionId", c.body().path("VersionId").asText("EXAMPLE1-90ab-cdef-fedc-ba987SECRET1"));
      return json(n);
    });

    FetchResult byStage = provider.fetch(SecretRef.parse("aws-sm://db?stage=AWSPREVIOUS"), CONTEXT);
    String v = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
    FetchResult byVersion = provider.fetch(SecretRef.parse("aws-sm://db?versionId=" + v), CONTEXT);

    assertThat(fake.calls.get(0).body().get("VersionStage").asText()).isEqualTo("AWSPREVIOUS");
    assertThat(fake.calls.get(1).body().get("VersionId").asText()).isEqualTo(v);
    assertThat(byStage.metadata()).containsEntry(AwsSecretsManagerProvider.META_STAGES, "AWSPREVIOUS");
    assertThat(byVersion.version()).contains(v);
  }

  @Test
  void fetch_regionFromRefAndArn_signsForThatRegionWithOneClientEach() {
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));

    provider.fetch(SecretRef.parse("aws-sm://db?region=eu-west-1"), CONTEXT);
    provider.fetch(SecretRef.parse("aws-sm://db?region=eu-west-1#x").withoutField(), CONTEXT);
    provider.fetch(SecretRef.parse(
        "aws-sm://arn:aws:secretsmanager:ap-south-1:123456789012:secret:db-a1b2c3"), CONTEXT);
    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);

    assertThat(fake.calls).extracting(FakeSecretsManager.Call::region)
        .containsExactly("eu-west-1", "eu-west-1", "ap-south-1", "us-east-1");
    assertThat(fake.calls.get(2).body().get("SecretId").asText())
        .isEqualTo("arn:aws:secretsmanager:ap-south-1:123456789012:secret:db-a1b2c3");
    assertThat(provider.toString()).contains("eu-west-1", "ap-south-1", "us-east-1")
        .doesNotContain(CANARY_ACCESS_KEY).doesNotContain(CANARY_SECRET_KEY);
  }

  @Test
  void fetch_noRequiredMetadata_neverCallsDescribeSecret() {
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));

    FetchResult r = provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);

    assertThat(fake.calls("DescribeSecret")).isEmpty();
    assertThat(r.metadata()).doesNotContainKey("description");
  }

  @Test
  void fetch_requiredMetadata_addsTagsAndDescriptionFromCachedDescribe() {
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));
    fake.on("DescribeSecret", c -> json("{\"Name\":\"db\",\"Description\":\"Stripe key\","
        + "\"Tags\":[{\"Key\":\"owner\",\"Value\":\"payments\"},"
        + "{\"Key\":\"aws.name\",\"Value\":\"tag cannot override\"}]}"));
    FetchContext needsOwner = FetchContext.of(RunEnvironment.values()[0], null, null, Set.of("owner"));

    FetchResult first = provider.fetch(SecretRef.parse("aws-sm://db"), needsOwner);
    FetchResult second = provider.fetch(SecretRef.parse("aws-sm://db#k").withoutField(), needsOwner);
    ticks.addAndGet(Duration.ofMinutes(6).toNanos());
    provider.fetch(SecretRef.parse("aws-sm://db"), needsOwner);

    assertThat(first.metadata()).containsEntry("owner", "payments")
        .containsEntry("description", "Stripe key")
        .containsEntry(AwsSecretsManagerProvider.META_NAME, "db");
    assertThat(second.metadata()).containsEntry("owner", "payments");
    assertThat(fake.calls("DescribeSecret")).hasSize(2); // cached, then expired after 5 min
    assertThat(fake.calls("DescribeSecret").get(0).body().get("SecretId").asText()).isEqualTo("db");
  }

  @Test
  void fetch_describeDenied_failsWithAccessDeniedNamingDescribe() {
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));
    fake.on("DescribeSecret", c -> error(400, "AccessDeniedException", "no " + CANARY_VALUE));
    FetchContext needsOwner = FetchContext.of(RunEnvironment.values()[0], null, null, Set.of("owner"));

    assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://db"), needsOwner))
        .isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("DescribeSecret")
        .satisfies(Leaks::assertNoCanary);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(400, "ResourceNotFoundException", SecretNotFoundException.class),
        Arguments.of(400, "com.amazonaws.secretsmanager#ResourceNotFoundException",
            SecretNotFoundException.class),
        Arguments.of(400, "AccessDeniedException", SecretAccessDeniedException.class),
        Arguments.of(400, "UnrecognizedClientException", SecretAccessDeniedException.class),
        Arguments.of(403, "InvalidClientTokenId", SecretAccessDeniedException.class),
        Arguments.of(400, "InvalidSignatureException", SecretAccessDeniedException.class),
        Arguments.of(400, "ExpiredTokenException", SecretAccessDeniedException.class),
        Arguments.of(400, "DecryptionFailure", SecretAccessDeniedException.class),
        Arguments.of(400, "InvalidParameterException", InvalidSecretRefException.class),
        Arguments.of(400, "InvalidRequestException", SecretException.class),
        Arguments.of(400, "ThrottlingException", ProviderUnavailableException.class),
        Arguments.of(400, "RequestExpired", ProviderUnavailableException.class),
        Arguments.of(429, "TooManyRequestsException", ProviderUnavailableException.class),
        Arguments.of(500, "InternalServiceError", ProviderUnavailableException.class),
        Arguments.of(400, "InternalServiceError", ProviderUnavailableException.class),
        Arguments.of(500, "InternalFailure", ProviderUnavailableException.class),
        Arguments.of(503, "ServiceUnavailable", ProviderUnavailableException.class),
        Arguments.of(502, "SomethingNew", ProviderUnavailableException.class),
        Arguments.of(400, "SomethingNew", SecretException.class));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("errors")
  void fetch_awsError_mapsToCoreTypeWithCodeAndRequestIdButNoMessage(
      int status, String code, Class<? extends SecretException> expected) {
    // the service message quotes request data; it must not reach our exception
    fake.on("GetSecretValue", c -> error(status, code, "leaked " + CANARY_VALUE + " "
        + CANARY_ACCESS_KEY));

    SecretException e = catchThrowableOfType(SecretException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://prod/db"), CONTEXT));

    assertThat(e).isExactlyInstanceOf(expected);
    String shortCode = code.substring(code.indexOf('#') + 1);
    assertThat(e.getMessage()).contains("aws-sm://prod/db").contains(shortCode)
        .contains("11111111-2222-3333-4444-555555555555");
    assertThat(e.ref()).contains(SecretRef.parse("aws-sm://prod/db"));
    Leaks.assertNoCanary(e);
    assertThat(fake.calls).as("the SDK itself must not retry").hasSize(1);
  }

  @Test
  void fetch_decryptionFailure_saysKmsAndIsNotRetryable() {
    fake.on("GetSecretValue", c -> error(400, "DecryptionFailure", "KMS said " + CANARY_VALUE));

    assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT))
        .isExactlyInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("KMS")
        .hasMessageContaining("DecryptionFailure");
  }

  @Test
  void fetch_throttledWithRetryAfter_carriesRetryAfter() {
    fake.on("GetSecretValue", c -> new MockResponse.Builder(error(400, "ThrottlingException", "slow"))
        .setHeader("Retry-After", "7").build());

    ProviderUnavailableException e = catchThrowableOfType(ProviderUnavailableException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(fake.calls).hasSize(1);
  }

  @Test
  void fetch_connectionDropped_throwsProviderUnavailable() {
    fake.on("GetSecretValue", c -> new MockResponse.Builder()
        .onResponseStart(new SocketEffect.CloseSocket()).build());

    ProviderUnavailableException e = catchThrowableOfType(ProviderUnavailableException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    assertThat(e).hasMessageContaining("could not reach");
    assertThat(fake.calls).as("the SDK itself must not retry").hasSize(1);
  }

  @Test
  void fetch_readTimeout_throwsProviderUnavailable() {
    provider.close();
    provider = AwsSecretsManagerProvider.create(options(server)
        .readTimeout(Duration.ofMillis(200)).build());
    fake.on("GetSecretValue", c -> new MockResponse.Builder(json(secretString("db", CANARY_VALUE)))
        .headersDelay(5, TimeUnit.SECONDS).build());

    assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT))
        .isInstanceOf(ProviderUnavailableException.class)
        .satisfies(Leaks::assertNoCanary);
  }

  @Test
  void fetch_malformedResponseQuotingValue_throwsWithoutEchoingIt() {
    fake.on("GetSecretValue", c -> json("{\"SecretString\": " + CANARY_VALUE + " }"));

    SecretException e = catchThrowableOfType(SecretException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    assertThat(e).isNotInstanceOf(ProviderUnavailableException.class);
    Leaks.assertNoCanary(e);
  }

  @Test
  void fetch_errorCodeCarryingValue_isNotEchoed() {
    fake.on("GetSecretValue", c -> error(400, "Bad " + CANARY_VALUE, "m"));

    SecretException e = catchThrowableOfType(SecretException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    Leaks.assertNoCanary(e);
  }

  @Test
  void fetch_redirectToOtherHost_isNotFollowed() throws Exception {
    try (MockWebServer other = new MockWebServer()) {
      other.start();
      fake.on("GetSecretValue", c -> new MockResponse.Builder().code(307)
          .setHeader("Location", other.url("/").toString()).build());

      assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT))
          .isInstanceOf(SecretException.class);
      assertThat(other.getRequestCount()).isZero();
    }
  }

  @Test
  void fetch_invalidRefs_rejectedBeforeAnyCall() {
    for (String bad : new String[] {"aws-sm://db?versionId=short", "aws-sm://db?stage=A&versionId="
        + "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "aws-sm://db?region=Evil.example",
        "aws-sm://db?foo=bar", "aws-sm://not:an:arn", "mem://db",
        "aws-sm://arn:aws:secretsmanager:eu-west-1:123456789012:secret:db?region=us-east-1"}) {
      assertThatThrownBy(() -> provider.fetch(SecretRef.parse(bad), CONTEXT))
          .as(bad).isInstanceOf(InvalidSecretRefException.class);
    }
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void close_closesSdkClientsAndTheirThreads() throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));
    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);
    provider.fetch(SecretRef.parse("aws-sm://db?region=eu-west-1"), CONTEXT);
    Set<Thread> started = new HashSet<>(Thread.getAllStackTraces().keySet());
    started.removeAll(before);
    started.removeIf(t -> !t.getName().startsWith("sdk-"));
    assertThat(started).as("the SDK clients' timeout schedulers").isNotEmpty();

    provider.close();
    provider.close(); // idempotent

    for (Thread t : started) {
      t.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(t.isAlive()).as("thread %s still alive after close", t.getName()).isFalse();
    }
    assertThatThrownBy(() -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void fetch_concurrentAcrossRegions_oneSdkClientPerRegion() throws Exception {
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));
    String[] regions = {"us-east-1", "eu-west-1", "ap-south-1"};
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    try {
      java.util.List<java.util.concurrent.Future<FetchResult>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String region = regions[i % regions.length];
        futures.add(pool.submit(() -> {
          start.await();
          return provider.fetch(SecretRef.parse("aws-sm://db?region=" + region), CONTEXT);
        }));
      }
      start.countDown();
      for (var f : futures) {
        assertThat(utf8(f.get(20, TimeUnit.SECONDS))).isEqualTo(CANARY_VALUE);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(fake.calls).hasSize(24);
    assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage()
        .startsWith("created AWS Secrets Manager client")).hasSize(3);
  }
}
