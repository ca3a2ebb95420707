package io.secretsdk.aws;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;

/**
 * A MockWebServer dispatcher playing AWS Secrets Manager: every request is checked against the
 * service model (method, path, target, content type, SigV4 header, body) before a handler answers.
 * Problems are collected, not thrown, so a test can assert that there were none.
 */
final class FakeSecretsManager extends Dispatcher {
  static final String JSON_11 = "application/x-amz-json-1.1";
  private static final Pattern AUTH = Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)/(\\d{8})/([a-z0-9-]+)/secretsmanager/aws4_request,"
          + " ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}");

  /** One validated call. */
  record Call(String operation, JsonNode body, Headers headers, String accessKeyId, String region) {}

  private final AwsModel model = AwsModel.load();
  private final Map<String, Function<Call, MockResponse>> handlers = new ConcurrentHashMap<>();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final List<String> problems = new CopyOnWriteArrayList<>();

  FakeSecretsManager on(String operation, Function<Call, MockResponse> handler) {
    if (!model.hasOperation(operation)) {
      throw new IllegalArgumentException("not an operation of the model: " + operation);
    }
    handlers.put(operation, handler);
    return this;
  }

  List<Call> calls(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).toList();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String target = request.getHeaders().get("X-Amz-Target");
    String prefix = model.targetPrefix() + ".";
    if (!"POST".equals(request.getMethod())) {
      return problem("method " + request.getMethod() + " is not POST");
    }
    if (!"/".equals(request.getUrl().encodedPath())) {
      return problem("path " + request.getUrl().encodedPath() + " is not /");
    }
    if (target == null || !target.startsWith(prefix)
        || !model.hasOperation(target.substring(prefix.length()))) {
      return problem("X-Amz-Target " + target + " names no operation of the model");
    }
    String op = target.substring(prefix.length());
    String contentType = request.getHeaders().get("Content-Type");
    if (contentType == null || !contentType.startsWith(JSON_11)) {
      return problem(op + ": Content-Type " + contentType + " is not " + JSON_11);
    }
    String auth = request.getHeaders().get("Authorization");
    Matcher m = auth == null ? null : AUTH.matcher(auth);
    if (m == null || !m.matches()) {
      return problem(op + ": no SigV4 Authorization header for secretsmanager");
    }
    if (!m.group(4).contains("x-amz-target") || !m.group(4).contains("host")
        || request.getHeaders().get("X-Amz-Date") == null) {
      return problem(op + ": SigV4 does not sign host and x-amz-target, or X-Amz-Date missing");
    }
    JsonNode body;
    try {
      body = Specs.JSON.readTree(request.getBody() == null ? "" : request.getBody().utf8());
    } catch (IOException e) {
      return problem(op + ": body is not JSON");
    }
    if (body == null || body.isMissingNode()) {
      return problem(op + ": empty body (empty input must be sent as {})");
    }
    List<String> invalid = model.validate(op, body);
    if (!invalid.isEmpty()) {
      return problem(String.join("; ", invalid));
    }
    Call call = new Call(op, body, request.getHeaders(), m.group(1), m.group(3));
    calls.add(call);
    Function<Call, MockResponse> handler = handlers.get(op);
    if (handler == null) {
      return problem("no handler for " + op);
    }
    return handler.apply(call);
  }

  private MockResponse problem(String what) {
    problems.add(what);
    return error(400, "TestDispatcherRejected", "request did not conform");
  }

  static MockResponse json(String body) {
    return new MockResponse.Builder().code(200)
        .setHeader("Content-Type", JSON_11)
        .setHeader("x-amzn-RequestId", "req-" + Integer.toHexString(body.hashCode()))
        .body(body).build();
  }

  static MockResponse json(JsonNode body) {
    return json(body.toString());
  }

  static MockResponse error(int status, String code, String message) {
    return new MockResponse.Builder().code(status)
        .setHeader("Content-Type", JSON_11)
        .setHeader("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
        .body("{\"__type\":\"" + code + "\",\"Message\":\"" + message + "\"}").build();
  }
}
