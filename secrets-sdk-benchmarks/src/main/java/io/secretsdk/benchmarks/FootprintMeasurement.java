package io.secretsdk.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import io.secretsdk.redact.RedactionIndex;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Question 5: how much heap do {@code N} cached secrets retain? Not a JMH benchmark: run it in its
 * own JVM, with the serial collector so that {@code System.gc()} is a full, compacting collection:
 *
 * <pre>{@code
 * java -XX:+UseSerialGC -Xms512m -Xmx512m -cp secrets-sdk-benchmarks/target/benchmarks.jar \
 *     io.secretsdk.benchmarks.FootprintMeasurement [entries=10000] [rounds=7]
 * }</pre>
 *
 * <p>For each implementation and round: build an empty cache, collect, read the used heap
 * ({@link MemoryMXBean}), resolve {@code entries} distinct refs of {@value
 * CountingProvider#VALUE_LENGTH}-byte values (closing every caller copy), collect, read again. The
 * refs (or secret ids) are created before the first reading: the program holds them anyway. The
 * median delta over the rounds is reported, total and per entry.
 *
 * <ul>
 *   <li>{@code secretsdk}: a {@link SecretsClient} (audit off) with its own {@link RedactionIndex},
 *       in which it registers every value it caches: the whole cost to a process;
 *   <li>{@code caffeine}: a bare Caffeine {@code Cache<SecretRef, byte[]>} with the same bounds;
 *   <li>{@code aws-caching}: the AWS caching client, whose items keep the whole
 *       {@code DescribeSecret} and {@code GetSecretValue} responses;
 *   <li>{@code redaction-index}: a {@link RedactionIndex} holding the same values with their
 *       encoded forms: what masking them in logs costs on top of caching them.
 * </ul>
 *
 * <p>Target (DESIGN.md): 10,000 cached secrets in at most 10 MB.
 */
public final class FootprintMeasurement {
  private FootprintMeasurement() {}

  /** One measured row. */
  record Row(String impl, int entries, long medianBytes, long minBytes, long maxBytes) {
    double bytesPerEntry() {
      return (double) medianBytes / entries;
    }
  }

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    List<Row> rows = measureAll(entries, rounds);
    print(rows, System.out);
  }

  static List<Row> measureAll(int entries, int rounds) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (String impl : List.of("secretsdk", "caffeine", "aws-caching", "redaction-index")) {
      rows.add(measure(impl, entries, rounds));
    }
    return rows;
  }

  static Row measure(String impl, int entries, int rounds) throws Exception {
    long[] deltas = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      List<SecretRef> refs = new ArrayList<>(entries);
      List<String> ids = new ArrayList<>(entries);
      for (int i = 0; i < entries; i++) {
        String path = "fleet/team-" + (i % 100) + "/key-" + i;
        ids.add(path);
        refs.add(SecretRef.parse(CountingProvider.SCHEME + "://" + path));
      }
      AutoCloseable holder = create(impl, entries);
      long before = usedHeapAfterGc();
      fill(holder, refs, ids);
      long after = usedHeapAfterGc();
      deltas[r] = after - before;
      holder.close();
      // keep the refs reachable until after the second reading
      if (refs.size() + ids.size() != 2 * entries) {
        throw new AssertionError();
      }
    }
    long[] sorted = deltas.clone();
    Arrays.sort(sorted);
    return new Row(impl, entries, sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
  }

  private static AutoCloseable create(String impl, int entries) {
    Duration ttl = Duration.ofMinutes(30);
    switch (impl) {
      case "secretsdk":
        // its own index, so that the values it registers for log redaction are counted too
        return SecretsClient.builder()
            .provider(new CountingProvider(ttl))
            .environment(RunEnvironment.LOCAL)
            .auditSink(AuditSink.none())
            .redactionIndex(RedactionIndex.create())
            .build();
      case "caffeine":
        Cache<SecretRef, byte[]> cache = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(ttl).build();
        return new CaffeineHolder(cache);
      case "aws-caching":
        return new SecretCache(new SecretCacheConfiguration()
            .withClient(new FakeSecretsManager())
            .withMaxCacheSize(Math.max(entries, 1024))
            .withCacheItemTTL(ttl.toMillis()));
      case "redaction-index":
        return new IndexHolder(RedactionIndex.create());
      default:
        throw new IllegalArgumentException("impl " + impl);
    }
  }

  private static void fill(AutoCloseable holder, List<SecretRef> refs, List<String> ids) {
    if (holder instanceof SecretsClient) {
      SecretsClient client = (SecretsClient) holder;
      for (SecretRef ref : refs) {
        client.resolve(ref).close();
      }
    } else if (holder instanceof CaffeineHolder) {
      Cache<SecretRef, byte[]> cache = ((CaffeineHolder) holder).cache;
      for (SecretRef ref : refs) {
        cache.put(ref, CountingProvider.valueOf(ref.path()));
      }
    } else if (holder instanceof IndexHolder) {
      RedactionIndex index = ((IndexHolder) holder).index;
      for (SecretRef ref : refs) {
        index.register(ref, CountingProvider.valueOf(ref.path()));
      }
    } else {
      SecretCache aws = (SecretCache) holder;
      for (String id : ids) {
        aws.getSecretString(id);
      }
    }
  }

  /** Used heap after several full collections. */
  static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(20);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  static void print(List<Row> rows, PrintStream out) {
    out.println("| impl | entries | retained (median) | per entry | min .. max over rounds |");
    out.println("|---|---:|---:|---:|---:|");
    for (Row r : rows) {
      out.printf(Locale.ROOT, "| %s | %,d | %.2f MB | %,.0f B | %.2f .. %.2f MB |%n", r.impl(),
          r.entries(), r.medianBytes() / 1e6, r.bytesPerEntry(), r.minBytes() / 1e6,
          r.maxBytes() / 1e6);
    }
  }

  private static final class IndexHolder implements AutoCloseable {
    final RedactionIndex index;

    IndexHolder(RedactionIndex index) {
      this.index = index;
    }

    @Override
    public void close() {
      index.clear();
    }
  }

  private static final class CaffeineHolder implements AutoCloseable {
    final Cache<SecretRef, byte[]> cache;

    CaffeineHolder(Cache<SecretRef, byte[]> cache) {
      this.cache = cache;
    }

    @Override
    public void close() {
      cache.invalidateAll();
    }
  }
}
