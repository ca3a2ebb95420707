package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against MockWebServer-backed Vault (KV v2: check-and-set put, rotate, revoke of
 * a version, versions, run) and AWS Secrets Manager (staged write with a stale expected version,
 * rotate, versions with stages, run, check), through the providers' factories configured from the
 * environment, as an operator runs it; the Vault token and AWS secret key are canaries too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class VaultAwsThroughCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @StartStop private final MockWebServer vault = new MockWebServer();
  @StartStop private final MockWebServer aws = new MockWebServer();
  @TempDir Path dir;

  private final String token = CliRun.canary();
  private final String canary = CliRun.canary();
  private final FakeKv kv = new FakeKv();

  /** One KV v2 secret, secret/app, with a version counter that honours cas. */
  private final class FakeKv extends Dispatcher {
    volatile int version = 1;
    volatile String apiKey = canary;
    final List<String> posts = new CopyOnWriteArrayList<>();
    final java.util.Set<Integer> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile boolean tokenSeen = true;

    @Override
    public MockResponse dispatch(RecordedRequest r) {
      tokenSeen &= token.equals(r.getHeaders().get("X-Vault-Token"));
      String path = r.getUrl().encodedPath();
      try {
        if (path.equals("/v1/auth/token/lookup-self")) {
          return ok("{\"data\":{\"ttl\":3600,\"renewable\":true,\"policies\":[\"default\"]}}");
        }
        if (path.startsWith("/v1/sys/internal/ui/mounts/")) {
          return ok("{\"data\":{\"path\":\"secret/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
        }
        if (path.equals("/v1/secret/metadata/app") && r.getMethod().equals("GET")) {
          ObjectNode versions = JSON.createObjectNode();
          for (int v = 1; v <= version; v++) {
            versions.putObject(String.valueOf(v)).put("created_time", "2026-01-0" + Math.min(v, 9)
                + "T00:00:00Z").put("deletion_time", deleted.contains(v) ? "2026-01-09T00:00:00Z" : "")
                .put("destroyed", false);
          }
          ObjectNode data = JSON.createObjectNode().put("current_version", version)
              .put("oldest_version", 1).put("max_versions", 0).put("cas_required", false);
          data.set("versions", versions);
          data.putObject("custom_metadata");
          return ok(JSON.createObjectNode().set("data", data).toString());
        }
        if (path.equals("/v1/secret/data/app") && r.getMethod().equals("GET")) {
          ObjectNode body = JSON.createObjectNode();
          ObjectNode data = body.putObject("data");
          data.putObject("data").put("api_key", apiKey);
          data.putObject("metadata").put("version", version).put("created_time",
              "2026-01-01T00:00:00Z").put("deletion_time", "").put("destroyed", false);
          return ok(body.toString());
        }
        if (path.equals("/v1/secret/delete/app") && r.getMethod().equals("POST")) {
          JSON.readTree(r.getBody().utf8()).path("versions").forEach(v -> deleted.add(v.asInt()));
          return new MockResponse.Builder().code(204).build();
        }
        if (path.equals("/v1/secret/data/app") && r.getMethod().equals("POST")) {
          JsonNode body = JSON.readTree(r.getBody().utf8());
          posts.add(body.path("options").path("cas").asText("none"));
          if (body.path("options").has("cas") && body.path("options").path("cas").asInt() != version) {
            return new MockResponse.Builder().code(400).body(
                "{\"errors\":[\"check-and-set parameter did not match the current version\"]}").build();
          }
          apiKey = body.path("data").path("api_key").asText();
          version++;
          return ok("{\"data\":{\"created_time\":\"2026-01-02T00:00:00Z\",\"deletion_time\":\"\","
              + "\"destroyed\":false,\"version\":" + version + "}}");
        }
      } catch (java.io.IOException e) {
        return new MockResponse.Builder().code(500).build();
      }
      return new MockResponse.Builder().code(404).body("{\"errors\":[]}").build();
    }

    private MockResponse ok(String body) {
      return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
          .body(body).build();
    }
  }

  @AfterEach
  void clearAws() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private Map<String, String> vaultEnv() {
    vault.setDispatcher(kv);
    Map<String, String> env = new HashMap<>();
    env.put("HOME", dir.toString());
    env.put("PATH", System.getenv("PATH"));
    env.put("VAULT_ADDR", vault.url("/").toString());
    env.put("VAULT_TOKEN", token);
    return env;
  }

  @Test
  void vault_putWithExpectVersion_sendsCas_conflictExitsFive() {
    String next = CliRun.canary();
    CliRun.Result conflict = CliRun.run(vaultEnv(), next, Backends.NONE, "put",
        "vault://secret/app#api_key", "--expect-version", "7");
    assertThat(conflict.exit()).as(conflict.all()).isEqualTo(SecretsCli.CONFLICT);
    assertThat(conflict.err()).hasLineCount(1);
    assertThat(kv.apiKey).isEqualTo(canary);

    CliRun.Result ok = CliRun.run(vaultEnv(), next, Backends.NONE, "put",
        "vault://secret/app#api_key", "--expect-version", "1");
    assertThat(ok.exit()).as(ok.all()).isZero();
    assertThat(ok.out()).contains("stored vault://secret/app#api_key version 2");
    assertThat(kv.posts).containsExactly("1");
    assertThat(kv.apiKey).isEqualTo(next);
    assertThat(kv.tokenSeen).isTrue();
    assertThat(conflict.all() + ok.all()).doesNotContain(next).doesNotContain(canary)
        .doesNotContain(token);
  }

  @Test
  void vault_rotate_generate_casWrite_verifiedThroughFreshClient() {
    CliRun.Result r = CliRun.run(vaultEnv(), "", Backends.NONE, "rotate",
        "vault://secret/app#api_key", "--generate", "32");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("version 1 -> 2, verified through a fresh client");
    assertThat(kv.posts).containsExactly("1");
    assertThat(kv.apiKey).hasSize(43).isNotEqualTo(canary);
    assertThat(r.all()).doesNotContain(kv.apiKey).doesNotContain(canary).doesNotContain(token);
  }

  @Test
  void vault_revokeVersion_deletesAtSource_writesEvent_versionsShowIt() throws Exception {
    kv.version = 2;
    Path out = dir.resolve("event.json");
    CliRun.Result r = CliRun.run(vaultEnv(), "", Backends.NONE, "revoke",
        "vault://secret/app#api_key", "--version", "2", "--justification", "INC-7", "--out",
        out.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(kv.deleted).containsExactly(2);
    JsonNode event = JSON.readTree(out.toFile());
    assertThat(event.get("ref").asText()).isEqualTo("vault://secret/app#api_key");
    assertThat(event.get("version").asText()).isEqualTo("2");
    assertThat(event.get("steps").size()).isGreaterThanOrEqualTo(2);
    CliRun.Result versions = CliRun.run(vaultEnv(), "", Backends.NONE, "--format", "json",
        "versions", "vault://secret/app");
    assertThat(versions.exit()).as(versions.all()).isZero();
    JsonNode v = JSON.readTree(versions.out()).get("versions");
    assertThat(v.get(0).get("version").asText()).isEqualTo("2");
    assertThat(v.get(0).get("state").asText()).isEqualTo("disabled");
    assertThat(r.all() + versions.all() + java.nio.file.Files.readString(out))
        .doesNotContain(canary).doesNotContain(token);
  }

  @Test
  void vault_run_masksTheField() {
    CliRun.Result r = CliRun.run(vaultEnv(), "", Backends.NONE, "run",
        "KEY=vault://secret/app#api_key", "--", "sh", "-c", "echo \"key=$KEY\"; echo \"$VAULT_TOKEN\"");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("key=[REDACTED:vault://secret/app#api_key]\n[REDACTED");
    assertThat(r.all()).doesNotContain(canary).doesNotContain(token);
  }

  @Test
  void aws_run_and_check_throughTheFactory() throws Exception {
    Map<String, String> env = awsEnv(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        String target = String.valueOf(r.getHeaders().get("X-Amz-Target"));
        if (!target.endsWith("GetSecretValue")) {
          return new MockResponse.Builder().code(400).body("{\"__type\":\"InvalidRequestException\"}").build();
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("ARN", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/stripe-a1b2c3");
        n.put("Name", "prod/stripe");
        n.put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE");
        n.putArray("VersionStages").add("AWSCURRENT");
        n.put("SecretString", "{\"api_key\":\"" + canary + "\"}");
        n.put("CreatedDate", 1.7e9);
        return new MockResponse.Builder().code(200)
            .addHeader("Content-Type", "application/x-amz-json-1.1").body(n.toString()).build();
      }
    });
    CliRun.Result run = CliRun.run(env, "", Backends.NONE, "run",
        "STRIPE=aws-sm://prod/stripe#api_key", "--", "sh", "-c", "echo \"$STRIPE\" | base64");
    assertThat(run.exit()).as(run.all()).isZero();
    assertThat(run.out()).contains("[REDACTED:aws-sm://prod/stripe#api_key]");

    Path registry = java.nio.file.Files.writeString(dir.resolve("r.yaml"),
        "stripe:\n  prod:\n    secret_ref: \"aws-sm://prod/stripe#api_key\"\n");
    CliRun.Result check = CliRun.run(env, "", Backends.NONE, "check", "--env", "prod",
        "--registry", registry.toString());
    assertThat(check.exit()).as(check.all()).isZero();
    assertThat(check.out()).contains("ok   stripe -> aws-sm://prod/stripe#api_key (version "
        + "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE)");
    assertThat(run.all() + check.all()).doesNotContain(canary).doesNotContain(token);
  }

  /** One AWS secret, prod/stripe, whose versions move stages as Secrets Manager does. */
  private static final class FakeAws extends Dispatcher {
    final Map<String, String> values = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, java.util.Set<String>> stages = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> targets = new CopyOnWriteArrayList<>();

    FakeAws(String firstValue) {
      values.put("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE", firstValue);
      stages.put("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE",
          java.util.concurrent.ConcurrentHashMap.newKeySet());
      stages.get("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE").add("AWSCURRENT");
    }

    String holder(String stage) {
      return stages.entrySet().stream().filter(e -> e.getValue().contains(stage))
          .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest r) {
      String target = String.valueOf(r.getHeaders().get("X-Amz-Target"));
      String op = target.substring(target.indexOf('.') + 1);
      targets.add(op);
      try {
        JsonNode in = JSON.readTree(r.getBody().utf8());
        ObjectNode out = JSON.createObjectNode()
            .put("ARN", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/stripe-a1b2c3")
            .put("Name", "prod/stripe");
        switch (op) {
          case "GetSecretValue" -> {
            String id = in.hasNonNull("VersionId") ? in.get("VersionId").asText()
                : holder(in.path("VersionStage").asText("AWSCURRENT"));
            if (id == null || !values.containsKey(id)) {
              return error("ResourceNotFoundException");
            }
            out.put("VersionId", id).put("SecretString", values.get(id)).put("CreatedDate", 1.7e9);
            stages.get(id).forEach(out.withArray("VersionStages")::add);
          }
          case "DescribeSecret" -> {
            ObjectNode map = out.putObject("VersionIdsToStages");
            stages.forEach((id, st) -> st.forEach(map.withArray(id)::add));
          }
          case "ListSecretVersionIds" -> stages.forEach((id, st) -> {
            ObjectNode v = out.withArray("Versions").addObject().put("VersionId", id)
                .put("CreatedDate", 1.7e9);
            st.forEach(v.withArray("VersionStages")::add);
          });
          case "PutSecretValue" -> {
            String id = in.get("ClientRequestToken").asText();
            values.put(id, in.path("SecretString").asText());
            stages.put(id, java.util.concurrent.ConcurrentHashMap.newKeySet());
            in.path("VersionStages").forEach(st -> move(st.asText(), id));
            out.put("VersionId", id).putArray("VersionStages").add("AWSPENDING");
          }
          case "UpdateSecretVersionStage" -> {
            String stage = in.get("VersionStage").asText();
            String from = in.path("RemoveFromVersionId").asText(null);
            String to = in.path("MoveToVersionId").asText(null);
            if (from != null && !stages.getOrDefault(from, java.util.Set.of()).contains(stage)) {
              return error("InvalidParameterException");
            }
            if (from != null) {
              stages.get(from).remove(stage);
              if (stage.equals("AWSCURRENT")) {
                move("AWSPREVIOUS", from);
              }
            }
            if (to != null) {
              move(stage, to);
            }
          }
          default -> {
            return error("InvalidRequestException");
          }
        }
        return new MockResponse.Builder().code(200)
            .addHeader("Content-Type", "application/x-amz-json-1.1").body(out.toString()).build();
      } catch (java.io.IOException e) {
        return error("InternalServiceError");
      }
    }

    private void move(String stage, String to) {
      stages.values().forEach(st -> st.remove(stage));
      stages.get(to).add(stage);
    }

    private static MockResponse error(String type) {
      return new MockResponse.Builder().code(400).addHeader("Content-Type",
          "application/x-amz-json-1.1").body("{\"__type\":\"" + type + "\",\"message\":\"no\"}").build();
    }
  }

  private Map<String, String> awsEnv(Dispatcher fake) {
    System.setProperty("aws.accessKeyId", "AKIA" + "TESTONLY" + "00000000");
    System.setProperty("aws.secretAccessKey", token);
    aws.setDispatcher(fake);
    Map<String, String> env = new HashMap<>();
    env.put("HOME", dir.toString());
    env.put("PATH", System.getenv("PATH"));
    env.put("AWS_REGION", "eu-central-1");
    env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.url("/").toString());
    return env;
  }

  @Test
  void aws_putStaleVersion_conflict_rotateStaged_versionsShowStages() throws Exception {
    FakeAws fake = new FakeAws(canary);
    Map<String, String> env = awsEnv(fake);
    CliRun.Result stale = CliRun.run(env, CliRun.canary(), Backends.NONE, "put",
        "aws-sm://prod/stripe", "--expect-version", "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE");
    assertThat(stale.exit()).as(stale.all()).isEqualTo(SecretsCli.CONFLICT);
    assertThat(stale.err()).hasLineCount(1).contains("nothing was written");
    assertThat(fake.targets).doesNotContain("PutSecretValue");

    CliRun.Result rotate = CliRun.run(env, "", Backends.NONE, "rotate", "aws-sm://prod/stripe",
        "--generate", "32");
    assertThat(rotate.exit()).as(rotate.all()).isZero();
    String current = fake.holder("AWSCURRENT");
    assertThat(current).isNotEqualTo("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE");
    assertThat(fake.holder("AWSPREVIOUS")).isEqualTo("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE");
    assertThat(rotate.out()).contains("version EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE -> " + current
        + ", verified through a fresh client");
    String generated = fake.values.get(current);

    CliRun.Result versions = CliRun.run(env, "", Backends.NONE, "versions", "aws-sm://prod/stripe");
    assertThat(versions.out()).contains("AWSCURRENT").contains("AWSPREVIOUS");
    assertThat(rotate.all() + stale.all() + versions.all()).doesNotContain(canary)
        .doesNotContain(generated).doesNotContain(token);
  }
}
