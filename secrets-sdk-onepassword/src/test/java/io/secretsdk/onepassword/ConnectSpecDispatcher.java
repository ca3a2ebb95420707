package io.secretsdk.onepassword;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer dispatcher that checks every request against the Connect OpenAPI description
 * (method, path template under /v1 or at the root, declared query parameters, the SCIM filter's
 * shape and encoding, {@code Authorization: Bearer}, ids matching {@code ^[\da-z]{26}$}) before
 * handing it to the test's handler. Violations are collected for the test to assert on and
 * answered with 400.
 */
final class ConnectSpecDispatcher extends Dispatcher {
  static final Pattern CONNECT_ID = Pattern.compile("^[\\da-z]{26}$");
  /** connect-sdk-js fixtures use UUID-style ids (a known quirk the specs README keeps). */
  static final Pattern UUID_ID =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  private static final Set<String> ROOT_PATHS = Set.of("/heartbeat", "/health", "/metrics");
  private static final Pattern FILTER =
      Pattern.compile("^(name|title) eq \"((?:[^\"\\\\]|\\\\.)*)\"$");

  private final List<Operation> operations;
  private final String token;
  private final boolean allowUuidIds;
  private volatile Function<RecordedRequest, MockResponse> handler;
  final List<String> violations = new CopyOnWriteArrayList<>();
  final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

  static final class Operation {
    final String template;
    final Pattern pattern;
    final List<String> pathParams;
    final Set<String> queryParams;
    final boolean secured;

    Operation(String template, List<String> pathParams, Set<String> queryParams, boolean secured) {
      this.template = template;
      this.pathParams = pathParams;
      this.queryParams = queryParams;
      this.secured = secured;
      this.pattern = Pattern.compile("^" + template.replaceAll("\\{[^}]+}", "([^/]+)") + "$");
    }
  }

  /**
   * @param spec the Connect OpenAPI file, or null to use {@link #builtInOperations()} (a copy of
   *     its GET paths, checked against the file by a test whenever the file is present)
   */
  ConnectSpecDispatcher(Path spec, String token, boolean allowUuidIds) throws IOException {
    this.operations = spec == null ? builtInOperations() : load(spec);
    this.token = token;
    this.allowUuidIds = allowUuidIds;
  }

  /** The GET operations' path templates, as declared in the spec. */
  List<String> templates() {
    List<String> t = new ArrayList<>();
    for (Operation o : operations) {
      t.add(o.template);
    }
    return t;
  }

  static List<Operation> builtInOperations() {
    String v = "/vaults/{vaultUuid}";
    String i = v + "/items/{itemUuid}";
    return List.of(
        new Operation("/activity", List.of(), Set.of("limit", "offset"), true),
        new Operation("/vaults", List.of(), Set.of("filter"), true),
        new Operation(v, List.of("vaultUuid"), Set.of(), true),
        new Operation(v + "/items", List.of("vaultUuid"), Set.of("filter"), true),
        new Operation(i, List.of("vaultUuid", "itemUuid"), Set.of(), true),
        new Operation(i + "/files", List.of("vaultUuid", "itemUuid"), Set.of("inline_files"), true),
        new Operation(i + "/files/{fileUuid}", List.of("vaultUuid", "itemUuid", "fileUuid"),
            Set.of("inline_files"), true),
        new Operation(i + "/files/{fileUuid}/content", List.of("vaultUuid", "itemUuid", "fileUuid"),
            Set.of(), true),
        new Operation("/heartbeat", List.of(), Set.of(), false),
        new Operation("/health", List.of(), Set.of(), false),
        new Operation("/metrics", List.of(), Set.of(), false));
  }

  /** Each operation as "template query-params secured", for comparing the two sources. */
  static List<String> describe(List<Operation> ops) {
    List<String> out = new ArrayList<>();
    for (Operation o : ops) {
      out.add(o.template + " " + new java.util.TreeSet<>(o.queryParams) + " " + o.pathParams + " " + o.secured);
    }
    Collections.sort(out);
    return out;
  }

