package io.secretsdk.keychain;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretRef;

/**
 * The keychain that holds (or would hold) the item is locked, or does not exist yet, and this
 * process cannot unlock it: the Secret Service's collection is locked and no prompt could be shown,
 * or the macOS Keychain refused user interaction.
 *
 * <p>The message says how to unlock it. Not retried by the client (retrying cannot unlock it); a
 * resolve after the keychain was unlocked succeeds. A new instance per failure; immutable.
 */
public final class KeychainLockedException extends SecretAccessDeniedException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param ref the ref concerned
   * @param message what is locked and how to unlock it; never a value
   */
  public KeychainLockedException(SecretRef ref, String message) {
    super(ref, message);
  }
}
