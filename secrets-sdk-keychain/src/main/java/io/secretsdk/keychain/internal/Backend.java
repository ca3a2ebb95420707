package io.secretsdk.keychain.internal;

import io.secretsdk.keychain.KeychainReference;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretDescription;

/** One operating system's keychain, as the provider uses it. Implementations are thread-safe. */
public interface Backend extends AutoCloseable {
  /** What and where, for {@code toString()}: never a value. */
  String describe();

  /** Reads the item's value. */
  FetchResult fetch(KeychainReference ref);

  /** Creates or replaces the item's value; {@code value} is not kept. */
  void write(KeychainReference ref, byte[] value);

  /** Deletes the item for good; returns the steps taken. */
  java.util.List<String> delete(KeychainReference ref);

  /** What the keychain says of the item, without its value. */
  SecretDescription describe(KeychainReference ref);

  /** Ends the runs in progress and refuses new ones. Idempotent. */
  @Override
  void close();
}
