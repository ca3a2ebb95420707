package io.secretsdk.samples;

import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.metrics.SecretsMetrics;
import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quick start against a real encrypted store and no server: creates a {@code local://} store
 * with a demo key in a temporary directory, seeds a random demo value for every registry name of
 * the local environment, then resolves them, shows a log line carrying a value as the redactor
 * writes it, shows cache hits, rotates one secret and shows the listener seeing it. Prints refs,
 * versions and lengths, never values.
 *
 * <p>Run from the repository root:
 * {@code mvn -B -q -DskipTests package exec:java -pl samples -am -Dexec.mainClass=io.secretsdk.samples.LocalQuickStart}.
 * Reads {@code configs/secrets-registry.yaml} and {@code configs/secrets-policy.json}. Registry
 * refs written as {@code local://…} are served by the store directly; refs written as
 * {@code mem://…} are routed to the store with the alias {@code mem → local}, so the policy still
 * sees the refs as written.
 */
public final class LocalQuickStart {
  private static final Logger log = LoggerFactory.getLogger(LocalQuickStart.class);

  private LocalQuickStart() {}

  public static void main(String[] args) throws Exception {
    Path root = args.length > 0 ? Path.of(args[0]) : Path.of(".");
    int resolved = run(root, System.out);
    System.exit(resolved > 0 ? 0 : 1);
  }

  /** Runs the demo against the config files under {@code root}; returns how many names resolved. */
  static int run(Path root, PrintStream out) throws IOException {
    Path registryFile = root.resolve("configs/secrets-registry.yaml");
    if (!Files.isRegularFile(registryFile)) {
      throw new IllegalStateException("run from the repository root: " + registryFile + " is missing");
    }
    SecretRegistry registry = SecretRegistry.load(registryFile);
    Path policyFile = root.resolve("configs/secrets-policy.json");
    SecretPolicy policy = Files.isRegularFile(policyFile) ? SecretPolicy.load(policyFile)
        : SecretPolicy.permissive();

    Path demo = Files.createTempDirectory("secrets-quickstart-");
    try {
      return demo(registry, policy, demo, out);
    } finally {
      try (Stream<Path> files = Files.walk(demo)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static int demo(SecretRegistry registry, SecretPolicy policy, Path demo, PrintStream out) {
    // 1. a store with a demo key: the key file is created with mode 0600, the store on first write
    Path keyFile = demo.resolve("demo.key");
    byte[] key = LocalKeys.generate();
    LocalKeys.writeKeyFile(keyFile, key);
    out.println("demo store " + demo.resolve("store.json") + ", key id " + LocalKeys.keyId(key));
    Arrays.fill(key, (byte) 0);
    LocalStoreOptions options = LocalStoreOptions.builder()
        .storeFile(demo.resolve("store.json")).keyFile(keyFile).environment(name -> null).build();

    // 2. seed a random demo value per name (what `secrets put NAME` does from stdin)
    List<RegistryEntry> entries = registry.entries(RunEnvironment.LOCAL);
    boolean aliasMem = false;
    SecureRandom random = new SecureRandom();
    try (LocalSecretProvider admin = LocalSecretProvider.create(options)) {
      for (RegistryEntry e : entries) {
        if (e.ref().scheme().equals("mem")) {
          aliasMem = true;
        } else if (!e.ref().scheme().equals(LocalSecretProvider.SCHEME)) {
          continue;
        }
        admin.put(e.ref().path(), demoValue(random), Duration.ofHours(8),
            Map.of("owner", "quick-start"), null);
      }
    }

    // 3. a client over the store; metrics count cache hits and provider fetches
    AtomicInteger hits = new AtomicInteger();
    AtomicInteger fetches = new AtomicInteger();
    SecretsMetrics counting = new SecretsMetrics() {
      @Override
      public void resolved(String scheme, boolean cacheHit, String outcome) {
        if (cacheHit) {
          hits.incrementAndGet();
        }
      }

      @Override
      public void fetched(String scheme, long nanos, boolean success) {
        fetches.incrementAndGet();
      }
    };
    SecretsClient.Builder builder = SecretsClient.builder()
        .provider(LocalSecretProvider.create(LocalStoreOptions.builder()
            .storeFile(options.storeFile()).keyFile(keyFile).environment(name -> null)
            .ttl(Duration.ofSeconds(2)).build()))
        .registry(registry).policy(policy)
        .environment(RunEnvironment.LOCAL)
        .principal("local-quick-start")
        .metrics(counting);
    if (aliasMem) {
      builder.alias("mem", LocalSecretProvider.SCHEME);
      out.println("registry mem:// refs are served by the local store (alias mem -> local)");
    }

    int resolved = 0;
    List<SecretChangeEvent> rotations = new CopyOnWriteArrayList<>();
    List<String> names = new ArrayList<>();
    try (SecretsClient client = builder.build()) {
      for (RegistryEntry e : entries) {
        String scheme = e.ref().scheme();
        if (!scheme.equals("mem") && !scheme.equals(LocalSecretProvider.SCHEME)) {
          out.println("skipped " + e.name() + " -> " + e.ref() + " (not in the demo store)");
          continue;
        }
        try (Secret secret = client.resolveByName(e.name())) {
          int length = secret.useBytes(bytes -> bytes.length);
          out.println("resolved " + e.name() + " -> " + e.ref() + " version "
              + secret.version().orElse("-") + " (" + length + " bytes)");
          log.info("resolved {}: {}", e.name(), secret); // Secret.toString masks the value
          if (resolved == 0) {
            out.println("  log line, redacted: " + redactedLogLine(secret));
          }
          resolved++;
          names.add(e.name());
        }
        try (Secret again = client.resolveByName(e.name())) {
          out.println("  again: " + again + " (from the cache)");
        }
      }
      out.println("cache hits: " + hits.get() + ", provider fetches: " + fetches.get());

      // 4. rotation: another process (here: a second provider, as `secrets put` would) writes a
      //    new version; the client's refresh-ahead (at ~75 % of the 2 s demo TTL, triggered by a
      //    resolve) sees it and tells the listener
      if (!names.isEmpty()) {
        String name = names.get(0);
        SecretRef ref = client.refOf(name);
        CountDownLatch seen = new CountDownLatch(1);
        AutoCloseable subscription = client.onChange(ref, event -> {
          rotations.add(event);
          out.println("rotation seen by listener: " + event.ref() + " version "
              + event.oldVersion().orElse("-") + " -> " + event.newVersion().orElse("-"));
          seen.countDown();
        });
        try (LocalSecretProvider admin = LocalSecretProvider.create(options)) {
          admin.put(ref.path(), demoValue(random));
        }
        try {
          for (int i = 0; i < 40 && seen.getCount() > 0; i++) {
            client.resolveByName(name).close(); // served from the cache; starts the refresh when due
            seen.await(250, TimeUnit.MILLISECONDS);
          }
          subscription.close();
        } catch (Exception e) {
          throw new IllegalStateException("waiting for the rotation failed", e);
        }
        try (Secret rotated = client.resolveByName(name)) {
          out.println("after rotation: " + rotated);
        }
      }
    }
    out.println(resolved + " names resolved, " + rotations.size()
        + " rotation seen; no value was printed");
    return resolved;
  }

  /**
   * A log line that carries the value, as the redacting Logback encoder
   * ({@code secrets-sdk-logback-redactor}) writes it: the client registered the value in the
   * process-wide {@link RedactionIndex} when it resolved it, so it reads {@code [REDACTED:<ref>]}.
   * The line is never printed unredacted.
   */
  private static String redactedLogLine(Secret secret) {
    return secret.useChars(chars -> {
      String value = new String(chars);
      String redacted = RedactionIndex.global()
          .redact("calling the vendor with Authorization: Bearer " + value);
      return redacted.contains(value) ? "(not shown: the value was not redacted)" : redacted;
    });
  }

  private static byte[] demoValue(SecureRandom random) {
    byte[] raw = new byte[24];
    random.nextBytes(raw);
    return ("demo-" + HexFormat.of().formatHex(raw)).getBytes(StandardCharsets.UTF_8);
  }
}
