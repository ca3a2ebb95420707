package io.secretsdk.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One answer of the Secrets API: status, the JSON body (a missing node when there was none or it
 * was not JSON on an error status) and {@code Retry-After}.
 *
 * <p>Immutable.
 */
public final class PlatformResponse {
  private final int status;
  private final JsonNode json;
  private final Duration retryAfter;

  PlatformResponse(int status, JsonNode json, Duration retryAfter) {
    this.status = status;
    this.json = json == null ? MissingNode.getInstance() : json;
    this.retryAfter = retryAfter;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** Whether the status is 2xx. */
  public boolean successful() {
    return status >= 200 && status < 300;
  }

  /** The body; a missing node when empty. */
  public JsonNode json() {
    return json;
  }

  /** {@code Retry-After}, when sent. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * The error texts of an error body: {@code error}, {@code message}, {@code detail} when strings
   * (or {@code error.message}), and the strings of an {@code errors} array. Raw: scrub before use.
   */
  public List<String> errors() {
    List<String> out = new ArrayList<>();
    for (String k : List.of("error", "message", "detail")) {
      JsonNode n = json.path(k);
      if (n.isTextual()) {
        out.add(n.asText());
      } else if (n.isObject() && n.path("message").isTextual()) {
        out.add(n.path("message").asText());
      }
    }
    JsonNode errors = json.path("errors");
    if (errors.isArray()) {
      for (JsonNode e : errors) {
        if (e.isTextual()) {
          out.add(e.asText());
        } else if (e.path("message").isTextual()) {
          out.add(e.path("message").asText());
        }
      }
    }
    return out;
  }
}
