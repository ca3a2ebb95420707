package io.secretsdk.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.AuditSink;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default audit sink: one JSON object per event on logger {@code io.secretsdk.audit}.
 *
 * <p>The line is written with jackson-core's streaming generator, not databind: a process that
 * resolves one secret and exits (a CI job) pays for no object mapper it does not use.
 */
public final class Slf4jAuditSink implements AuditSink {
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
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("event", e.type().name().toLowerCase(Locale.ROOT));
      g.writeStringField("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
      g.writeStringField("ref", e.ref().toString());
      writeIfPresent(g, "version", e.version().orElse(null));
      g.writeStringField("time", e.time().toString());
      writeIfPresent(g, "principal", e.principal().orElse(null));
      g.writeStringField("host", e.host());
      g.writeNumberField("pid", e.pid());
      writeIfPresent(g, "justification", e.justification().orElse(null));
      writeIfPresent(g, "correlation_id", e.correlationId().orElse(null));
      if (e.cacheHit().isPresent()) {
        g.writeBooleanField("cache_hit", e.cacheHit().get());
      }
      writeIfPresent(g, "error_type", e.errorType().orElse(null));
      writeIfPresent(g, "fingerprint", e.fingerprint().orElse(null));
      writeIfPresent(g, "grace_ends_at", e.graceEndsAt().map(Object::toString).orElse(null));
      g.writeEndObject();
    } catch (IOException ex) {
      // cannot happen: the generator writes strings, numbers and booleans to a StringWriter
      throw new UncheckedIOException("audit event not serializable", ex);
    }
    return out.toString();
  }

  private static void writeIfPresent(JsonGenerator g, String field, String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  /** Created on the first line written: a sink whose logger is off never loads Jackson. */
  private static final class Json {
    static final JsonFactory FACTORY = new JsonFactory();
  }
}
