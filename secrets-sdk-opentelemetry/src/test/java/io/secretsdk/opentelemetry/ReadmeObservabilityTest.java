package io.secretsdk.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.metrics.MicrometerSecretsMetrics;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.testing.FakeSecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs README.md's observability example and checks the README shows it and its scrape output. */
@Timeout(30)
final class ReadmeObservabilityTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SELF =
      Path.of("src/test/java/io/secretsdk/opentelemetry/ReadmeObservabilityTest.java");

  /** Stands in for the vendor call the runner makes with the key. */
  static int callOpenAi(char[] apiKey) {
    return apiKey.length;
  }

  static String example(OpenTelemetry openTelemetry, byte[] refHashKey, SecretProvider vault) {
    // snippet:observability:start
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SecretsTracing tracing = SecretsTracing.builder(openTelemetry)
        .refHashKey(refHashKey) // the same key in every process of the service, kept like a secret
        .build();
    try (SecretsClient client = SecretsClient.builder()
        .provider(tracing.wrap(vault)) // any provider: a span per fetch and refresh
        .metrics(MicrometerSecretsMetrics.of(prometheus))
        .build()) {
      try (Secret key = client.resolve("vault://secret/openai/ci#api_key")) {
        key.useChars(chars -> callOpenAi(chars));
      }
      return prometheus.scrape(); // serve this text on the runner's /metrics endpoint
    }
    // snippet:observability:end
  }

  @Test
  void readmeExample_recordsASpanAndScrapesTheMetrics_withoutRefOrValue() throws Exception {
    String canary = "canary-" + UUID.randomUUID();
    FakeSecretProvider vault = FakeSecretProvider.create("vault");
    vault.set("secret/openai/ci", canary);
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build()) {
      String scrape = example(otel, ("key-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8), vault);

      assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("secrets.fetch");
      assertThat(scrape).doesNotContain(canary).doesNotContain("openai");
      for (String name : readmeScrapeMetricNames()) {
        assertThat(scrape).as("scrape shows " + name).contains(name);
      }
    }
  }

  @Test
  void readme_showsTheTestedExample() throws Exception {
    assertThat(normalize(readmeBlock("java", "observability"))).isEqualTo(normalize(region()));
  }

  /** The metric names of the README's sample scrape output. */
  private static java.util.Set<String> readmeScrapeMetricNames() throws Exception {
    String sample = readmeBlock("text", "observability-scrape");
    java.util.Set<String> names = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("^(secrets_[a-z_]+)", Pattern.MULTILINE).matcher(sample);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).contains("secrets_resolve_total", "secrets_fetch_seconds_bucket",
        "secrets_since_last_refresh_seconds");
    return names;
  }

  private static String readmeBlock(String language, String name) throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<!-- snippet:" + Pattern.quote(name) + " [^>]*-->\\s*```" + language
        + "\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("README.md has snippet " + name).isTrue();
    return m.group(1);
  }

  private static String region() throws Exception {
    String src = Files.readString(SELF, StandardCharsets.UTF_8);
    int start = src.indexOf("// snippet:observability:start");
    int end = src.indexOf("// snippet:observability:end");
    return src.substring(src.indexOf('\n', start) + 1, end);
  }

  private static String normalize(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }
}
