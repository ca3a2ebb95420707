package io.secretsdk.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchOutcome;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A provider that records a span around each call of the one it wraps. Thread-safe. */
final class TracingSecretProvider implements SecretProvider {
  private static final AttributeKey<String> SCHEME = AttributeKey.stringKey(SecretsTracing.SCHEME);
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(SecretsTracing.OUTCOME);
  private static final AttributeKey<String> REF_HASH = AttributeKey.stringKey(SecretsTracing.REF_HASH);
  private static final AttributeKey<List<String>> REF_HASHES =
      AttributeKey.stringArrayKey(SecretsTracing.REF_HASHES);
  private static final AttributeKey<Long> REF_COUNT = AttributeKey.longKey(SecretsTracing.REF_COUNT);
  private static final AttributeKey<Long> FAILED_COUNT = AttributeKey.longKey(SecretsTracing.FAILED_COUNT);
  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

  private final SecretProvider delegate;
  private final SecretsTracing tracing;

  TracingSecretProvider(SecretProvider delegate, SecretsTracing tracing) {
    this.delegate = delegate;
    this.tracing = tracing;
  }

  @Override
  public String scheme() {
    return delegate.scheme();
  }

  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    String name = context != null && context.isRefresh() ? "secrets.refresh" : "secrets.fetch";
    return traced(name, ref, () -> delegate.fetch(ref, context));
  }

  @Override
  @SuppressWarnings("try") // the scope is held for its side effect: the span is current
  public Map<SecretRef, FetchOutcome> fetchAll(Collection<SecretRef> refs, FetchContext context) {
    List<String> hashes = new ArrayList<>(refs.size());
    for (SecretRef ref : refs) {
      hashes.add(tracing.refHash(ref));
    }
    Span span = start("secrets.fetch_all");
    span.setAttribute(REF_HASHES, hashes);
    span.setAttribute(REF_COUNT, (long) refs.size());
    try (Scope ignored = span.makeCurrent()) {
      Map<SecretRef, FetchOutcome> outcomes = delegate.fetchAll(refs, context);
      long failed = outcomes.values().stream().filter(o -> o.failure().isPresent()).count();
      span.setAttribute(FAILED_COUNT, failed);
      if (failed == 0) {
        span.setAttribute(OUTCOME, Outcomes.SUCCESS);
      } else {
        String outcome = failed == outcomes.size()
            ? Outcomes.of(outcomes.values().iterator().next().failure().get()) : "partial";
        span.setAttribute(OUTCOME, outcome);
        span.setStatus(StatusCode.ERROR, outcome);
      }
      return outcomes;
    } catch (RuntimeException | Error e) {
      failed(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    return traced("secrets.write", ref, () -> delegate.write(ref, value, expectedVersion));
  }

  @Override
  public SecretDescription describe(SecretRef ref) {
    return traced("secrets.describe", ref, () -> delegate.describe(ref));
  }

  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    return traced("secrets.revoke", ref, () -> delegate.revoke(ref, request));
  }

  @Override
  public void close() {
    delegate.close();
  }

  @SuppressWarnings("try") // the scope is held for its side effect: the span is current
  private <T> T traced(String name, SecretRef ref, Supplier<T> call) {
    Span span = start(name);
    if (ref != null) {
      span.setAttribute(REF_HASH, tracing.refHash(ref));
    }
    try (Scope ignored = span.makeCurrent()) {
      T result = call.get();
      span.setAttribute(OUTCOME, Outcomes.SUCCESS);
      return result;
    } catch (RuntimeException | Error e) {
      failed(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private Span start(String name) {
    return tracing.tracer().spanBuilder(name)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(SCHEME, delegate.scheme())
        .startSpan();
  }

  /** Outcome, status and the exception's type; never its message or stack trace (unscrubbed). */
  private static void failed(Span span, Throwable e) {
    String outcome = Outcomes.of(e);
    span.setAttribute(OUTCOME, outcome);
    span.setStatus(StatusCode.ERROR, outcome);
    span.addEvent("exception", Attributes.of(EXCEPTION_TYPE, e.getClass().getName()));
  }

  @Override
  public String toString() {
    return "TracingSecretProvider[" + delegate.scheme() + "]";
  }
}
