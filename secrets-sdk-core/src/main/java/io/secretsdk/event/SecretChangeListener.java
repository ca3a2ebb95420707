package io.secretsdk.event;

/**
 * Called once for each new version of a secret that the client sees.
 *
 * <p>Listeners run on the client's refresh thread: they must be fast, must not block, and should
 * not throw (an exception is caught and logged by type only, and does not stop other listeners).
 * They may be late: a change is seen at the next refresh, not when the provider made it. The
 * event carries versions, never the value; call {@code resolve} to get the new value.
 */
@FunctionalInterface
public interface SecretChangeListener {

  /** Handles one change. */
  void onChange(SecretChangeEvent event);

  /**
   * Called once per previous version, ahead of the end of its rotation grace window (one hour
   * before by default): after the window that version is no longer resolvable, so consumers
   * still using it must switch. The default does nothing.
   */
  default void onGraceEnding(GraceEndingEvent event) {}
}
