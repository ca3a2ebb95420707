package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.metrics.SecretsMetrics;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One provider call with retries: attempts, Retry-After, typed runtime failures, ticker waits. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
final class LoaderTest {
  private static final SecretRef REF = SecretRef.parse("scripted://app/db");
  private final AtomicLong nanos = new AtomicLong();
  private final List<Duration> retryWaits = new ArrayList<>();

  /** A provider answering from a script, one entry per call. */
  private static final class Scripted implements SecretProvider {
    final List<Supplier<FetchResult>> script = new ArrayList<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String scheme() {
      return "scripted";
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      int n = calls.getAndIncrement();
      return script.get(Math.min(n, script.size() - 1)).get();
    }
  }

  private Loader loader(Scripted provider, int attempts, Duration backoff) throws Exception {
    SecretsClient client = SecretsClient.builder().provider(provider)
        .environment(RunEnvironment.LOCAL).ticker(nanos::get)
        .retry(attempts, backoff, backoff, Duration.ofMinutes(10))
        .metrics(new SecretsMetrics() {
          @Override
          public void retried(String scheme, Duration wait) {
            retryWaits.add(wait);
          }
        })
        .build();
    Field f = DefaultSecretsClient.class.getDeclaredField("s");
    f.setAccessible(true);
    ClientSettings settings = (ClientSettings) f.get(client);
    client.close();
    return new Loader(settings, () -> false);
  }

  private static FetchResult value() {
    return FetchResult.builder(("v-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)).build();
  }

  @Test
  void transientFailuresAreRetriedUpToTheAttemptsThenThrown() throws Exception {
    Scripted p = new Scripted();
    p.script.add(() -> {
      throw new ProviderUnavailableException(REF, "down");
    });
    Loader loader = loader(p, 3, Duration.ofMillis(1));
    assertThatThrownBy(() -> loader.fetch(REF, FetchContext.of(RunEnvironment.LOCAL)))
        .isInstanceOf(ProviderUnavailableException.class);
    assertThat(p.calls).hasValue(3);
    assertThat(retryWaits).hasSize(2);
  }

  @Test
  void notFoundAndRuntimeFailuresAreNotRetriedAndRuntimeOnesAreTyped() throws Exception {
    Scripted notFound = new Scripted();
    notFound.script.add(() -> {
      throw new SecretNotFoundException(REF, "gone");
    });
    assertThatThrownBy(() -> loader(notFound, 4, Duration.ofMillis(1))
        .fetch(REF, FetchContext.of(RunEnvironment.LOCAL)))
        .isInstanceOf(SecretNotFoundException.class);
    assertThat(notFound.calls).hasValue(1);

    String canary = "canary-" + UUID.randomUUID();
    Scripted buggy = new Scripted();
    buggy.script.add(() -> {
      throw new IllegalStateException(canary);
    });
    assertThatThrownBy(() -> loader(buggy, 4, Duration.ofMillis(1))
        .fetch(REF, FetchContext.of(RunEnvironment.LOCAL)))
        .isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("IllegalStateException")
        .hasMessageNotContaining(canary);
    assertThat(buggy.calls).hasValue(1);
  }

  @Test
  void aRetryAfterLongerThanTheTimeLeftIsNotWaitedFor() throws Exception {
    Scripted p = new Scripted();
    p.script.add(() -> {
      throw new ProviderUnavailableException(REF, "slow down", null, Duration.ofHours(1));
    });
    assertThatThrownBy(() -> loader(p, 4, Duration.ofMillis(1))
        .fetch(REF, FetchContext.of(RunEnvironment.LOCAL)))
        .isInstanceOf(ProviderUnavailableException.class);
    assertThat(p.calls).hasValue(1);
  }

  @Test
  void aBackoffWaitEndsWhenTheTickerMovesPastIt() throws Exception {
    Scripted p = new Scripted();
    p.script.add(() -> {
      throw new ProviderUnavailableException(REF, "down");
    });
    p.script.add(LoaderTest::value);
    Loader loader = loader(p, 2, Duration.ofMinutes(5));
    CompletableFuture<FetchResult> call = CompletableFuture.supplyAsync(
        () -> loader.fetch(REF, FetchContext.of(RunEnvironment.LOCAL)));
    while (p.calls.get() < 1) {
      Thread.sleep(1);
    }
    Thread.sleep(30);
    if (retryWaits.get(0).toMillis() > 100) {
      assertThat(call).as("waiting for up to 5 minutes").isNotDone();
    }
    nanos.addAndGet(Duration.ofMinutes(6).toNanos());
    assertThat(call.get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(p.calls).hasValue(2);
  }
}
