package io.secretsdk.onepassword;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * An in-memory Connect server for MockWebServer: vaults, item summaries, full items and file
 * contents, answering the GET routes of the Connect API the way the real server does (SCIM
 * {@code eq} filter matched exactly, 404 bodies in the ErrorResponse shape). Tests may override
 * any path with a canned response.
 */
final class FakeConnect implements Function<RecordedRequest, MockResponse> {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FILTER = Pattern.compile("^(?:name|title) eq \"(.*)\"$");

  final ArrayNode vaults = JSON.createArrayNode();
  final Map<String, ArrayNode> itemsByVault = new ConcurrentHashMap<>();
  final Map<String, String> fullItems = new ConcurrentHashMap<>();
  final Map<String, byte[]> fileContents = new ConcurrentHashMap<>();
  final Map<String, String> fileLists = new ConcurrentHashMap<>();
  final Map<String, MockResponse> overrides = new ConcurrentHashMap<>();

  FakeConnect vault(String id, String name) {
    vaults.add(JSON.createObjectNode().put("id", id).put("name", name).put("type", "USER_CREATED"));
    itemsByVault.computeIfAbsent(id, k -> JSON.createArrayNode());
    return this;
  }

  /** Adds a full item; its summary (without sections, fields, files) goes into the vault's list. */
  FakeConnect item(String json) {
    try {
      ObjectNode full = (ObjectNode) JSON.readTree(json);
      String vaultId = full.path("vault").path("id").asText();
      ObjectNode summary = full.deepCopy();
      summary.remove(List.of("sections", "fields", "files"));
      itemsByVault.computeIfAbsent(vaultId, k -> JSON.createArrayNode()).add(summary);
      fullItems.put(full.path("id").asText(), json);
      return this;
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
        .body(body).build();
  }

  static MockResponse error(int code, String message) {
    ObjectNode n = JSON.createObjectNode().put("status", code).put("message", message);
    return json(code, n.toString());
  }

  @Override
  public MockResponse apply(RecordedRequest r) {
    String path = r.getUrl().encodedPath();
    MockResponse override = overrides.get(path);
    if (override != null) {
      return override;
    }
    List<String> s = r.getUrl().pathSegments();
    if (s.size() == 2 && s.get(1).equals("vaults")) {
      return json(200, filter(vaults, "name", r.getUrl().queryParameter("filter")).toString());
    }
    if (s.size() == 4 && s.get(3).equals("items")) {
      ArrayNode items = itemsByVault.get(s.get(2));
      if (items == null) {
        return error(404, "vault " + s.get(2) + " not found");
      }
      return json(200, filter(items, "title", r.getUrl().queryParameter("filter")).toString());
    }
    if (s.size() == 5 && s.get(3).equals("items")) {
      String item = fullItems.get(s.get(4));
      if (!itemsByVault.containsKey(s.get(2))) {
        return error(404, "vault " + s.get(2) + " not found");
      }
      return item == null ? error(404, "item " + s.get(4) + " not found") : json(200, item);
    }
    if (s.size() == 6 && s.get(5).equals("files")) {
      String files = fileLists.get(s.get(4));
      return files == null ? error(404, "item " + s.get(4) + " not found") : json(200, files);
    }
    if (s.size() == 8 && s.get(5).equals("files") && s.get(7).equals("content")) {
      byte[] content = fileContents.get(s.get(6));
      if (content == null) {
        return error(404, "file " + s.get(6) + " not found");
      }
      return new MockResponse.Builder().code(200)
          .addHeader("Content-Type", "application/octet-stream")
          .body(new Buffer().write(content)).build();
    }
    return error(404, "no route");
  }

  private static ArrayNode filter(ArrayNode all, String key, String filter) {
    if (filter == null) {
      return all;
    }
    Matcher m = FILTER.matcher(filter);
    ArrayNode out = JSON.createArrayNode();
    if (!m.matches()) {
      return out;
    }
    String wanted = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    for (JsonNode n : all) {
      if (n.path(key).asText().equals(wanted)) { // the real server's eq is exact
        out.add(n);
      }
    }
    return out;
  }
}
