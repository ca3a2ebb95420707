package io.secretsdk.event;

/**
 * Receives audit events. The default sink writes one JSON object per event to the SLF4J logger
 * {@value #DEFAULT_LOGGER} (cache hits at DEBUG, everything else at INFO).
 *
 * <p>Called on the resolving or refreshing thread: implementations must be thread-safe and fast,
 * should hand slow work (network shipping) to their own thread, and must not throw — an exception
 * is caught and logged by type only. Events never carry a value or a token.
 */
@FunctionalInterface
public interface AuditSink {
  /** The logger name of the default sink. */
  String DEFAULT_LOGGER = "io.secretsdk.audit";

  /** Records one event. */
  void record(AuditEvent event);

  /**
   * Whether the sink wants events of this kind; lets the client skip building events nobody
   * records (cache hits happen millions of times). The default accepts all.
   */
  default boolean isEnabled(AuditEvent.Type type, boolean cacheHit) {
    return true;
  }

  /** A sink that drops every event. */
  static AuditSink none() {
    return new AuditSink() {
      @Override
      public void record(AuditEvent event) {}

      @Override
      public boolean isEnabled(AuditEvent.Type type, boolean cacheHit) {
        return false;
      }
    };
  }
}
