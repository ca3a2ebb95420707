package io.secretsdk.onepassword.internal;

import io.secretsdk.onepassword.OnePasswordReference;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretDescription;

/**
 * One way of reading {@code op://} references: a Connect server or the {@code op} CLI.
 *
 * <p>Implementations are thread-safe and map every failure onto the core exceptions.
 */
public interface Backend extends AutoCloseable {

  /** Reads what {@code ref} names. */
  FetchResult fetch(OnePasswordReference ref);

  /**
   * Describes the item {@code ref} names, without any value.
   *
   * @throws UnsupportedOperationException if this backend cannot (the default)
   */
  default SecretDescription describeItem(OnePasswordReference ref) {
    throw new UnsupportedOperationException("this 1Password backend cannot describe items");
  }

  /** A short, secret-free description for toString(), e.g. {@code connect(http://host:8080)}. */
  String describe();

  /** Releases threads and connections. Idempotent. */
  @Override
  void close();
}
