package io.secretsdk.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each benchmark's set-up, one operation and tear-down, called directly (no JMH run): keeps the
 * benchmarks compiling and working without slowing the build down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class BenchmarkSmokeTest {

  @ParameterizedTest
  @ValueSource(strings = {"secretsdk", "secretsdk-audit", "caffeine", "caffeine-engine-config",
      "aws-caching"})
  void cacheHit_eachImpl_returnsTheHotValue(String impl) {
    CacheHitBenchmark b = new CacheHitBenchmark();
    b.impl = impl;
    b.setUp();
    try {
      assertThat(b.hit_1thread()).isNotNull();
      assertThat(b.hit_2threads()).isNotNull();
    } finally {
      b.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"secretsdk", "caffeine", "aws-caching"})
  void coldMiss_eightConcurrentMisses_oneProviderCallPerRound(String impl) throws Exception {
    ColdMissBenchmark b = new ColdMissBenchmark();
    b.impl = impl;
    b.callers = 8;
    b.providerMillis = 5;
    b.setUp();
    ColdMissBenchmark.Calls calls = new ColdMissBenchmark.Calls();
    try {
      for (int round = 0; round < 3; round++) {
        b.prepareRound();
        assertThat(b.round(calls)).isEqualTo(1);
        b.checkRound();
      }
      assertThat(calls.providerCalls).isEqualTo(3);
      assertThat(calls.rounds).isEqualTo(3);
    } finally {
      b.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"secretsdk", "aws-caching"})
  void refreshUnderLoad_steady_readsAndTearsDown(String impl) {
    RefreshUnderLoadBenchmark b = newRefreshBenchmark(impl, "steady");
    RefreshUnderLoadBenchmark.Reader reader = new RefreshUnderLoadBenchmark.Reader();
    reader.setUp(b);
    assertThat(b.read()).isNotNull();
    assertThat(b.readEveryOp(reader)).isNotNull();
    assertThat(reader.outsideRefresh.count()).isEqualTo(1);
    b.tearDown();
  }

  @ParameterizedTest
  @ValueSource(strings = {"secretsdk", "aws-caching"})
  void refreshUnderLoad_refreshingWithoutAnyRefresh_failsTheRun(String impl) {
    RefreshUnderLoadBenchmark b = newRefreshBenchmark(impl, "refreshing");
    assertThat(b.read()).isNotNull();
    assertThatThrownBy(b::tearDown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no refresh happened");
  }

  private static RefreshUnderLoadBenchmark newRefreshBenchmark(String impl, String scenario) {
    RefreshUnderLoadBenchmark b = new RefreshUnderLoadBenchmark();
    b.impl = impl;
    b.scenario = scenario;
    b.setUp();
    return b;
  }

  @ParameterizedTest
  @CsvSource({"pattern,clean", "json,with-value", "pattern-redacting,clean",
      "pattern-redacting,with-value", "json-redacting,with-value",
      "json-logstash-masking,clean", "json-logstash-masking,with-value", "index-scan,with-value",
      "index-scan-no-detectors,clean"})
  void redaction_eachEncoder_encodesAndMasksRegisteredValues(String impl, String message) {
    RedactionBenchmark b = new RedactionBenchmark();
    b.impl = impl;
    b.registered = 10;
    b.message = message;
    b.setUp(); // checks a masked line never holds the value and a clean line is unchanged
    try {
      String line = new String(b.encode(), StandardCharsets.UTF_8);
      assertThat(line).contains("order 48213");
      boolean masks = !impl.equals("pattern") && !impl.equals("json");
      // index-scan* return the scanned pattern line
      if (masks && message.equals("with-value")) {
        assertThat(line).doesNotContain(b.value);
      }
    } finally {
      b.tearDown();
    }
  }

  @Test
  void redaction_messageWithValue_is200BytesAndHoldsTheValue() {
    String value = new String(CountingProvider.valueOf("redact/vendor-5"), StandardCharsets.US_ASCII);
    assertThat(RedactionBenchmark.message(value)).hasSize(200).contains(value);
    assertThat(RedactionBenchmark.message(null)).hasSize(200).doesNotContain("sk-bench-");
  }

  @Test
  void footprint_thousandEntries_measuresEveryImpl() throws Exception {
    List<FootprintMeasurement.Row> rows = FootprintMeasurement.measureAll(1_000, 1);
    assertThat(rows).extracting(FootprintMeasurement.Row::impl)
        .containsExactly("secretsdk", "caffeine", "aws-caching", "redaction-index");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    FootprintMeasurement.print(rows, new PrintStream(text, true, StandardCharsets.UTF_8));
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("| secretsdk | 1,000 |");
  }

  @Test
  void fleet_noRefreshAhead_makesTheIdealNumberOfCalls() {
    FleetSimulation.Result r = FleetSimulation.run(FleetSimulation.SETTINGS.get(3), 7, 3, 1, 5);
    assertThat(r.callsPerClientHour()).isEqualTo(r.idealPerClientHour());
    assertThat(java.util.Arrays.stream(r.perMinute()).sum()).isEqualTo(r.totalCalls());
    assertThat(r.perMinute()[0]).isEqualTo(7 * 3);
  }

  @Test
  void fleet_refreshAhead_callsMoreOftenThanTheTtl() {
    FleetSimulation.Result r = FleetSimulation.run(FleetSimulation.SETTINGS.get(1), 7, 3, 1, 5);
    assertThat(r.callsPerClientHour()).isGreaterThan(r.idealPerClientHour());
  }

  @Test
  void fleetMain_smallFleet_writesCsvChartAndTable(@TempDir Path dir) throws Exception {
    // the README's example, scaled down
    FleetSimulation.main(new String[] {dir.toString(), "20", "2", "1", "5"});
    assertThat(Files.readAllLines(dir.resolve("fleet-calls-per-minute.csv"))).hasSize(61);
    BufferedImage png = ImageIO.read(dir.resolve("fleet-calls-per-minute.png").toFile());
    assertThat(png.getWidth()).isEqualTo(960);
  }
}
