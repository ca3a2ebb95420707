package io.secretsdk.benchmarks;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Question 6: what load does a fleet of clients started together put on one backend? Not a JMH
 * benchmark: a deterministic simulation on a simulated clock, run as
 *
 * <pre>{@code
 * java -cp secrets-sdk-benchmarks/target/benchmarks.jar io.secretsdk.benchmarks.FleetSimulation \
 *     [outputDir=target/fleet] [clients=1000] [refsPerClient=20] [hours=2] [readPeriodSeconds=5]
 * }</pre>
 *
 * <p>{@code clients} {@link SecretsClient}s live in one JVM, all built in simulated second 0
 * (client {@code i} at {@code i} ms), each with its own ticker on the shared simulated clock, a
 * refresh executor that queues tasks which the simulation runs right after the client's reads
 * (same simulated instant), and audit off. Every client holds the same {@code refsPerClient} refs,
 * served by one {@link CountingProvider} with a 5-minute TTL, and reads all of them every
 * {@code readPeriodSeconds} (client {@code i} in the seconds where {@code t % period == i % period})
 * and in second 0. Time moves in 1-second steps for {@code hours}.
 *
 * <p>Three engine settings are compared: the defaults (refresh ahead at 75 % of the TTL less up to
 * 10 % random jitter), {@code refreshAhead(0.75, 0.0)} (no jitter) and
 * {@code refreshAhead(1.0, 0.0)} (no refresh ahead: a value is fetched again by the first read
 * after it expired, as a plain TTL cache does), and {@code refreshAhead(0.75, 0.25)} (a jitter
 * window wider than a minute, to show what flattening the per-minute load would cost). Reported per setting: provider calls per
 * simulated minute (mean, peak, peak-to-mean over the whole run and after the first TTL), the
 * busiest second, and calls per client-hour against the ideal of one call per TTL per ref.
 * Writes {@code fleet-calls-per-minute.csv} and {@code fleet-calls-per-minute.png} to the output
 * directory and prints a Markdown table.
 */
public final class FleetSimulation {
  static final Duration TTL = Duration.ofMinutes(5);

  /** An engine setting under comparison. */
  record Setting(String name, double refreshAhead, double jitter) {}

  static final List<Setting> SETTINGS = List.of(
      new Setting("default (0.75, jitter 0.25)", SecretsClient.Builder.DEFAULT_REFRESH_AHEAD,
          SecretsClient.Builder.DEFAULT_REFRESH_JITTER),
      new Setting("narrow jitter (0.75, 0.10; the old default)", 0.75, 0.10),
      new Setting("no jitter (0.75, 0.0)", 0.75, 0.0),
      new Setting("no refresh-ahead (1.0, 0.0)", 1.0, 0.0));

  /** What one run of the simulation produced. */
  record Result(Setting setting, int clients, int refsPerClient, int hours, long[] perMinute,
      long[] perSecond, long totalCalls) {

    double meanPerMinute(int fromMinute) {
      long sum = 0;
      for (int m = fromMinute; m < perMinute.length; m++) {
        sum += perMinute[m];
      }
      return (double) sum / (perMinute.length - fromMinute);
    }

    long peakPerMinute(int fromMinute) {
      long peak = 0;
      for (int m = fromMinute; m < perMinute.length; m++) {
        peak = Math.max(peak, perMinute[m]);
      }
      return peak;
    }

    long peakPerSecond(int fromSecond) {
      long peak = 0;
      for (int s = fromSecond; s < perSecond.length; s++) {
        peak = Math.max(peak, perSecond[s]);
      }
      return peak;
    }

    double callsPerClientHour() {
      return (double) totalCalls / clients / hours;
    }

    double idealPerClientHour() {
      return refsPerClient * (3600.0 / TTL.toSeconds());
    }
  }

