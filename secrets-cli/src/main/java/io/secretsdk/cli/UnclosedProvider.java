package io.secretsdk.cli;

import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchOutcome;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import java.util.Collection;
import java.util.Map;

/**
 * A provider handed to a client that must not close it: the run's {@link Backends} owns the
 * provider and keeps using it after the client is closed.
 */
class UnclosedProvider implements SecretProvider { // not final: tests intercept single calls
  private final SecretProvider delegate;

  UnclosedProvider(SecretProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public String scheme() {
    return delegate.scheme();
  }

  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    return delegate.fetch(ref, context);
  }

  @Override
  public Map<SecretRef, FetchOutcome> fetchAll(Collection<SecretRef> refs, FetchContext context) {
    return delegate.fetchAll(refs, context);
  }

  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    return delegate.write(ref, value, expectedVersion);
  }

  @Override
  public SecretDescription describe(SecretRef ref) {
    return delegate.describe(ref);
  }

  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    return delegate.revoke(ref, request);
  }

  @Override
  public void close() {
    // the owner closes the delegate
  }

  @Override
  public String toString() {
    return "Unclosed[" + delegate + "]";
  }
}
