package io.secretsdk.vault;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The vendor's Vault API description and OpenBao docs examples, read in place from
 * {@code secretsdk.specs.dir} (or {@code ../shared/specs} from the repository root). Tests that need
 * them call {@link #assumeAvailable()} and are skipped with a visible reason when they are absent.
 */
final class VaultSpecs {
  static final ObjectMapper JSON = new ObjectMapper();
  private static volatile Index index;

  private VaultSpecs() {}

  static Path dir() {
    String prop = System.getProperty("secretsdk.specs.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "vault"))) {
      return Path.of(prop, "vault");
    }
    for (Path p : List.of(Path.of("..", "..", "shared", "specs"), Path.of("..", "shared", "specs"))) {
      if (Files.isDirectory(p.resolve("vault"))) {
        return p.resolve("vault");
      }
    }
    return null;
  }

  static boolean available() {
    Path d = dir();
    return d != null && Files.isRegularFile(d.resolve("openapi/vault-1.15.0-openapi.json"));
  }

  static void assumeAvailable() {
    assumeTrue(available(), "Vault specs not found (set -Dsecretsdk.specs.dir or place ../shared/specs): skipped");
  }

  /** One operation of the OpenAPI file. */
  static final class Operation {
    final String id;
    final String method;
    final String template;
    final Pattern regex;
    final JsonNode requestSchema;

    Operation(String id, String method, String template, Pattern regex, JsonNode requestSchema) {
      this.id = id;
      this.method = method;
      this.template = template;
      this.regex = regex;
      this.requestSchema = requestSchema;
    }
  }

  static final class Index {
    final Map<String, Operation> byId = new HashMap<>();
    final List<Operation> all = new ArrayList<>();
    final JsonNode schemas;

    Index(JsonNode openapi) {
      this.schemas = openapi.path("components").path("schemas");
      openapi.path("paths").properties().forEach(e -> {
        String template = e.getKey();
        if (template.contains("^")) {
          return;
        }
        Pattern regex = Pattern.compile(toRegex(template));
        e.getValue().properties().forEach(m -> {
          JsonNode op = m.getValue();
          if (!op.isObject() || !op.has("operationId")) {
            return;
          }
          JsonNode schema = op.path("requestBody").path("content").path("application/json").path("schema");
          Operation o = new Operation(op.get("operationId").asText(), m.getKey().toUpperCase(), template, regex,
              schema.isMissingNode() ? null : resolve(schema));
          byId.put(o.id, o);
          all.add(o);
        });
      });
    }

    JsonNode resolve(JsonNode schema) {
      if (schema.has("$ref")) {
        String ref = schema.get("$ref").asText();
        return schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
      }
      return schema;
    }

    private static String toRegex(String template) {
      String[] parts = template.split("/", -1);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i];
        if (i > 0) {
          sb.append('/');
        }
        if (p.startsWith("{") && p.endsWith("}")) {
          // a mount may have several segments (team/kv); so may the last {path}-style parameter
          sb.append(i == parts.length - 1 || p.endsWith("mount_path}") ? ".+" : "[^/]+");
        } else {
          sb.append(Pattern.quote(p));
        }
      }
      return sb.toString();
    }
  }

  static Index index() {
    Index i = index;
    if (i == null) {
      synchronized (VaultSpecs.class) {
        i = index;
        if (i == null) {
          try {
            i = new Index(JSON.readTree(dir().resolve("openapi/vault-1.15.0-openapi.json").toFile()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          index = i;
        }
      }
    }
    return i;
  }

  /** The parsed body of the first example of {@code kind} in the section titled {@code title}. */
  static JsonNode example(String file, String title, String kind) {
    try {
      JsonNode doc = JSON.readTree(dir().resolve("openbao-docs-examples").resolve(file).toFile());
      for (JsonNode s : doc.path("sections")) {
        if (s.path("title").asText().equals(title)) {
          for (JsonNode ex : s.path("examples")) {
            if (ex.path("kind").asText().equals(kind) && ex.has("json")) {
              return ex.get("json");
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no " + kind + " with JSON in " + file + " / " + title);
  }

  /** The status codes listed in the API overview. */
  static List<Integer> documentedStatuses() {
    try {
      JsonNode doc = JSON.readTree(dir().resolve("openbao-docs-examples/api-overview.json").toFile());
      List<Integer> out = new ArrayList<>();
      for (JsonNode s : doc.path("sections")) {
        for (JsonNode c : s.path("status_codes")) {
          out.add(c.path("status").asInt());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documented {@code {"errors":[...]}} body. */
  static JsonNode errorBody() {
    return example("api-overview.json", "Error response", "code_block");
  }
}
