package io.secretsdk.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.AuditSink;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default audit sink: one JSON object per event on logger {@code io.secretsdk.audit}. */
public final class Slf4jAuditSink implements AuditSink {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Logger log;

  /** A sink on the default logger. */
  public Slf4jAuditSink() {
    this(LoggerFactory.getLogger(DEFAULT_LOGGER));
  }

  Slf4jAuditSink(Logger log) {
    this.log = log;
  }

  @Override
  public boolean isEnabled(AuditEvent.Type type, boolean cacheHit) {
    return cacheHit ? log.isDebugEnabled() : log.isInfoEnabled();
  }

  @Override
  public void record(AuditEvent e) {
    String line = toJson(e);
    if (Boolean.TRUE.equals(e.cacheHit().orElse(null)) && e.type() == AuditEvent.Type.RESOLVE) {
      log.debug(line);
    } else {
      log.info(line);
    }
  }

  /** The JSON form of an event; field names are stable and snake_case. */
  public static String toJson(AuditEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", e.type().name().toLowerCase(Locale.ROOT));
    m.put("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
    m.put("ref", e.ref().toString());
    e.version().ifPresent(v -> m.put("version", v));
    m.put("time", e.time().toString());
    e.principal().ifPresent(v -> m.put("principal", v));
    m.put("host", e.host());
    m.put("pid", e.pid());
    e.justification().ifPresent(v -> m.put("justification", v));
    e.correlationId().ifPresent(v -> m.put("correlation_id", v));
    e.cacheHit().ifPresent(v -> m.put("cache_hit", v));
    e.errorType().ifPresent(v -> m.put("error_type", v));
    e.fingerprint().ifPresent(v -> m.put("fingerprint", v));
    e.graceEndsAt().ifPresent(v -> m.put("grace_ends_at", v.toString()));
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException ex) {
      // cannot happen for a map of strings, numbers and booleans
      throw new IllegalStateException("audit event not serializable", ex);
    }
  }
}
