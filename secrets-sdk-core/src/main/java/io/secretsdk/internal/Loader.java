package io.secretsdk.internal;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.metrics.SecretsMetrics;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One provider call with retries: the resilience4j {@code Retry} of each scheme is built once per
 * client; transient failures ({@code ProviderUnavailableException}) are retried with full-jitter
 * exponential backoff or the provider's {@code Retry-After}, within the maximum retry duration.
 * Waits run on the client's ticker: a wait ends when the ticker has moved past it (a test moving a
 * fake ticker ends it at once) or when that much real time has passed.
 */
final class Loader {
  private final Map<String, SecretProvider> providers;
  private final Map<String, Retry> retries = new HashMap<>();
  private final Ticker ticker;
  private final SecretsMetrics metrics;
  private final long maxRetryNanos;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final BooleanSupplier closed;

  Loader(ClientSettings s, BooleanSupplier closed) {
    this.providers = s.providers;
    this.ticker = s.ticker;
    this.metrics = s.metrics;
    this.maxRetryNanos = s.maxRetryDuration.toNanos();
    this.initialBackoffMillis = s.initialBackoff.toMillis();
    this.maxBackoffMillis = s.maxBackoff.toMillis();
    this.closed = closed;
    for (String scheme : s.providers.keySet()) {
      RetryConfig config = RetryConfig.<FetchResult>custom()
          .maxAttempts(s.maxAttempts)
          .retryOnException(Loader::isTransient)
          .intervalBiFunction((attempt, outcome) ->
              backoffMillis(attempt, outcome.isLeft() ? outcome.getLeft() : null))
          .failAfterMaxAttempts(false)
          .build();
      Retry retry = Retry.of("secrets-sdk:" + scheme, config);
      retry.getEventPublisher().onRetry(e ->
          metrics.retried(scheme, e.getWaitInterval()));
      retries.put(scheme, retry);
    }
  }

  /**
   * Fetches {@code ref}, retrying transient failures.
   *
   * @throws SecretException the last failure, scrubbed; a provider's {@code RuntimeException}
   *     becomes a typed, non-retried {@link Failures.UnexpectedFailure}
   */
  FetchResult fetch(SecretRef ref, FetchContext context) {
    SecretProvider provider = providers.get(ref.scheme());
    Retry.AsyncContext<FetchResult> attempts = retries.get(ref.scheme()).asyncContext();
    long deadline = ticker.read() + maxRetryNanos;
    while (true) {
      try {
        FetchResult result = fetchOnce(provider, ref, context);
        attempts.onComplete();
        return result;
      } catch (SecretException failure) {
        if (!retryable(failure, deadline)) {
          throw failure;
        }
        long waitMillis = attempts.onError(failure);
        if (waitMillis < 0) {
          throw failure;
        }
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - ticker.read());
        if (!await(Math.min(waitMillis, Math.max(0, remainingMillis)))) {
          throw new ProviderUnavailableException(ref, "interrupted while waiting to retry " + ref);
        }
      }
    }
  }

  private FetchResult fetchOnce(SecretProvider provider, SecretRef ref, FetchContext context) {
    long start = ticker.read();
    boolean ok = false;
    try {
      FetchResult r = provider.fetch(ref, context);
      if (r == null) {
        throw new ProviderUnavailableException(ref, "the " + ref.scheme()
            + " provider returned no result for " + ref);
      }
      ok = true;
      return r;
    } catch (SecretException e) {
      throw ExceptionExit.scrub(e); // nothing the provider wrote is kept, not even in the cache
    } catch (RuntimeException e) {
      throw Failures.fromUnexpected(ref, ref.scheme(), e);
    } finally {
      metrics.fetched(ref.scheme(), ticker.read() - start, ok);
    }
  }

  private static boolean isTransient(Throwable t) {
    return t instanceof ProviderUnavailableException && !(t instanceof Failures.UnexpectedFailure);
  }

  private boolean retryable(SecretException t, long deadline) {
    if (!isTransient(t) || closed.getAsBoolean()) {
      return false;
    }
    long remaining = deadline - ticker.read();
    Optional<Duration> retryAfter = ((ProviderUnavailableException) t).retryAfter();
    return remaining > 0 && (retryAfter.isEmpty() || retryAfter.get().toNanos() <= remaining);
  }

  /** Full-jitter exponential backoff, or the provider's Retry-After. */
  private long backoffMillis(int attempt, Throwable failure) {
    if (failure instanceof ProviderUnavailableException) {
      Optional<Duration> retryAfter = ((ProviderUnavailableException) failure).retryAfter();
      if (retryAfter.isPresent()) {
        return retryAfter.get().toMillis();
      }
    }
    long exp = attempt >= 31 ? maxBackoffMillis
        : Math.min(maxBackoffMillis, initialBackoffMillis << Math.max(0, attempt - 1));
    return ThreadLocalRandom.current().nextLong(Math.max(0, exp) + 1);
  }

  /**
   * Waits {@code millis} on the ticker: until the ticker has moved that far or that much real time
   * has passed, whichever comes first.
   *
   * @return false when interrupted (the flag is set again)
   */
  private boolean await(long millis) {
    long waitNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    long tickerEnd = ticker.read() + waitNanos;
    long realEnd = System.nanoTime() + waitNanos;
    while (true) {
      long realLeft = realEnd - System.nanoTime();
      if (realLeft <= 0 || ticker.read() - tickerEnd >= 0) {
        return true;
      }
      LockSupport.parkNanos(this, Math.min(realLeft, TimeUnit.MILLISECONDS.toNanos(5)));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