  List<Operation> operations() {
    return operations;
  }

  void handler(Function<RecordedRequest, MockResponse> handler) {
    this.handler = handler;
  }

  private static List<Operation> load(Path spec) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(spec.toFile());
    List<Operation> ops = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.path("paths").properties()) {
      JsonNode get = e.getValue().get("get");
      if (get == null) {
        continue;
      }
      List<String> pathParams = new ArrayList<>();
      Set<String> queryParams = new java.util.HashSet<>();
      List<JsonNode> params = new ArrayList<>();
      e.getValue().path("parameters").forEach(params::add);
      get.path("parameters").forEach(params::add);
      for (JsonNode p : params) {
        if (p.path("in").asText().equals("query")) {
          queryParams.add(p.path("name").asText());
        }
      }
      Matcher m = Pattern.compile("\\{([^}]+)}").matcher(e.getKey());
      while (m.find()) {
        pathParams.add(m.group(1));
      }
      boolean secured = get.has("security");
      ops.add(new Operation(e.getKey(), pathParams, Collections.unmodifiableSet(queryParams), secured));
    }
    return ops;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.add(request);
    List<String> problems = check(request);
    if (!problems.isEmpty()) {
      violations.addAll(problems);
      return new MockResponse.Builder().code(400)
          .body("{\"status\":400,\"message\":\"request does not conform to the Connect spec\"}").build();
    }
    return handler.apply(request);
  }

  private List<String> check(RecordedRequest r) {
    List<String> problems = new ArrayList<>();
    String where = r.getMethod() + " " + r.getUrl().encodedPath();
    if (!"GET".equals(r.getMethod())) {
      problems.add(where + ": only GET is expected from a read-only provider");
    }
    String path = r.getUrl().encodedPath();
    boolean root = ROOT_PATHS.contains(path);
    if (!root) {
      if (!path.startsWith("/v1/")) {
        problems.add(where + ": API paths live under /v1");
        return problems;
      }
      path = path.substring(3);
    }
    Operation op = null;
    Matcher m = null;
    for (Operation o : operations) {
      Matcher candidate = o.pattern.matcher(path);
      if (candidate.matches()) {
        op = o;
        m = candidate;
        break;
      }
    }
    if (op == null) {
      problems.add(where + ": no GET operation in the Connect spec matches");
      return problems;
    }
    for (int i = 0; i < op.pathParams.size(); i++) {
      String value = m.group(i + 1);
      if (op.pathParams.get(i).endsWith("Uuid") && !CONNECT_ID.matcher(value).matches()
          && !(allowUuidIds && UUID_ID.matcher(value).matches())) {
        problems.add(where + ": " + op.pathParams.get(i) + " does not match ^[\\da-z]{26}$");
      }
    }
    if (op.secured) {
      String auth = r.getHeaders().get("Authorization");
      if (auth == null || !auth.equals("Bearer " + token)) {
        problems.add(where + ": missing or wrong Authorization: Bearer header");
      }
    }
    for (String name : r.getUrl().queryParameterNames()) {
      if (!op.queryParams.contains(name)) {
        problems.add(where + ": query parameter '" + name + "' is not declared");
      }
    }
    String filter = r.getUrl().queryParameter("filter");
    if (filter != null) {
      String raw = r.getUrl().encodedQuery();
      if (raw.contains(" ") || raw.contains("\"")) {
        problems.add(where + ": the filter is not URL-encoded");
      }
      Matcher f = FILTER.matcher(filter);
      if (!f.matches()) {
        problems.add(where + ": filter is not a SCIM eq expression");
      } else {
        String attr = op.template.equals("/vaults") ? "name" : "title";
        if (!f.group(1).equals(attr)) {
          problems.add(where + ": filter must use '" + attr + " eq'");
        }
      }
    }
    return problems;
  }
}
