package io.secretsdk.aws;

import static io.secretsdk.aws.FakeSecretsManager.error;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code write} (compare-and-set by staging), {@code describe} and {@code revoke} through the AWS
 * SDK against a fake Secrets Manager that validates every request against the service model and
 * answers with the documented output shapes and label rules ({@link StagedSecretFake}). Credentials
 * and values are canaries made at run time; every logger is at TRACE through the redacting encoder,
 * and results and exceptions are searched for them too.
 */
@Timeout(60)
final class OperatorCommandsTest {
  static final SecretRef REF = SecretRef.parse("aws-sm://MyTestDatabaseSecret");
  static final String V1 = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE";
  static final String V2 = "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE";
  static final String V3 = "EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE";

  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  RedactedFakes fakes;
  FakeSecretsManager fake;
  StagedSecretFake secret;
  Canaries canaries;
  String value;
  AwsSecretsManagerProvider provider;

  @BeforeEach
  void setUp() {
    fakes = new RedactedFakes(server, stsServer);
    fake = fakes.fake;
    canaries = fakes.canaries;
    secret = new StagedSecretFake(fake);
    value = canaries.alnum("val", 30);
    provider = AwsSecretsManagerProvider.create(fakes.options().credentialsProvider(fakes.canaryCredentials()).build());
  }

  @AfterEach
  void tearDown() {
    provider.close();
    fakes.close();
  }

  private <T> T clean(String what, T result) {
    canaries.assertAbsent(what, String.valueOf(result));
    return result;
  }