  private FleetSimulation() {}

  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path out = Path.of(args.length > 0 ? args[0] : "target/fleet");
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int refs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int hours = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int period = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    List<Result> results = new ArrayList<>();
    for (Setting s : SETTINGS) {
      long start = System.nanoTime();
      Result r = run(s, clients, refs, hours, period);
      System.err.printf(Locale.ROOT, "simulated %s in %.1f s%n", s.name(),
          (System.nanoTime() - start) / 1e9);
      results.add(r);
    }
    Files.createDirectories(out);
    writeCsv(results, out.resolve("fleet-calls-per-minute.csv"));
    writeChart(results, out.resolve("fleet-calls-per-minute.png"));
    printTable(results, System.out);
  }

  /** Runs one setting; deterministic apart from the engine's own jitter. */
  static Result run(Setting setting, int clients, int refsPerClient, int hours, int period) {
    int seconds = hours * 3600;
    long[] perSecond = new long[seconds];
    long[] perMinute = new long[seconds / 60];
    long[] now = new long[1]; // the simulated second
    CountingProvider provider = new CountingProvider(TTL).onCall(n -> {
      perSecond[(int) now[0]]++;
      perMinute[(int) (now[0] / 60)]++;
    });
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < refsPerClient; i++) {
      refs.add(SecretRef.parse(CountingProvider.SCHEME + "://fleet/vendor-" + i));
    }
    ArrayDeque<Runnable> refreshQueue = new ArrayDeque<>();
    ManualScheduler schedule = new ManualScheduler();
    SecretsClient[] fleet = new SecretsClient[clients];
    for (int c = 0; c < clients; c++) {
      long offsetNanos = Duration.ofMillis(c % 1000).toNanos();
      fleet[c] = SecretsClient.builder()
          .provider(provider)
          .environment(RunEnvironment.PROD)
          .ticker(() -> Duration.ofSeconds(now[0]).toNanos() + offsetNanos)
          .refreshAhead(setting.refreshAhead(), setting.jitter())
          .refreshExecutor(refreshQueue::add)
          .scheduler(schedule)
          .auditSink(AuditSink.none())
          .build();
    }
    try {
      for (int t = 0; t < seconds; t++) {
        now[0] = t;
        schedule.runPeriodicTasks(); // each client's schedule, on the simulated clock
        Runnable scheduled;
        while ((scheduled = refreshQueue.poll()) != null) {
          scheduled.run();
        }
        for (int c = 0; c < clients; c++) {
          if (t != 0 && t % period != c % period) {
            continue;
          }
          SecretsClient client = fleet[c];
          for (SecretRef ref : refs) {
            client.resolve(ref).close();
          }
          Runnable task;
          while ((task = refreshQueue.poll()) != null) {
            task.run();
          }
        }
      }
    } finally {
      for (SecretsClient c : fleet) {
        c.close();
      }
    }
    return new Result(setting, clients, refsPerClient, hours, perMinute, perSecond,
        provider.calls());
  }

  static void printTable(List<Result> results, PrintStream out) {
    Result first = results.get(0);
    int ttlMinutes = (int) TTL.toMinutes();
    out.printf(Locale.ROOT, "%,d clients x %d refs, TTL %d min, %d h simulated; ideal = %.0f calls"
        + " per client-hour%n%n", first.clients(), first.refsPerClient(), ttlMinutes,
        first.hours(), first.idealPerClientHour());
    out.println("| engine setting | calls/min mean | peak min (all) | peak-to-mean (all)"
        + " | peak min (after 1st TTL) | peak-to-mean (after 1st TTL) | peak-to-mean (last hour)"
        + " | busiest second (after 1st TTL) | calls per client-hour | vs ideal |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      double mean = r.meanPerMinute(0);
      double meanAfter = r.meanPerMinute(ttlMinutes);
      int lastHour = Math.max(0, r.perMinute().length - 60);
      out.printf(Locale.ROOT, "| %s | %,.0f | %,d | %.2f | %,d | %.2f | %.2f | %,d | %.1f | %.2fx |%n",
          r.setting().name(), mean, r.peakPerMinute(0), r.peakPerMinute(0) / mean,
          r.peakPerMinute(ttlMinutes), r.peakPerMinute(ttlMinutes) / meanAfter,
          r.peakPerMinute(lastHour) / r.meanPerMinute(lastHour),
          r.peakPerSecond(ttlMinutes * 60), r.callsPerClientHour(),
          r.callsPerClientHour() / r.idealPerClientHour());
    }
  }

  static void writeCsv(List<Result> results, Path file) throws IOException {
    StringBuilder sb = new StringBuilder("minute");
    for (Result r : results) {
      sb.append(',').append('"').append(r.setting().name()).append('"');
    }
    sb.append('\n');
    int minutes = results.get(0).perMinute().length;
    for (int m = 0; m < minutes; m++) {
      sb.append(m);
      for (Result r : results) {
        sb.append(',').append(r.perMinute()[m]);
      }
      sb.append('\n');
    }
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
  }

  static void writeChart(List<Result> results, Path file) {
    int width = 960;
    int height = 440;
    int left = 80;
    int right = 20;
    int top = 40;
    int bottom = 60;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      int minutes = results.get(0).perMinute().length;
      long max = 1;
      for (Result r : results) {
        max = Math.max(max, r.peakPerMinute(0));
      }
      long yMax = niceCeiling(max);
      int plotW = width - left - right;
      int plotH = height - top - bottom;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      // grid and axes
      for (int i = 0; i <= 5; i++) {
        int y = top + plotH - (int) ((long) plotH * i / 5);
        g.setColor(new Color(230, 230, 230));
        g.drawLine(left, y, left + plotW, y);
        g.setColor(Color.DARK_GRAY);
        String label = String.format(Locale.ROOT, "%,d", yMax * i / 5);
        g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
      }
      for (int m = 0; m <= minutes; m += 15) {
        int x = left + (int) ((long) plotW * m / minutes);
        g.setColor(new Color(230, 230, 230));
        g.drawLine(x, top, x, top + plotH);
        g.setColor(Color.DARK_GRAY);
        String label = String.valueOf(m);
        g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, top + plotH + 18);
      }
      g.drawLine(left, top + plotH, left + plotW, top + plotH);
      g.drawLine(left, top, left, top + plotH);
      g.drawString("simulated minute", left + plotW / 2 - 50, height - 20);
      Graphics2D rotated = (Graphics2D) g.create();
      rotated.rotate(-Math.PI / 2);
      rotated.drawString("provider calls per minute", -(top + plotH / 2 + 75), 18);
      rotated.dispose();
      Result first = results.get(0);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(String.format(Locale.ROOT,
          "Fleet simulation: %,d clients x %d refs, TTL %d min, started in the same second",
          first.clients(), first.refsPerClient(), TTL.toMinutes()), left, 24);
      // series: the default last, on top; the others thin and translucent
      Color[] colors = {new Color(31, 119, 180), new Color(214, 39, 40, 150),
          new Color(110, 110, 110, 150), new Color(44, 160, 44, 190)};
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (int s = results.size() - 1; s >= 0; s--) {
        long[] series = results.get(s).perMinute();
        g.setColor(colors[s % colors.length]);
        g.setStroke(new BasicStroke(s == 0 ? 2.4f : 1.2f));
        for (int m = 1; m < minutes; m++) {
          int x0 = left + (int) ((long) plotW * (m - 1) / minutes);
          int x1 = left + (int) ((long) plotW * m / minutes);
          int y0 = top + plotH - (int) (plotH * series[m - 1] / (double) yMax);
          int y1 = top + plotH - (int) (plotH * series[m] / (double) yMax);
          g.drawLine(x0, y0, x1, y1);
        }
      }
      int boxX = left + plotW - 262;
      g.setColor(new Color(255, 255, 255, 235));
      g.fillRect(boxX, top + 2, 258, 12 + 18 * results.size());
      g.setColor(Color.GRAY);
      g.drawRect(boxX, top + 2, 258, 12 + 18 * results.size());
      for (int s = 0; s < results.size(); s++) {
        int ly = top + 18 + s * 18;
        g.setColor(colors[s % colors.length]);
        g.fillRect(boxX + 8, ly - 9, 14, 10);
        g.setColor(Color.DARK_GRAY);
        g.drawString(results.get(s).setting().name(), boxX + 28, ly);
      }
    } finally {
      g.dispose();
    }
    try {
      ImageIO.write(image, "png", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long niceCeiling(long v) {
    long pow = 1;
    while (pow * 10 <= v) {
      pow *= 10;
    }
    for (long step : new long[] {1, 2, 5, 10}) {
      if (step * pow >= v) {
        return step * pow;
      }
    }
    return 10 * pow;
  }
}
