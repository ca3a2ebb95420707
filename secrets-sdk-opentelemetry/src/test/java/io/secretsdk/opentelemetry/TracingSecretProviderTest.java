package io.secretsdk.opentelemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchOutcome;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.RunEnvironment;
import io.secretsdk.testing.FakeSecretProvider;
import io.secretsdk.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class TracingSecretProviderTest {
  private static final AttributeKey<String> SCHEME = AttributeKey.stringKey(SecretsTracing.SCHEME);
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(SecretsTracing.OUTCOME);
  private static final AttributeKey<String> REF_HASH = AttributeKey.stringKey(SecretsTracing.REF_HASH);

  private final String canary = "canary-" + UUID.randomUUID();
  /** The ref's path names a customer: it must not reach a span either. */
  private final String path = "customer-" + UUID.randomUUID() + "/db";
  private final SecretRef ref = SecretRef.parse("fake://" + path);
  private final FakeSecretProvider fake = FakeSecretProvider.create("fake");
  private final FakeTicker ticker = new FakeTicker();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
  private final byte[] key = ("hash-key-" + UUID.randomUUID()).getBytes(UTF_8);
  private final SecretsTracing tracing =
      SecretsTracing.builder(otel).refHashKey(key).redactionIndex(RedactionIndex.create()).build();
  private final List<SecretsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(SecretsClient::close);
    otel.close();
  }

  private SecretsClient client() {
    SecretsClient c = SecretsClient.builder()
        .provider(tracing.wrap(fake))
        .ticker(ticker)
        .keepWarm(0) // refreshes only on reads: the spans asserted are the ones the test causes
        .refreshExecutor(Runnable::run)
        .retry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1))
        .redactionIndex(RedactionIndex.create())
        .build();
    clients.add(c);
    return c;
  }

  /** Everything a span exporter would send, as text: name, attributes, status, events. */
  private static String exported(SpanData s) {
    return s.getName() + " " + s.getAttributes() + " " + s.getStatus() + " " + s.getEvents() + " " + s;
  }

  private void assertNoLeak() {
    assertThat(spans.getFinishedSpanItems()).isNotEmpty().allSatisfy(s -> assertThat(exported(s))
        .doesNotContain(canary)
        .doesNotContain(path)
        .doesNotContain(new String(key, UTF_8)));
  }

  @Test
  void resolve_onMiss_oneFetchSpanWithSchemeOutcomeAndKeyedRefHash_childOfCallersSpan() {
    fake.set(path, canary);
    SecretsClient client = client();
    Tracer callerTracer = otel.getTracer("runner");
    Span caller = callerTracer.spanBuilder("runner.call").startSpan();
    try (Scope ignored = caller.makeCurrent(); Secret s = client.resolve(ref)) {
      assertThat(s.reveal()).isEqualTo(canary);
    } finally {
      caller.end();
    }
    client.resolve(ref).close(); // a hit: no provider call, no span

    List<SpanData> fetches = spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().startsWith("secrets.")).toList();
    assertThat(fetches).hasSize(1);
    SpanData fetch = fetches.get(0);
    assertThat(fetch.getName()).isEqualTo("secrets.fetch");
    assertThat(fetch.getAttributes().get(SCHEME)).isEqualTo("fake");
    assertThat(fetch.getAttributes().get(OUTCOME)).isEqualTo("success");
    assertThat(fetch.getAttributes().get(REF_HASH)).isEqualTo(tracing.refHash(ref)).startsWith("hmac-sha256:");
    assertThat(fetch.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
    assertThat(fetch.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertNoLeak();
  }

  @Test
  void backgroundAndExplicitRefresh_areRefreshSpans() {
    fake.set(path, canary, Duration.ofSeconds(100));
    SecretsClient client = client();
    client.resolve(ref).close();
    ticker.advance(Duration.ofSeconds(90)); // past the refresh-ahead point, inside the TTL
    client.resolve(ref).close();            // a hit that starts a background refresh (run inline)
    client.refresh(ref).close();

    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName)
        .containsExactly("secrets.fetch", "secrets.refresh", "secrets.refresh");
    assertThat(spans.getFinishedSpanItems().get(1).getParentSpanContext().isValid()).isFalse();
    assertNoLeak();
  }

  @Test
  void failures_recordOutcomeStatusAndExceptionTypeOnly_neverTheUnscrubbedMessage() {
    fake.set(path, canary);
    fake.failNext(path, 1, r -> new ProviderUnavailableException(r, "backend said " + canary));
    fake.failNext(path, 1, r -> new SecretAccessDeniedException(r, "denied: token " + canary));
    SecretsClient client = client();
    assertThatThrownBy(() -> client.resolve(ref)).isInstanceOf(ProviderUnavailableException.class);
    ticker.advance(Duration.ofMinutes(1)); // past the miss backoff
    assertThatThrownBy(() -> client.resolve(ref)).isInstanceOf(SecretAccessDeniedException.class);
    fake.delete(path);
    ticker.advance(Duration.ofMinutes(1)); // past the negative TTL
    assertThatThrownBy(() -> client.resolve(ref)).isInstanceOf(SecretNotFoundException.class);

    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).extracting(s -> s.getAttributes().get(OUTCOME))
        .containsExactly("unavailable", "denied", "not_found");
    for (SpanData s : finished) {
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(s.getStatus().getDescription()).isEqualTo(s.getAttributes().get(OUTCOME));
      assertThat(s.getEvents()).extracting(EventData::getName).containsExactly("exception");
      EventData event = s.getEvents().get(0);
      assertThat(event.getAttributes().get(AttributeKey.stringKey("exception.type"))).startsWith("io.secretsdk.");
      assertThat(event.getAttributes().get(AttributeKey.stringKey("exception.message"))).isNull();
      assertThat(event.getAttributes().get(AttributeKey.stringKey("exception.stacktrace"))).isNull();
    }
    assertNoLeak();
  }

  @Test
  void unexpectedRuntimeException_isErrorWithItsTypeAndRethrownAsIs() {
    SecretProvider throwing = new SecretProvider() {
      @Override
      public String scheme() {
        return "boom";
      }

      @Override
      public io.secretsdk.spi.FetchResult fetch(SecretRef r, FetchContext c) {
        throw new IllegalStateException("driver state dump " + canary);
      }
    };
    SecretProvider wrapped = tracing.wrap(throwing);
    assertThatThrownBy(() -> wrapped.fetch(SecretRef.parse("boom://" + path), FetchContext.of(RunEnvironment.CI)))
        .isInstanceOf(IllegalStateException.class);
    SpanData s = spans.getFinishedSpanItems().get(0);
    assertThat(s.getAttributes().get(OUTCOME)).isEqualTo("error");
    assertThat(s.getEvents().get(0).getAttributes().get(AttributeKey.stringKey("exception.type")))
        .isEqualTo(IllegalStateException.class.getName());
    assertNoLeak();
  }

  @Test
  void fetchAll_oneSpanWithCountHashesAndPartialOutcome() {
    fake.set(path, canary);
    SecretRef missing = SecretRef.parse("fake://" + path + "-missing");
    Map<SecretRef, FetchOutcome> out = tracing.wrap(fake)
        .fetchAll(List.of(ref, missing), FetchContext.of(RunEnvironment.CI));
    assertThat(out.get(ref).result()).isPresent();
    assertThat(out.get(missing).failure()).containsInstanceOf(SecretNotFoundException.class);

    SpanData s = spans.getFinishedSpanItems().get(0);
    assertThat(s.getName()).isEqualTo("secrets.fetch_all");
    assertThat(s.getAttributes().get(OUTCOME)).isEqualTo("partial");
    assertThat(s.getAttributes().get(AttributeKey.longKey(SecretsTracing.REF_COUNT))).isEqualTo(2L);
    assertThat(s.getAttributes().get(AttributeKey.longKey(SecretsTracing.FAILED_COUNT))).isEqualTo(1L);
    assertThat(s.getAttributes().get(AttributeKey.stringArrayKey(SecretsTracing.REF_HASHES)))
        .containsExactly(tracing.refHash(ref), tracing.refHash(missing));
    assertNoLeak();
  }

  @Test
  void writeDescribeRevoke_areDelegatedAndTraced_unsupportedStaysUnsupported() {
    SecretProvider wrapped = tracing.wrap(fake);
    assertThatThrownBy(() -> wrapped.write(ref, canary.getBytes(UTF_8), null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> wrapped.describe(ref)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(wrapped.scheme()).isEqualTo("fake");
    wrapped.close();
    assertThat(fake.isClosed()).isTrue();
    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName)
        .containsExactly("secrets.write", "secrets.describe");
    assertThat(spans.getFinishedSpanItems()).extracting(s -> s.getAttributes().get(OUTCOME))
        .containsOnly("unsupported");
    assertNoLeak();
  }

  @Test
  void refHash_isKeyed_stableForOneKey_differentUnderAnother() {
    SecretsTracing same = SecretsTracing.builder(otel).refHashKey(key).redactionIndex(RedactionIndex.create()).build();
    SecretsTracing other = SecretsTracing.builder(otel)
        .refHashKey(("other-key-" + UUID.randomUUID()).getBytes(UTF_8)).redactionIndex(RedactionIndex.create()).build();
    SecretsTracing random = SecretsTracing.builder(otel).redactionIndex(RedactionIndex.create()).build();
    assertThat(same.refHash(ref)).isEqualTo(tracing.refHash(ref)).matches("hmac-sha256:[0-9a-f]{64}");
    assertThat(other.refHash(ref)).isNotEqualTo(tracing.refHash(ref));
    assertThat(random.refHash(ref)).isNotEqualTo(tracing.refHash(ref));
    assertThat(tracing.refHash(SecretRef.parse("fake://" + path + "#password")))
        .isNotEqualTo(tracing.refHash(ref));
    assertThat(tracing.toString()).doesNotContain(new String(key, UTF_8));
  }

  @Test
  void refHashKey_tooShort_isRejectedNamingTheField_andTheKeyIsRegisteredForRedaction() {
    assertThatThrownBy(() -> SecretsTracing.builder(otel).refHashKey(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refHashKey");
    RedactionIndex index = RedactionIndex.create();
    SecretsTracing.builder(otel).refHashKey(key).redactionIndex(index).build();
    assertThat(index.redact("key=" + new String(key, UTF_8))).doesNotContain(new String(key, UTF_8));
  }

  @Test
  void manyThreads_missesForManyRefs_everyFetchHasOneEndedSpan() throws Exception {
    for (int i = 0; i < 64; i++) {
      fake.set(path + i, canary + i);
    }
    SecretsClient client = client();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        work.add(pool.submit(() -> {
          for (int i = 0; i < 64; i++) {
            client.resolve(SecretRef.parse("fake://" + path + i)).close();
          }
        }));
      }
      for (Future<?> f : work) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(spans.getFinishedSpanItems()).hasSize(fake.totalCalls()).hasSize(64);
    assertThat(spans.getFinishedSpanItems()).extracting(s -> s.getAttributes().get(REF_HASH)).doesNotHaveDuplicates();
    assertNoLeak();
  }
}
