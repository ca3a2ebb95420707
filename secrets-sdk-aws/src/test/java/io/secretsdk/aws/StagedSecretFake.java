package io.secretsdk.aws;

import static io.secretsdk.aws.FakeSecretsManager.error;
import static io.secretsdk.aws.FakeSecretsManager.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;

/**
 * One secret with versions and staging labels behind {@link FakeSecretsManager}, answering
 * {@code DescribeSecret}, {@code ListSecretVersionIds}, {@code PutSecretValue},
 * {@code UpdateSecretVersionStage} and {@code DeleteSecret} with the documented output shapes
 * (botocore examples: ARN, tags, rotation rules) and Secrets Manager's label rules: a label is on
 * one version at a time; moving a label already attached elsewhere needs the right
 * {@code RemoveFromVersionId} (else {@code InvalidParameterException}); moving {@code AWSCURRENT}
 * moves {@code AWSPREVIOUS} to the version it left; a put without stages takes {@code AWSCURRENT}.
 * Values written are kept as the request carried them, for assertions.
 */
final class StagedSecretFake {
  final Map<String, Set<String>> stages = new LinkedHashMap<>();
  final Map<String, Double> created = new LinkedHashMap<>();
  final Map<String, JsonNode> written = new LinkedHashMap<>();
  Double deletedDate;
  /** Runs before each {@code UpdateSecretVersionStage} is applied (a concurrent writer, say). */
  Consumer<JsonNode> beforeStageUpdate = b -> { };
  private final ObjectNode describe = SpecShapes.describeSecret();
  private double clock = 1_700_000_000.5;

  StagedSecretFake(FakeSecretsManager fake) {
    fake.on("DescribeSecret", c -> describe());
    fake.on("ListSecretVersionIds", c -> list(c.body()));
    fake.on("PutSecretValue", c -> put(c.body()));
    fake.on("UpdateSecretVersionStage", c -> update(c.body()));
    fake.on("DeleteSecret", c -> delete(c.body()));
  }

  /** Adds a version with the given labels (moving them off other versions). */
  StagedSecretFake version(String id, String... labels) {
    created.put(id, clock += 60);
    stages.put(id, new LinkedHashSet<>());
    for (String l : labels) {
      stages.values().forEach(s -> s.remove(l));
      stages.get(id).add(l);
    }
    return this;
  }

  /** The version holding {@code label}, or null. */
  String holder(String label) {
    return stages.entrySet().stream().filter(e -> e.getValue().contains(label)).map(Map.Entry::getKey)
        .findFirst().orElse(null);
  }

  /** The documented DescribeSecret answer with this secret's stages and deletion date. */
  ObjectNode describeBody() {
    ObjectNode d = describe.deepCopy();
    ObjectNode map = d.putObject("VersionIdsToStages");
    stages.forEach((id, s) -> {
      if (!s.isEmpty()) {
        ArrayNode a = map.putArray(id);
        s.forEach(a::add);
      }
    });
    if (deletedDate != null) {
      d.put("DeletedDate", deletedDate);
    }
    return d;
  }

  private synchronized MockResponse describe() {
    return json(describeBody());
  }

  private synchronized MockResponse list(JsonNode body) {
    ObjectNode out = Specs.JSON.createObjectNode();
    out.put("ARN", describe.path("ARN").asText()).put("Name", describe.path("Name").asText());
    ArrayNode versions = out.putArray("Versions");
    stages.forEach((id, s) -> {
      if (!s.isEmpty() || body.path("IncludeDeprecated").asBoolean(false)) {
        ObjectNode v = versions.addObject().put("VersionId", id).put("CreatedDate", created.get(id));
        if (!s.isEmpty()) {
          ArrayNode a = v.putArray("VersionStages");
          s.forEach(a::add);
        }
      }
    });
    return json(out);
  }

  private synchronized MockResponse put(JsonNode body) {
    String id = body.path("ClientRequestToken").asText();
    if (stages.containsKey(id)) {
      return json(answer(id));
    }
    written.put(id, body);
    List<String> labels = new ArrayList<>();
    body.path("VersionStages").forEach(l -> labels.add(l.asText()));
    if (labels.isEmpty()) {
      labels.add("AWSCURRENT");
    }
    String oldCurrent = holder("AWSCURRENT");
    version(id, labels.toArray(new String[0]));
    if (labels.contains("AWSCURRENT") && oldCurrent != null) {
      stages.values().forEach(s -> s.remove("AWSPREVIOUS"));
      stages.get(oldCurrent).add("AWSPREVIOUS");
    }
    ObjectNode out = answer(id);
    ArrayNode a = out.putArray("VersionStages");
    stages.get(id).forEach(a::add);
    return json(out);
  }

  private ObjectNode answer(String id) {
    ObjectNode out = Specs.JSON.createObjectNode();
    out.put("ARN", describe.path("ARN").asText()).put("Name", describe.path("Name").asText()).put("VersionId", id);
    return out;
  }

  private MockResponse update(JsonNode body) {
    beforeStageUpdate.accept(body);
    synchronized (this) {
      String label = body.path("VersionStage").asText();
      String from = body.path("RemoveFromVersionId").asText(null);
      String to = body.path("MoveToVersionId").asText(null);
      String holder = holder(label);
      if (to != null && !stages.containsKey(to) || from != null && !stages.containsKey(from)) {
        return error(400, "ResourceNotFoundException", "version not found");
      }
      if (from != null && !from.equals(holder)) {
        return error(400, "InvalidParameterException", "The parameter RemoveFromVersionId doesn't match");
      }
      if (to != null && holder != null && !holder.equals(to) && from == null) {
        return error(400, "InvalidParameterException", "The staging label is attached to another version");
      }
      if (to == null && "AWSCURRENT".equals(label)) {
        return error(400, "InvalidParameterException", "AWSCURRENT must stay on a version");
      }
      if (holder != null) {
        stages.get(holder).remove(label);
      }
      if (to != null) {
        stages.get(to).add(label);
        if ("AWSCURRENT".equals(label) && holder != null && !holder.equals(to)) {
          stages.values().forEach(s -> s.remove("AWSPREVIOUS"));
          stages.get(holder).add("AWSPREVIOUS");
        }
      }
      ObjectNode out = Specs.JSON.createObjectNode();
      out.put("ARN", describe.path("ARN").asText()).put("Name", describe.path("Name").asText());
      return json(out);
    }
  }

  private synchronized MockResponse delete(JsonNode body) {
    deletedDate = clock;
    ObjectNode out = SpecShapes.example("DeleteSecret");
    out.put("DeletionDate", clock + body.path("RecoveryWindowInDays").asLong(30) * 86_400);
    return json(out);
  }
}
