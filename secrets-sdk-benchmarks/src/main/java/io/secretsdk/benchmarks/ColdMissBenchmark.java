package io.secretsdk.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question 2: when {@code callers} threads miss the same cold ref at once and the provider takes
 * {@code providerMillis}, how many provider calls are made and how long do the callers wait?
 *
 * <p>One operation is one round: a new ref nobody has asked for, {@code callers} threads parked
 * on a gate, released together; the round ends when the last caller has its value. The score is
 * the round's time (= the slowest caller). Each round checks that the provider was called exactly
 * once (for the AWS caching client: one {@code DescribeSecret} and one {@code GetSecretValue}) and
 * <b>fails the run</b> otherwise; the {@code providerCalls} and {@code rounds} counters (equal
 * when every round made one call) show it in the results. Every caller's own latency (from the gate opening to its value) is printed per fork.
 *
 * <ul>
 *   <li>{@code secretsdk}: {@link SecretsClient#resolve(SecretRef)};
 *   <li>{@code caffeine}: Caffeine {@code Cache.get(key, loader)} with the same provider;
 *   <li>{@code aws-caching}: {@code SecretCache.getSecretString} on a {@link FakeSecretsManager}
 *       whose calls take the same time.
 * </ul>
 *
 * <p>Target (DESIGN.md): 64 concurrent cold misses make 1 provider call.
 *
 * <pre>{@code
 * java -jar secrets-sdk-benchmarks/target/benchmarks.jar ColdMissBenchmark \
 *     -f 2 -wi 2 -w 1s -i 5 -r 1s -rf json -rff target/cold-miss.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ColdMissBenchmark {
  @Param({"secretsdk", "caffeine", "aws-caching"})
  public String impl;

  @Param({"64"})
  public int callers;

  @Param({"5"})
  public int providerMillis;

  private ExecutorService pool;
  private CountingProvider provider;
  private SecretsClient client;
  private Cache<SecretRef, byte[]> caffeine;
  private FakeSecretsManager fake;
  private SecretCache aws;
  private Consumer<SecretRef> call;

  private long round;
  private SecretRef current;
  private CountDownLatch ready;
  private CountDownLatch gate;
  private CountDownLatch done;
  private volatile long gateOpenedAt;
  private long callsBefore;
  private final LatencyRecorder callerLatency = new LatencyRecorder();
  private long[] roundLatencies;
  private long rounds;
  private long badRounds;

  /** Provider calls and rounds, summed: the two must be equal. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Calls {
    public long providerCalls;
    public long rounds;

    @Setup(Level.Iteration)
    public void reset() {
      providerCalls = 0;
      rounds = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    pool = Executors.newFixedThreadPool(callers, r -> {
      Thread t = new Thread(r, "cold-caller");
      t.setDaemon(true);
      return t;
    });
    Duration delay = Duration.ofMillis(providerMillis);
    provider = new CountingProvider(Duration.ofMinutes(30)).delay(delay);
    switch (impl) {
      case "secretsdk":
        client = SecretsClient.builder()
            .provider(provider)
            .environment(RunEnvironment.LOCAL)
            .auditSink(AuditSink.none())
            .build();
        call = ref -> client.resolve(ref).close();
        break;
      case "caffeine":
        caffeine = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(30)).build();
        FetchContext context = FetchContext.of(RunEnvironment.LOCAL);
        call = ref -> caffeine.get(ref, r -> {
          FetchResult f = provider.fetch(r, context);
          try {
            return f.value();
          } finally {
            f.wipe();
          }
        });
        break;
      case "aws-caching":
        fake = new FakeSecretsManager().delay(delay);
        aws = new SecretCache(new SecretCacheConfiguration()
            .withClient(fake)
            .withMaxCacheSize(100_000)
            .withCacheItemTTL(Duration.ofMinutes(30).toMillis()));
        call = ref -> aws.getSecretString(ref.path());
        break;
      default:
        throw new IllegalArgumentException("impl " + impl);
    }
    roundLatencies = new long[callers];
  }

  private long calls() {
    return fake != null ? Math.max(fake.describeCalls(), fake.getValueCalls()) : provider.calls();
  }

  private long callsOfOtherKind() {
    return fake != null ? Math.min(fake.describeCalls(), fake.getValueCalls()) : provider.calls();
  }

  /** Parks {@code callers} threads on a gate, each about to miss the same new ref. */
  @Setup(Level.Invocation)
  public void prepareRound() throws InterruptedException {
    round++;
    current = SecretRef.parse(CountingProvider.SCHEME + "://cold/r" + round);
    ready = new CountDownLatch(callers);
    gate = new CountDownLatch(1);
    done = new CountDownLatch(callers);
    callsBefore = calls();
    SecretRef ref = current;
    for (int i = 0; i < callers; i++) {
      int slot = i;
      pool.execute(() -> {
        ready.countDown();
        try {
          gate.await();
          call.accept(ref);
          roundLatencies[slot] = System.nanoTime() - gateOpenedAt;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          roundLatencies[slot] = -1;
        } catch (RuntimeException e) {
          roundLatencies[slot] = -1;
        } finally {
          done.countDown();
        }
      });
    }
    ready.await();
  }

  /** Opens the gate and waits for every caller. */
  @Benchmark
  public long round(Calls counters) throws InterruptedException {
    gateOpenedAt = System.nanoTime();
    gate.countDown();
    done.await();
    long made = calls() - callsBefore;
    counters.providerCalls += made;
    counters.rounds++;
    return made;
  }

  /** Fails the run when a round made other than one provider call or a caller failed. */
  @TearDown(Level.Invocation)
  public void checkRound() {
    long made = calls() - callsBefore;
    rounds++;
    for (long l : roundLatencies) {
      if (l < 0) {
        throw new IllegalStateException("a caller failed in round " + round);
      }
      callerLatency.record(l);
    }
    if (made != 1 || (fake != null && callsOfOtherKind() != calls())) {
      badRounds++;
      throw new IllegalStateException(impl + ": round " + round + " with " + callers
          + " concurrent misses made " + made + " provider calls (expected 1)");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    System.out.println();
    System.out.println(callerLatency.summary("[" + impl + "] caller latency over " + rounds
        + " rounds x " + callers + " callers (rounds with != 1 provider call: " + badRounds + ")"));
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    if (client != null) {
      client.close();
    }
    if (aws != null) {
      aws.close();
    }
  }
}
