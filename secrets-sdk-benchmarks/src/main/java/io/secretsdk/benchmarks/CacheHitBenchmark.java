package io.secretsdk.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question 1: what does a cache hit cost? One hot ref, resolved again and again.
 *
 * <ul>
 *   <li>{@code secretsdk}: {@link SecretsClient#resolve(SecretRef)} then {@link Secret#close()}
 *       (the caller's copy is made and wiped), audit off ({@link AuditSink#none()}) so only the
 *       engine is measured;
 *   <li>{@code secretsdk-audit}: the same with the default SLF4J audit sink, its logger at INFO
 *       (hits are DEBUG events, so this measures the enabled-check on the hit path);
 *   <li>{@code caffeine}: a bare Caffeine {@code getIfPresent} with the same expiry (30 min after
 *       write): the floor any cache built on Caffeine can reach;
 *   <li>{@code caffeine-engine-config}: a diagnostic, not a peer: Caffeine configured as the engine
 *       configures its own (a ticker, a fixed write expiry, maintenance on the calling thread, a
 *       removal listener), so the difference to {@code secretsdk} is what the engine adds around
 *       Caffeine;
 *   <li>{@code aws-caching}: the AWS Secrets Manager caching client
 *       ({@code SecretCache.getSecretString}), driven by {@link FakeSecretsManager}, same TTL.
 * </ul>
 *
 * <p>Target (DESIGN.md): {@code secretsdk} within 2x of {@code caffeine}, at least 2x faster than
 * {@code aws-caching}, no allocation beyond the caller's copy, and 2 threads scale.
 *
 * <pre>{@code
 * java -jar secrets-sdk-benchmarks/target/benchmarks.jar CacheHitBenchmark \
 *     -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc -rf json -rff target/cache-hit.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CacheHitBenchmark {
  static final Duration TTL = Duration.ofMinutes(30);
  static final String PATH = "hot/openai";

  @Param({"secretsdk", "secretsdk-audit", "caffeine", "caffeine-engine-config", "aws-caching"})
  public String impl;

  SecretRef ref;
  SecretsClient client;
  Cache<SecretRef, byte[]> caffeine;
  SecretCache aws;
  /** The lookup under test, chosen once so every impl pays the same (monomorphic) indirection. */
  Supplier<Object> op;

  @Setup
  public void setUp() {
    ref = SecretRef.parse(CountingProvider.SCHEME + "://" + PATH);
    switch (impl) {
      case "secretsdk":
      case "secretsdk-audit":
        SecretsClient.Builder b = SecretsClient.builder()
            .provider(new CountingProvider(TTL))
            .environment(RunEnvironment.LOCAL);
        if (impl.equals("secretsdk")) {
          b.auditSink(AuditSink.none());
        }
        client = b.build();
        client.resolve(ref).close();
        if (impl.equals("secretsdk-audit")) {
          // the default sink's logger at INFO, as in production: hits are DEBUG, so skipped
          ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
              AuditSink.DEFAULT_LOGGER)).setLevel(ch.qos.logback.classic.Level.INFO);
        }
        op = () -> {
          Secret secret = client.resolve(ref);
          secret.close();
          return secret;
        };
        break;
      case "caffeine":
        caffeine = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(TTL).build();
        caffeine.put(ref, CountingProvider.valueOf(PATH));
        op = () -> caffeine.getIfPresent(ref);
        break;
      case "caffeine-engine-config":
        // as DefaultSecretsClient builds its cache: the engine checks each entry's own expiry,
        // Caffeine evicts on a fixed write expiry with maintenance on the calling thread
        caffeine = Caffeine.newBuilder()
            .maximumSize(100_000)
            .ticker(System::nanoTime)
            .executor(Runnable::run)
            .expireAfterWrite(TTL)
            .removalListener((SecretRef k, byte[] v, RemovalCause cause) -> { })
            .build();
        caffeine.put(ref, CountingProvider.valueOf(PATH));
        op = () -> caffeine.getIfPresent(ref);
        break;
      case "aws-caching":
        aws = new SecretCache(new SecretCacheConfiguration()
            .withClient(new FakeSecretsManager())
            .withCacheItemTTL(TTL.toMillis()));
        aws.getSecretString(PATH);
        op = () -> aws.getSecretString(PATH);
        break;
      default:
        throw new IllegalArgumentException("impl " + impl);
    }
  }

  @TearDown
  public void tearDown() {
    if (client != null) {
      client.close();
    }
    if (aws != null) {
      aws.close();
    }
  }

  @Benchmark
  @Threads(1)
  public Object hit_1thread() {
    return op.get();
  }

  @Benchmark
  @Threads(2)
  public Object hit_2threads() {
    return op.get();
  }
}
