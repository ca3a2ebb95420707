package io.secretsdk.aws;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks request bodies against the botocore service model: required members, unknown members,
 * types, string and list lengths, numeric ranges, enums and patterns. Without the specs, a small
 * built-in description of the three operations the provider uses stands in.
 */
final class AwsModel {
  private final JsonNode service;

  private AwsModel(JsonNode service) {
    this.service = service;
  }

  static AwsModel load() {
    Optional<JsonNode> model = Specs.optional("botocore/service-2.json");
    return new AwsModel(model.orElseGet(AwsModel::builtIn));
  }

  boolean fromSpecs() {
    return service.path("metadata").has("uid");
  }

  String targetPrefix() {
    return service.path("metadata").path("targetPrefix").asText("secretsmanager");
  }

  boolean hasOperation(String op) {
    return service.path("operations").has(op);
  }

  /** Problems with {@code body} as input of {@code op}; empty when it conforms. */
  List<String> validate(String op, JsonNode body) {
    List<String> problems = new ArrayList<>();
    JsonNode input = service.path("operations").path(op).path("input");
    if (input.isMissingNode()) {
      if (!body.isObject() || body.size() != 0) {
        problems.add(op + ": operation has no input but body is not {}");
      }
      return problems;
    }
    check(input.path("shape").asText(), body, op, problems);
    return problems;
  }

  private void check(String shapeName, JsonNode v, String where, List<String> problems) {
    JsonNode shape = service.path("shapes").path(shapeName);
    String type = shape.path("type").asText();
    switch (type) {
      case "structure": {
        if (!v.isObject()) {
          problems.add(where + ": expected object");
          return;
        }
        for (JsonNode req : shape.path("required")) {
          if (!v.has(req.asText()) || v.get(req.asText()).isNull()) {
            problems.add(where + "." + req.asText() + ": required member missing");
          }
        }
        for (Map.Entry<String, JsonNode> f : v.properties()) {
          JsonNode member = shape.path("members").path(f.getKey());
          if (member.isMissingNode()) {
            problems.add(where + "." + f.getKey() + ": not a member of " + shapeName);
          } else {
            check(member.path("shape").asText(), f.getValue(), where + "." + f.getKey(), problems);
          }
        }
        return;
      }
      case "list": {
        if (!v.isArray()) {
          problems.add(where + ": expected array");
          return;
        }
        range(shape, v.size(), where + " (list size)", problems);
        for (int i = 0; i < v.size(); i++) {
          check(shape.path("member").path("shape").asText(), v.get(i), where + "[" + i + "]", problems);
        }
        return;
      }
      case "map": {
        if (!v.isObject()) {
          problems.add(where + ": expected object (map)");
          return;
        }
        v.properties().forEach(f -> check(shape.path("value").path("shape").asText(),
            f.getValue(), where + "{" + f.getKey() + "}", problems));
        return;
      }
      case "string": {
        if (!v.isTextual()) {
          problems.add(where + ": expected string");
          return;
        }
        String s = v.textValue();
        range(shape, s.codePointCount(0, s.length()), where + " (length)", problems);
        if (shape.has("enum")) {
          boolean ok = false;
          for (JsonNode e : shape.get("enum")) {
            ok |= e.asText().equals(s);
          }
          if (!ok) {
            problems.add(where + ": not one of the enum values");
          }
        }
        if (shape.has("pattern")) {
          try {
            if (!Pattern.compile(shape.get("pattern").asText()).matcher(s).find()) {
              problems.add(where + ": does not match pattern");
            }
          } catch (PatternSyntaxException notJava) {
            // a pattern Java cannot compile is not checked
          }
        }
        return;
      }
      case "integer":
      case "long":
        if (!v.isIntegralNumber()) {
          problems.add(where + ": expected integer");
        } else {
          range(shape, v.longValue(), where, problems);
        }
        return;
      case "boolean":
        if (!v.isBoolean()) {
          problems.add(where + ": expected boolean");
        }
        return;
      case "blob":
        try {
          Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
          problems.add(where + ": expected base64");
        }
        return;
      case "timestamp":
        if (!v.isNumber()) {
          problems.add(where + ": expected epoch seconds");
        }
        return;
      default:
        problems.add(where + ": unknown shape " + shapeName);
    }
  }

  private static void range(JsonNode shape, long n, String where, List<String> problems) {
    if (shape.has("min") && n < shape.get("min").asLong()) {
      problems.add(where + ": below min " + shape.get("min").asLong());
    }
    if (shape.has("max") && n > shape.get("max").asLong()) {
      problems.add(where + ": above max " + shape.get("max").asLong());
    }
  }

  /** The parts of the model the provider uses, for runs without the specs. */
  private static JsonNode builtIn() {
    String json = "{\"metadata\":{\"targetPrefix\":\"secretsmanager\"},\"operations\":{"
        + "\"GetSecretValue\":{\"input\":{\"shape\":\"GetSecretValueRequest\"}},"
        + "\"DescribeSecret\":{\"input\":{\"shape\":\"DescribeSecretRequest\"}},"
        + "\"BatchGetSecretValue\":{\"input\":{\"shape\":\"BatchGetSecretValueRequest\"}}},"
        + "\"shapes\":{"
        + "\"GetSecretValueRequest\":{\"type\":\"structure\",\"required\":[\"SecretId\"],\"members\":{"
        + "\"SecretId\":{\"shape\":\"SecretIdType\"},\"VersionId\":{\"shape\":\"SecretVersionIdType\"},"
        + "\"VersionStage\":{\"shape\":\"SecretVersionStageType\"}}},"
        + "\"DescribeSecretRequest\":{\"type\":\"structure\",\"required\":[\"SecretId\"],\"members\":{"
        + "\"SecretId\":{\"shape\":\"SecretIdType\"}}},"
        + "\"BatchGetSecretValueRequest\":{\"type\":\"structure\",\"members\":{"
        + "\"SecretIdList\":{\"shape\":\"SecretIdListType\"},\"NextToken\":{\"shape\":\"NextTokenType\"},"
        + "\"MaxResults\":{\"shape\":\"MaxResultsBatchType\"}}},"
        + "\"SecretIdListType\":{\"type\":\"list\",\"member\":{\"shape\":\"SecretIdType\"},\"min\":1,\"max\":20},"
        + "\"SecretIdType\":{\"type\":\"string\",\"min\":1,\"max\":2048},"
        + "\"SecretVersionIdType\":{\"type\":\"string\",\"min\":32,\"max\":64},"
        + "\"SecretVersionStageType\":{\"type\":\"string\",\"min\":1,\"max\":256},"
        + "\"NextTokenType\":{\"type\":\"string\",\"min\":1,\"max\":4096},"
        + "\"MaxResultsBatchType\":{\"type\":\"integer\",\"min\":1,\"max\":20}}}";
    try {
      return Specs.JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
