package io.secretsdk.rotation;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A client over a counting {@code mem://} provider holding a random signing key and one target
 * secret, a clock moved by hand, and helpers that write and sign notification bodies.
 */
final class WebhookFixture implements AutoCloseable {
  static final String KEY_PATH = "webhooks/rotation-key";
  static final SecretRef KEY_REF = SecretRef.parse("mem://" + KEY_PATH);
  static final String TARGET_PATH = "payments/stripe";
  static final SecretRef TARGET = SecretRef.parse("mem://" + TARGET_PATH);
  static final Instant START = Instant.parse("2026-12-02T19:00:00Z");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger DELIVERIES = new AtomicInteger();

  final MemSecretProvider mem = MemSecretProvider.create();
  final CountingProvider counting = new CountingProvider(mem);
  final MutableClock clock = new MutableClock(START);
  final String key = canary();
  final String targetValue = canary();
  final SecretsClient client;
  final RotationWebhook webhook;

  WebhookFixture() {
    this(b -> {});
  }

  WebhookFixture(Consumer<RotationWebhook.Builder> config) {
    mem.put(KEY_PATH, key);
    mem.put(TARGET_PATH, targetValue);
    client = SecretsClient.builder()
        .provider(counting)
        .environment(RunEnvironment.LOCAL)
        .negativeTtl(Duration.ZERO)
        .redactionIndex(RedactionIndex.create())
        .build();
    RotationWebhook.Builder b = RotationWebhook.builder(client, KEY_REF).clock(clock);
    config.accept(b);
    webhook = b.build();
    client.resolve(TARGET).close(); // the runner uses the target: it is cached, one fetch
  }

  /** Fetches of the target so far (the first is the warm-up resolve). */
  int targetFetches() {
    return counting.fetches(TARGET_PATH);
  }

  int webhookDeliveries() {
    return webhook.rememberedDeliveries();
  }

  static String canary() {
    StringBuilder sb = new StringBuilder("CANARY");
    for (int i = 0; i < 26; i++) {
      sb.append((char) ('a' + RANDOM.nextInt(26)));
    }
    return sb.toString();
  }

  static String newDeliveryId() {
    return "d-" + DELIVERIES.incrementAndGet() + "-" + RANDOM.nextInt(1_000_000);
  }

  /** A valid body for the target, timestamped now, with a fresh delivery id. */
  String body() {
    return body(TARGET.toString(), newDeliveryId(), clock.instant());
  }

  String body(String secretId, String deliveryId, Instant timestamp) {
    return "{\"secret_id\":\"" + secretId + "\",\"new_version\":\"2\",\"rotated_from\":\"1\","
        + "\"timestamp\":" + timestamp.getEpochSecond() + ",\"delivery_id\":\"" + deliveryId + "\"}";
  }

  String sign(String body) {
    return RotationWebhook.sign(key.getBytes(StandardCharsets.UTF_8), bytes(body));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Signs and handles {@code body} through the framework-neutral handler. */
  RotationWebhook.Response post(String body) {
    return webhook.handle(Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(sign(body))), bytes(body));
  }

  @Override
  public void close() {
    client.close();
  }

  /** Delegates to a {@link MemSecretProvider}, counting fetches per path. */
  static final class CountingProvider implements SecretProvider {
    private final MemSecretProvider delegate;
    private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();

    CountingProvider(MemSecretProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      fetches.computeIfAbsent(ref.path(), p -> new AtomicInteger()).incrementAndGet();
      return delegate.fetch(ref, context);
    }

    int fetches(String path) {
      AtomicInteger n = fetches.get(path);
      return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
