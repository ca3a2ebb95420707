package io.secretsdk.internal;

import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.AuditSink;
import io.secretsdk.metrics.SecretsMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Builds and records the engine's audit events (who, where, which version, which fingerprint,
 * never a value) and the matching resolve metrics. A sink that throws is logged by type and
 * otherwise ignored: auditing never fails a resolve.
 */
final class Auditor {
  private static final Logger log = LoggerFactory.getLogger(Auditor.class);
  private static final String[] CORRELATION_KEYS = {"correlationId", "correlation_id", "traceId"};

  private final AuditSink sink;
  private final SecretsMetrics metrics;
  private final Clock clock;
  private final String principal;
  private final String justification;
  private final byte[] fingerprintKey;
  private final String host;
  private final long pid;

  Auditor(ClientSettings s) {
    this.sink = s.auditSink != null ? s.auditSink : new Slf4jAuditSink();
    this.metrics = s.metrics;
    this.clock = s.clock;
    this.principal = s.principal;
    this.justification = s.justification;
    this.fingerprintKey = s.fingerprintKey;
    this.host = hostName();
    this.pid = ProcessHandle.current().pid();
  }

  /** Whether the sink wants events of this type (checked on the hit path before building one). */
  boolean isEnabled(AuditEvent.Type type, boolean cacheHit) {
    return sink.isEnabled(type, cacheHit);
  }

  /** Records a resolve's outcome as a metric and an audit event. */
  void resolve(SecretRef ref, AuditEvent.Outcome outcome, CachedValue value, boolean hit,
      SecretException failure) {
    metrics.resolved(ref.scheme(), hit, outcome.name().toLowerCase(Locale.ROOT));
    record(AuditEvent.Type.RESOLVE, ref, outcome, value, hit, failure);
  }

  /** Records one event; {@code value} gives the version and fingerprint, {@code failure} its type. */
  void record(AuditEvent.Type type, SecretRef ref, AuditEvent.Outcome outcome, CachedValue value,
      Boolean hit, SecretException failure) {
    record(type, ref, outcome, value == null ? null : value.version,
        value == null ? null : value.fingerprint, hit, failure, null);
  }

  /** Records that a previous version's grace window ends at {@code graceEndsAt}. */
  void graceEnding(SecretRef ref, String version, Instant graceEndsAt) {
    record(AuditEvent.Type.GRACE_ENDING, ref, AuditEvent.Outcome.SUCCESS, version, null, null,
        null, graceEndsAt);
  }

  private void record(AuditEvent.Type type, SecretRef ref, AuditEvent.Outcome outcome,
      String version, String fingerprint, Boolean hit, SecretException failure,
      Instant graceEndsAt) {
    try {
      if (!sink.isEnabled(type, Boolean.TRUE.equals(hit))) {
        return;
      }
      AuditEvent.Builder b = AuditEvent.builder(type, ref)
          .outcome(outcome)
          .time(clock.instant())
          .principal(principal)
          .where(host, pid)
          .justification(justification)
          .correlationId(correlationId())
          .cacheHit(hit)
          .version(version)
          .fingerprint(fingerprint)
          .graceEndsAt(graceEndsAt);
      if (failure != null) {
        b.errorType(failure.getClass().getSimpleName());
      }
      sink.record(b.build());
    } catch (RuntimeException e) {
      log.warn("the audit sink threw {}", e.getClass().getName());
    }
  }

  /** The keyed fingerprint of a value for audit events, or null without a fingerprint key. */
  String fingerprint(byte[] value) {
    if (fingerprintKey == null) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(fingerprintKey, "HmacSHA256"));
      return "hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(value));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The caller's correlation id from the MDC, scrubbed, when it has one. */
  static String correlationId() {
    for (String key : CORRELATION_KEYS) {
      String v = MDC.get(key);
      if (v != null && !v.isEmpty()) {
        return ProviderText.shown(v);
      }
    }
    return null;
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      Path p = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(p)) {
        return Files.readString(p, StandardCharsets.US_ASCII).trim();
      }
    } catch (java.io.IOException | RuntimeException e) {
      // fall through
    }
    return "unknown";
  }
}
