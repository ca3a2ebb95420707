package io.secretsdk.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer dispatcher that serves only the routes a test declares, and checks every request
 * against the Vault OpenAPI description: the declared operation must exist with that method, its
 * path template must match, and a JSON body must fit the operation's request schema. Every request
 * must carry {@code X-Vault-Request: true}. Anything else is recorded as a violation (and answered
 * 404), which the test then asserts is empty.
 */
final class SpecDispatcher extends Dispatcher {
  /** A handler for one route. */
  interface Handler extends Function<RecordedRequest, MockResponse> {}

  private static final class Route {
    final String method;
    final String path;
    final String operationId;
    final Handler handler;

    Route(String method, String path, String operationId, Handler handler) {
      this.method = method;
      this.path = path;
      this.operationId = operationId;
      this.handler = handler;
    }
  }

  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final boolean checkSpec;

  SpecDispatcher() {
    this.checkSpec = VaultSpecs.available();
  }

  /** Serves {@code method path} (after {@code /v1/}, without query) as the given spec operation. */
  SpecDispatcher on(String method, String path, String operationId, Handler handler) {
    routes.add(0, new Route(method, path, operationId, handler));
    return this;
  }

  /** Serves {@code method path} with a fixed JSON body and status. */
  SpecDispatcher on(String method, String path, String operationId, int status, String json) {
    return on(method, path, operationId, r -> json(status, json));
  }

  /**
   * Serves {@code POST sys/wrapping/lookup} as the docs show it, with {@code creationPath} and
   * {@code creationTtl} (raw JSON, e.g. {@code 300}) for {@code wrappingToken} in the body, and 400
   * for any other token.
   */
  SpecDispatcher wrappingLookup(String wrappingToken, String creationPath, String creationTtl) {
    return on("POST", "sys/wrapping/lookup", "read-wrapping-properties", r -> {
      String sent;
      try {
        sent = VaultSpecs.JSON.readTree(r.getBody().toByteArray()).path("token").asText("");
      } catch (IOException e) {
        sent = "";
      }
      return wrappingToken.equals(sent)
          ? json(200, "{\"request_id\":\"481320f5-fdf8-885d-8050-65fa767fd19b\",\"lease_id\":\"\",\"lease_duration\":0,"
              + "\"renewable\":false,\"data\":{\"creation_path\":\"" + creationPath + "\","
              + "\"creation_time\":\"2016-09-28T14:16:13.07103516-04:00\",\"creation_ttl\":" + creationTtl + "},"
              + "\"wrap_info\":null,\"warnings\":null,\"auth\":null}")
          : json(400, "{\"errors\":[\"wrapping token is not valid or does not exist\"]}");
    });
  }

  static MockResponse json(int status, String body) {
    MockResponse.Builder b = new MockResponse.Builder().code(status);
    if (body != null) {
      b.addHeader("Content-Type", "application/json").body(body);
    }
    return b.build();
  }

  static MockResponse json(int status, JsonNode body) {
    return json(status, body == null ? null : body.toString());
  }

  List<String> violations() {
    return violations;
  }

  List<RecordedRequest> requests() {
    return requests;
  }

  /** How many requests hit {@code method path}. */
  int count(String method, String path) {
    AtomicInteger c = counts.get(method + " " + path);
    return c == null ? 0 : c.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.add(request);
    String method = request.getMethod();
    String full = request.getUrl().encodedPath();
    if (!"true".equals(request.getHeaders().get("X-Vault-Request"))) {
      violations.add(method + " " + full + ": missing X-Vault-Request: true");
    }
    if (!full.startsWith("/v1/")) {
      violations.add(method + " " + full + ": not under /v1/");
      return json(404, "{\"errors\":[]}");
    }
    String path = String.join("/", request.getUrl().pathSegments().subList(1, request.getUrl().pathSegments().size()));
    counts.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
    for (Route r : routes) {
      if (r.method.equals(method) && r.path.equals(path)) {
        if (checkSpec) {
          checkAgainstSpec(r, method, path, request);
        }
        return r.handler.apply(request);
      }
    }
    violations.add(method + " " + path + ": no route declared for this request");
    return json(404, "{\"errors\":[]}");
  }

  private void checkAgainstSpec(Route r, String method, String path, RecordedRequest request) {
    VaultSpecs.Operation op = VaultSpecs.index().byId.get(r.operationId);
    if (op == null) {
      violations.add(method + " " + path + ": operation " + r.operationId + " is not in the OpenAPI file");
      return;
    }
    // Vault serves PUT and POST alike (both are its update operation); the docs show PUT where the
    // generated description says POST (kv-v2-destroy-versions)
    if (!op.method.equals(method) && !(method.equals("PUT") && op.method.equals("POST"))) {
      violations.add(method + " " + path + ": " + r.operationId + " is " + op.method);
    }
    if (!op.regex.matcher("/" + path).matches()) {
      violations.add(method + " " + path + ": does not match " + op.template);
    }
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    if (body.length == 0) {
      return;
    }
    if (!"application/json".equals(contentType(request))) {
      violations.add(method + " " + path + ": body is not application/json");
    }
    JsonNode json;
    try {
      json = VaultSpecs.JSON.readTree(body);
    } catch (IOException e) {
      violations.add(method + " " + path + ": body is not JSON");
      return;
    }
    if (op.requestSchema == null) {
      violations.add(method + " " + path + ": " + r.operationId + " takes no body");
      return;
    }
    List<String> problems = new ArrayList<>();
    validate(op.requestSchema, json, "$", problems);
    problems.forEach(p -> violations.add(method + " " + path + ": " + p));
  }

  private static String contentType(RecordedRequest r) {
    String ct = r.getHeaders().get("Content-Type");
    return ct == null ? null : ct.split(";")[0].trim();
  }

  private void validate(JsonNode schema, JsonNode value, String where, List<String> problems) {
    schema = VaultSpecs.index().resolve(schema);
    String type = schema.path("type").asText("");
    switch (type) {
      case "object":
        if (!value.isObject()) {
          problems.add(where + " must be an object");
          return;
        }
        JsonNode props = schema.path("properties");
        boolean additional = schema.path("additionalProperties").asBoolean(false) || "map".equals(schema.path("format").asText());
        for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (props.has(e.getKey())) {
            validate(props.get(e.getKey()), e.getValue(), where + "." + e.getKey(), problems);
          } else if (!additional) {
            problems.add(where + "." + e.getKey() + " is not a property of the request schema");
          }
        }
        for (JsonNode req : schema.path("required")) {
          if (!value.has(req.asText())) {
            problems.add(where + "." + req.asText() + " is required");
          }
        }
        return;
      case "string":
        if (!value.isTextual()) {
          problems.add(where + " must be a string");
        }
        return;
      case "integer":
        if (!value.isIntegralNumber()) {
          problems.add(where + " must be an integer");
        }
        return;
      case "boolean":
        if (!value.isBoolean()) {
          problems.add(where + " must be a boolean");
        }
        return;
      case "array":
        if (!value.isArray()) {
          problems.add(where + " must be an array");
        }
        return;
      default:
        // untyped: anything goes
    }
  }
}
