package io.secretsdk.internal;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import java.time.Instant;
import java.util.Map;

/**
 * Lets the engine hand a freshly copied array to a {@link Secret} without a second copy. Only
 * {@link Secret}'s own static initializer installs the factory; a second install fails, so nothing
 * can replace it afterwards.
 */
public final class SecretAccess {
  /** Creates a secret that takes ownership of {@code ownedBytes}. */
  @FunctionalInterface
  public interface Factory {
    /** Wraps bytes the caller will never touch again. */
    Secret adopt(SecretRef ref, byte[] ownedBytes, String version, Instant createdAt,
        Map<String, String> metadata);
  }

  private static volatile Factory factory;

  private SecretAccess() {}

  /**
   * Called once, by {@link Secret}'s static initializer.
   *
   * @throws IllegalStateException if a factory is already installed
   */
  public static synchronized void install(Factory f) {
    if (factory != null) {
      throw new IllegalStateException("SecretAccess factory already installed");
    }
    factory = f;
  }

  static Factory factory() {
    Factory f = factory;
    if (f == null) {
      try {
        Class.forName(Secret.class.getName(), true, Secret.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      f = factory;
    }
    return f;
  }
}
