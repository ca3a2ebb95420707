package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Vault answer: status, parsed JSON body (missing when empty or not JSON) and
 * {@code Retry-After}. Holds secret material in its body: never log it, never keep it.
 */
public final class VaultResponse {
  private final int status;
  private final JsonNode json;
  private final Duration retryAfter;

  VaultResponse(int status, JsonNode json, Duration retryAfter) {
    this.status = status;
    this.json = json == null ? MissingNode.getInstance() : json;
    this.retryAfter = retryAfter;
  }

  public int status() {
    return status;
  }

  public boolean successful() {
    return status >= 200 && status < 300;
  }

  /** The body; a {@link MissingNode} when there was none. */
  public JsonNode json() {
    return json;
  }

  /** The {@code data} member, or a missing node. */
  public JsonNode data() {
    return json.path("data");
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The strings of the {@code errors} member (non-string entries skipped). */
  public List<String> errors() {
    List<String> out = new ArrayList<>();
    JsonNode errors = json.path("errors");
    if (errors.isArray()) {
      for (JsonNode e : errors) {
        if (e.isTextual()) {
          out.add(e.asText());
        }
        if (out.size() > 16) {
          break;
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "VaultResponse[status=" + status + "]";
  }
}