  private Throwable failure(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).as("an exception").isNotNull();
    canaries.assertAbsent("exception", Leaks.render(t));
    return t;
  }

  private List<String> operations() {
    return fake.calls.stream().map(FakeSecretsManager.Call::operation).toList();
  }

  private String written(String version) {
    return secret.written.get(version).path("SecretString").asText();
  }

  // --- describe ---

  @Test
  void describe_documentedAnswers_versionsNewestFirstWithStagesRotationAndTags() {
    ObjectNode described = SpecShapes.describeSecret();
    ObjectNode listed = SpecShapes.example("ListSecretVersionIds");
    fake.on("DescribeSecret", c -> json(described));
    fake.on("ListSecretVersionIds", c -> json(listed));

    SecretDescription d = clean("description", provider.describe(REF));

    assertThat(d.current()).contains(V2);
    assertThat(d.versions()).hasSize(3);
    SecretVersionInfo newest = d.versions().get(0);
    assertThat(newest.version()).isEqualTo(V2);
    assertThat(newest.stages()).containsExactly("AWSCURRENT");
    assertThat(newest.created()).contains(Instant.ofEpochMilli(1523486221391L));
    assertThat(d.versions().get(1).stages()).containsExactly("AWSPREVIOUS");
    // the documented third version has no stages (deprecated) and a ';' in its id (a doc typo):
    // not readable by stage, and its odd id shown as a fingerprint
    SecretVersionInfo oldest = d.versions().get(2);
    assertThat(oldest.state()).isEqualTo(SecretVersionInfo.State.DISABLED);
    assertThat(oldest.version()).startsWith("fp:");
    assertThat(d.metadata()).containsEntry("aws.name", "MyTestDatabaseSecret")
        .containsEntry("rotation.enabled", "true").containsEntry("rotation.automaticallyAfterDays", "14")
        .containsEntry("rotation.scheduleExpression", "cron(0 16 1,15 * ? *)")
        .containsEntry("description", "My test database secret")
        .containsEntry("tag.FirstTag", "SomeValue").containsEntry("tag.SecondTag", "AnotherValue");
    assertThat(fake.calls("ListSecretVersionIds").get(0).body().path("IncludeDeprecated").asBoolean()).isTrue();
  }

  @Test
  void describe_scheduledForDeletion_everyVersionDisabledWithoutListing() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");
    secret.deletedDate = 1_800_000_000.0;

    SecretDescription d = clean("description", provider.describe(REF));

    assertThat(d.versions()).extracting(SecretVersionInfo::state).containsOnly(SecretVersionInfo.State.DISABLED);
    assertThat(d.metadata()).containsKey("aws.deletedDate");
    assertThat(operations()).containsExactly("DescribeSecret");
  }

  @Test
  void describe_tagsAndDescriptionEchoingCredentialsAndValues_fingerprintedOrMasked() {
    RedactionIndex.global().register(SecretRef.parse("aws-sm://operator/seen"), value.getBytes(StandardCharsets.UTF_8));
    ObjectNode described = SpecShapes.describeSecret();
    described.put("Description", "owner note " + value);
    described.putArray("Tags").addObject().put("Key", "owner").put("Value", value);
    ((ObjectNode) described.get("RotationRules")).put("ScheduleExpression", value);
    fake.on("DescribeSecret", c -> json(described));
    fake.on("ListSecretVersionIds", c -> json(SpecShapes.example("ListSecretVersionIds")));

    SecretDescription d = clean("description", provider.describe(REF));

    assertThat(d.metadata().get("tag.owner")).startsWith("fp:");
    assertThat(d.metadata().get("description")).startsWith("owner note ");
  }

  @Test
  void describe_serviceErrors_typedWithoutCanaries() {
    fake.on("DescribeSecret", c -> error(400, "ResourceNotFoundException", value));
    assertThat(failure(() -> provider.describe(REF))).isInstanceOf(SecretNotFoundException.class);
    fake.on("DescribeSecret", c -> error(400, "AccessDeniedException", "User " + value + " is not authorized"));
    assertThat(failure(() -> provider.describe(REF))).isInstanceOf(SecretAccessDeniedException.class);
    fake.on("DescribeSecret", c -> error(503, "ServiceUnavailable", value));
    assertThat(failure(() -> provider.describe(REF))).isInstanceOf(ProviderUnavailableException.class);
    assertThat(failure(() -> provider.describe(SecretRef.parse("aws-sm://x?stage=AWSPREVIOUS"))))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("every version");
  }

  // --- write ---

  @Test
  void write_expectedCurrent_storesPendingThenMovesCurrentAtomically() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");

    String v = provider.write(REF, value.getBytes(StandardCharsets.UTF_8), V2);

    assertThat(operations()).containsExactly("DescribeSecret", "PutSecretValue", "UpdateSecretVersionStage",
        "UpdateSecretVersionStage");
    JsonNode put = fake.calls("PutSecretValue").get(0).body();
    assertThat(put.path("ClientRequestToken").asText()).isEqualTo(v);
    assertThat(put.path("VersionStages").toString()).isEqualTo("[\"AWSPENDING\"]");
    JsonNode move = fake.calls("UpdateSecretVersionStage").get(0).body();
    assertThat(move.path("VersionStage").asText()).isEqualTo("AWSCURRENT");
    assertThat(move.path("MoveToVersionId").asText()).isEqualTo(v);
    assertThat(move.path("RemoveFromVersionId").asText()).isEqualTo(V2);
    assertThat(secret.holder("AWSCURRENT")).isEqualTo(v);
    assertThat(secret.holder("AWSPREVIOUS")).isEqualTo(V2);
    assertThat(secret.holder("AWSPENDING")).isNull();
    Canaries.assertSame("value written", written(v), value);
  }

  @Test
  void write_staleExpectedVersion_conflictAndNothingWritten() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");

    assertThat(failure(() -> provider.write(REF, value.getBytes(StandardCharsets.UTF_8), V1)))
        .isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("AWSCURRENT is on " + V2)
        .hasMessageContaining("nothing was written");
    assertThat(operations()).containsExactly("DescribeSecret");
  }

  @Test
  void write_otherWriterBetweenPutAndSwitch_conflictAndTheirVersionStaysCurrent() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");
    AtomicBoolean raced = new AtomicBoolean();
    secret.beforeStageUpdate = body -> {
      if ("AWSCURRENT".equals(body.path("VersionStage").asText()) && raced.compareAndSet(false, true)) {
        synchronized (secret) { // another writer's put lands first
          secret.version(V3, "AWSCURRENT");
          secret.stages.get(V2).add("AWSPREVIOUS");
          secret.stages.get(V1).remove("AWSPREVIOUS");
        }
      }
    };

    Throwable t = failure(() -> provider.write(REF, value.getBytes(StandardCharsets.UTF_8), V2));

    assertThat(t).isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("moved off version " + V2)
        .hasMessageContaining("not made current");
    assertThat(secret.holder("AWSCURRENT")).isEqualTo(V3);
    String ours = fake.calls("PutSecretValue").get(0).body().path("ClientRequestToken").asText();
    assertThat(secret.stages.get(ours)).as("our version is left without labels").isEmpty();
  }

  @Test
  void write_concurrentWritersWithOneExpectedVersion_exactlyOneWins() throws Exception {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");
    int writers = 12;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < writers; i++) {
        byte[] mine = canaries.alnum("w" + i, 24).getBytes(StandardCharsets.UTF_8);
        results.add(pool.submit(() -> {
          start.await();
          try {
            return provider.write(REF, mine, V2);
          } catch (SecretVersionConflictException e) {
            canaries.assertAbsent("conflict", Leaks.render(e));
            return null;
          }
        }));
      }
      start.countDown();
      List<String> won = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<String> f : results) {
        String v = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        if (v != null) {
          won.add(v);
        }
      }
      assertThat(won).as("exactly one compare-and-set write wins").hasSize(1);
      assertThat(secret.holder("AWSCURRENT")).isEqualTo(won.get(0));
      assertThat(secret.holder("AWSPREVIOUS")).isEqualTo(V2);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void write_rotationInProgress_conflictBeforeWriting() {
    secret.version(V1, "AWSCURRENT").version(V2, "AWSPENDING");

    assertThat(failure(() -> provider.write(REF, value.getBytes(StandardCharsets.UTF_8), null)))
        .isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("rotation")
        .hasMessageContaining("AWSPENDING");
    assertThat(fake.calls("PutSecretValue")).isEmpty();
  }

  @Test
  void write_jsonKey_setsTheKeyInTheCurrentObject() throws Exception {
    secret.version(V1, "AWSCURRENT");
    ObjectNode current = SpecShapes.getSecretValue();
    current.put("VersionId", V1).putArray("VersionStages").add("AWSCURRENT");
    fake.on("GetSecretValue", c -> V1.equals(c.body().path("VersionId").asText()) ? json(current)
        : error(400, "ResourceNotFoundException", "no"));

    String v = provider.write(SecretRef.parse("aws-sm://MyTestDatabaseSecret#password"),
        value.getBytes(StandardCharsets.UTF_8), V1);

    JsonNode object = Specs.JSON.readTree(written(v));
    assertThat(object.path("username").asText()).isEqualTo("david");
    Canaries.assertSame("password written", object.path("password").asText(), value);
  }

  @Test
  void write_bytesThatAreNotUtf8_sentAsSecretBinary() {
    secret.version(V1, "AWSCURRENT");
    byte[] raw = {(byte) 0xff, 0x00, (byte) 0xfe, 0x41};

    String v = provider.write(REF, raw, null);

    assertThat(secret.written.get(v).has("SecretString")).isFalse();
    assertThat(Base64.getDecoder().decode(secret.written.get(v).path("SecretBinary").asText())).isEqualTo(raw);
  }

  @Test
  void write_badInputOrAgentMode_clearErrorsBeforeAnyCall() {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    assertThat(failure(() -> provider.write(SecretRef.parse("aws-sm://x?versionId=" + V1), bytes, null)))
        .isInstanceOf(InvalidSecretRefException.class);
    assertThat(failure(() -> provider.write(REF, bytes, "fp:0123456789ab"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VersionId");
    try (AwsSecretsManagerProvider agent = AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
        .agent(URI.create("http://localhost:2773")).build())) {
      assertThat(failure(() -> agent.write(REF, bytes, null))).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("agent");
      assertThat(failure(() -> agent.describe(REF))).isInstanceOf(UnsupportedOperationException.class);
      assertThat(failure(() -> agent.revoke(REF, RevokeRequest.disableCurrent()))).isInstanceOf(UnsupportedOperationException.class);
    }
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void write_putDeniedWithEcho_typedAndSaysNothingWritten() {
    secret.version(V1, "AWSCURRENT");
    fake.on("PutSecretValue", c -> error(400, "AccessDeniedException", "cannot write " + value));

    assertThat(failure(() -> provider.write(REF, value.getBytes(StandardCharsets.UTF_8), V1)))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("nothing was written");
  }

  // --- revoke ---

  @Test
  void revoke_disableCurrent_movesCurrentBackToPreviousAndStripsTheRevokedVersion() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");

    RevokeResult r = clean("result", provider.revoke(REF, RevokeRequest.disableCurrent()));

    assertThat(r.revokedVersion()).isEqualTo(V2);
    assertThat(r.steps()).containsExactly(
        "read stages of aws-sm://MyTestDatabaseSecret: AWSCURRENT is on version " + V2,
        "moved AWSCURRENT from version " + V2 + " to version " + V1 + " (the AWSPREVIOUS version)",
        "removed AWSPREVIOUS from version " + V2 + " (Secrets Manager moved it there with AWSCURRENT)");
    assertThat(secret.holder("AWSCURRENT")).isEqualTo(V1);
    assertThat(secret.stages.get(V2)).isEmpty();
  }

  @Test
  void revoke_disableNamedVersion_removesEveryLabelItHas() {
    secret.version(V1, "AWSPREVIOUS", "blue").version(V2, "AWSCURRENT");

    RevokeResult r = clean("result", provider.revoke(REF, new RevokeRequest(V1, RevokeRequest.Mode.DISABLE, null)));

    assertThat(r.steps()).containsExactly("read stages of aws-sm://MyTestDatabaseSecret",
        "removed AWSPREVIOUS from version " + V1, "removed blue from version " + V1);
    assertThat(secret.stages.get(V1)).isEmpty();
    assertThat(secret.holder("AWSCURRENT")).isEqualTo(V2);
  }

  @Test
  void revoke_currentWithoutPrevious_refusedWithNothingChanged() {
    secret.version(V1, "AWSCURRENT");

    assertThat(failure(() -> provider.revoke(REF, RevokeRequest.disableCurrent()))).isExactlyInstanceOf(SecretException.class)
        .hasMessageContaining("no other version holds AWSPREVIOUS").hasMessageContaining("nothing was changed");
    assertThat(fake.calls("UpdateSecretVersionStage")).isEmpty();
  }

  @Test
  void revoke_unknownOrDeprecatedVersion_notFoundOrNothingSent() {
    secret.version(V1).version(V2, "AWSCURRENT");

    assertThat(clean("result", provider.revoke(REF, new RevokeRequest(V1, RevokeRequest.Mode.DISABLE, null))).steps())
        .last().asString().contains("already has no staging label; nothing sent");
    assertThat(failure(() -> provider.revoke(REF, new RevokeRequest(V3, RevokeRequest.Mode.DISABLE, null))))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("nothing was changed");
    assertThat(fake.calls("UpdateSecretVersionStage")).isEmpty();
  }

  @Test
  void revoke_secondStepFails_messageSaysWhichStepsWereDone() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");
    fake.on("UpdateSecretVersionStage", c -> "AWSCURRENT".equals(c.body().path("VersionStage").asText())
        ? json("{\"ARN\":\"arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3\"}")
        : error(400, "AccessDeniedException", "denied " + value));

    assertThat(failure(() -> provider.revoke(REF, RevokeRequest.disableCurrent())))
        .isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("done before: moved AWSCURRENT from version " + V2 + " to version " + V1);
  }

  @Test
  void writeAndRevoke_serverErrorAfterSending_sayTheOutcomeIsUnknownNotNothingChanged() {
    secret.version(V1, "AWSPREVIOUS").version(V2, "AWSCURRENT");
    fake.on("PutSecretValue", c -> error(500, "InternalServiceError", value));
    fake.on("UpdateSecretVersionStage", c -> error(503, "ServiceUnavailable", value));
    fake.on("DeleteSecret", c -> error(500, "InternalServiceError", value));

    assertThat(failure(() -> provider.write(REF, value.getBytes(StandardCharsets.UTF_8), V2)))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("may or may not have been stored")
        .hasMessageContaining("not current").hasMessageNotContaining("nothing was written");
    assertThat(failure(() -> provider.revoke(REF, RevokeRequest.disableCurrent())))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("whether this step took effect is unknown");
    assertThat(failure(() -> provider.revoke(REF, new RevokeRequest(null, RevokeRequest.Mode.SCHEDULE_DELETION, null))))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("unknown")
        .hasMessageNotContaining("nothing was changed");
  }

  @Test
  void revoke_scheduleDeletion_recoveryWindowDefaultsTo30AndIsValidated() {
    secret.version(V1, "AWSCURRENT");

    for (Duration bad : List.of(Duration.ofDays(3), Duration.ofDays(31), Duration.ofHours(36))) {
      assertThat(failure(() -> provider.revoke(REF, new RevokeRequest(null, RevokeRequest.Mode.SCHEDULE_DELETION, bad))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 to 30");
    }
    assertThat(failure(() -> provider.revoke(REF, new RevokeRequest(V1, RevokeRequest.Mode.SCHEDULE_DELETION, null))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole secret");
    assertThat(fake.calls).isEmpty();

    RevokeResult r = clean("result", provider.revoke(REF, new RevokeRequest(null, RevokeRequest.Mode.SCHEDULE_DELETION, null)));

    assertThat(fake.calls("DeleteSecret").get(0).body().path("RecoveryWindowInDays").asLong()).isEqualTo(30);
    assertThat(r.revokedVersion()).isEqualTo(V1);
    assertThat(r.steps()).singleElement().asString().contains("30-day recovery window").contains("RestoreSecret");
    assertThat(clean("again", provider.revoke(REF, new RevokeRequest(null, RevokeRequest.Mode.SCHEDULE_DELETION,
        Duration.ofDays(7)))).steps()).singleElement().asString().contains("already scheduled");
    assertThat(fake.calls("DeleteSecret")).hasSize(1);
    assertThat(failure(() -> provider.revoke(REF, RevokeRequest.disableCurrent()))).hasMessageContaining("scheduled for deletion");
  }

  @Test
  void revoke_destroy_unsupportedSayingWhy() {
    assertThat(failure(() -> provider.revoke(REF, new RevokeRequest(null, RevokeRequest.Mode.DESTROY, null))))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("cannot destroy one version")
        .hasMessageContaining("SCHEDULE_DELETION");
    assertThat(fake.calls).isEmpty();
  }
}
