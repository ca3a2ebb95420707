package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.secretsdk.redact.ScanFixtures.zip;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LeakScannerTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/openai/ci#api_key");

  @TempDir Path dir;

  @Test
  void scan_valuesTokensAndArchives_reportedWithPositionsNeverValues() throws IOException {
    String v = Canaries.canary();
    String token = "ghp" + "_" + Canaries.alnum(36);
    RedactionIndex index = RedactionIndex.create();
    index.register(REF, v.getBytes(UTF_8));
    Files.createDirectories(dir.resolve("logs"));
    Files.writeString(dir.resolve("logs/run.log"), "first line\nü key=" + v + "\n");
    Files.writeString(dir.resolve("logs/b64.txt"),
        "x\ny\n  " + Base64.getEncoder().encodeToString(v.getBytes(UTF_8)) + "\n");
    Files.writeString(dir.resolve("clean.txt"), "nothing to see\n");
    byte[] inner = zip(Map.of("config/app.properties", ("token=" + token + "\n").getBytes(UTF_8)));
    Files.write(dir.resolve("app.jar"), zip(Map.of(
        "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(UTF_8),
        "lib/inner.jar", inner)));
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/ORIG"), v);

    LeakScanner.Report report = LeakScanner.builder().index(index).build().scan(List.of(dir));

    assertThat(report.findings()).extracting(LeakFinding::toString).containsExactlyInAnyOrder(
        dir.resolve("logs/run.log") + ":2:7 value vault://secret/openai/ci#api_key",
        dir.resolve("logs/b64.txt") + ":3:3 value vault://secret/openai/ci#api_key",
        dir.resolve("app.jar") + "!/lib/inner.jar!/config/app.properties:1:7 token github-token");
    assertThat(report.errors()).isEmpty();
    assertThat(report.filesScanned()).isEqualTo(7); // 3 files, the jar, its 2 entries, the inner entry
    assertThat(report.toString() + report.findings()).doesNotContain(v).doesNotContain(token);
    assertThat(report.isClean()).isFalse();
  }

  @Test
  void scan_ignoreFile_skipsFixturesButNotTheRest() throws IOException {
    String token = "xox" + "b-" + Canaries.digits(10) + "-" + Canaries.digits(13) + "-" + Canaries.alnum(24);
    Files.createDirectories(dir.resolve("src/test/resources/fixtures"));
    Files.createDirectories(dir.resolve("target"));
    Files.writeString(dir.resolve("src/test/resources/fixtures/slack.json"), token);
    Files.writeString(dir.resolve("target/out.log"), token);
    Files.writeString(dir.resolve("fake-token.txt"), token);
    Files.writeString(dir.resolve("real.log"), token);
    Files.writeString(dir.resolve(".leakscanignore"),
        "# fixtures hold fake tokens on purpose\nsrc/test/resources/fixtures/\ntarget/\nfake-*.txt\n");

    LeakScanner.Report report = LeakScanner.builder().ignoreFile(dir.resolve(".leakscanignore"))
        .build().scan(List.of(dir));

    assertThat(report.findings()).extracting(LeakFinding::path)
        .containsExactly(dir.resolve("real.log").toString());
  }

  @Test
  void scan_keyedFingerprints_foundWithoutTheValue() throws IOException {
    byte[] key = "ci-fingerprint-key".getBytes(UTF_8);
    String v = Canaries.canary();
    String fp = KeyedFingerprints.fingerprint(key, v.getBytes(UTF_8));
    assertThat(fp).startsWith("hmac-sha256:").hasSize(12 + 64).doesNotContain(v);
    Files.writeString(dir.resolve("fp.txt"), "# ci secrets\n" + fp + " aws-sm://prod/stripe#api_key\n");
    Files.writeString(dir.resolve("a.env"), "OTHER=1\nSTRIPE_KEY=" + v + "\n");
    Files.writeString(dir.resolve("b.json"), "{\"key\":\"" + v + "\"}\nEnd: " + v + ".\n");

    KeyedFingerprints fps = KeyedFingerprints.load(key, dir.resolve("fp.txt"));
    LeakScanner.Report report = LeakScanner.builder().fingerprints(fps).build()
        .scan(List.of(dir.resolve("a.env"), dir.resolve("b.json")));

    assertThat(report.findings()).extracting(LeakFinding::toString).containsExactly(
        dir.resolve("a.env") + ":2:12 fingerprint aws-sm://prod/stripe#api_key",
        dir.resolve("b.json") + ":1:9 fingerprint aws-sm://prod/stripe#api_key",
        dir.resolve("b.json") + ":2:6 fingerprint aws-sm://prod/stripe#api_key");
  }

  @Test
  void scan_missingPath_reportedAsError() {
    LeakScanner.Report report = LeakScanner.builder().build().scan(List.of(dir.resolve("nope")));
    assertThat(report.errors()).singleElement().asString().contains("nope");
    assertThat(report.isClean()).isFalse();
  }

  private int cli(Map<String, String> env, ByteArrayOutputStream out, ByteArrayOutputStream err,
      String... args) {
    return LeakScannerMain.run(List.of(args), env, new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8));
  }

  @Test
  void main_findingsCleanAndUsage_exitCodes() throws IOException {
    String v = Canaries.canary();
    Files.writeString(dir.resolve("log.txt"), "a\nb " + v + "\n");
    Files.writeString(dir.resolve("ok.txt"), "fine\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = cli(Map.of("CANARY", v), out, err, "--no-ignore-file", "--value-env", "CANARY",
        dir.toString());

    assertThat(status).isEqualTo(LeakScannerMain.FINDINGS);
    assertThat(out.toString(UTF_8)).isEqualTo(dir.resolve("log.txt") + ":2:3 value env://CANARY"
        + System.lineSeparator());
    assertThat(out.toString(UTF_8) + err.toString(UTF_8)).doesNotContain(v);

    ByteArrayOutputStream out2 = new ByteArrayOutputStream();
    assertThat(cli(Map.of("CANARY", v), out2, err, "--no-ignore-file", "--value-env", "CANARY",
        dir.resolve("ok.txt").toString())).isEqualTo(LeakScannerMain.CLEAN);
    assertThat(out2.size()).isZero();

    assertThat(cli(Map.of(), out2, err)).isEqualTo(LeakScannerMain.ERROR);
    assertThat(cli(Map.of(), out2, err, "--bogus", "x")).isEqualTo(LeakScannerMain.ERROR);
    assertThat(cli(Map.of(), out2, err, "--value-env", "UNSET", dir.toString()))
        .isEqualTo(LeakScannerMain.ERROR);
    assertThat(cli(Map.of(), out2, err, "--no-ignore-file", dir.resolve("missing").toString()))
        .isEqualTo(LeakScannerMain.ERROR);
    assertThat(err.toString(UTF_8)).contains("unknown option --bogus").contains("UNSET");
  }

  @Test
  void main_couldNotRead_exitStatusAsTheHelpDocuments() throws IOException {
    String v = Canaries.canary();
    Files.write(dir.resolve("app.log.gz"), ScanFixtures.gzip(("k=" + v + "\n").getBytes(UTF_8)));
    byte[] cut = ScanFixtures.gzip(("nothing to see\n").getBytes(UTF_8));
    Files.write(dir.resolve("cut.log.gz"), java.util.Arrays.copyOf(cut, cut.length - 10));
    Files.createSymbolicLink(dir.resolve("gone.log"), dir.resolve("nowhere"));
    ByteArrayOutputStream help = new ByteArrayOutputStream();
    assertThat(cli(Map.of(), new ByteArrayOutputStream(), help, "--help")).isEqualTo(LeakScannerMain.CLEAN);
    assertThat(help.toString(UTF_8)).contains("exit status: 0 nothing found and everything read; 1 findings"
        + " (whether or not something could not be read); 2 usage error (an option's file unreadable"
        + " too), or nothing found but a file or entry could not be read (each named on stderr)");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int unreadableOnly = cli(Map.of(), out, err, "--no-ignore-file", dir.resolve("cut.log.gz").toString(),
        dir.resolve("gone.log").toString());
    assertThat(unreadableOnly).isEqualTo(LeakScannerMain.ERROR).isEqualTo(2);
    assertThat(out.size()).isZero();
    assertThat(err.toString(UTF_8)).contains(
        "leak-scan: could not read: " + dir.resolve("cut.log.gz") + ": corrupt gzip data (EOFException",
        "leak-scan: could not read: " + dir.resolve("gone.log") + ": broken symbolic link, not read",
        "leak-scan: 0 finding(s) in 2 file(s) or entries, 2 could not be read");

    ByteArrayOutputStream out2 = new ByteArrayOutputStream();
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    int both = cli(Map.of("CANARY", v), out2, err2, "--no-ignore-file", "--value-env", "CANARY",
        dir.toString());
    assertThat(both).isEqualTo(LeakScannerMain.FINDINGS).isEqualTo(1);
    assertThat(out2.toString(UTF_8)).isEqualTo(dir.resolve("app.log.gz") + "!/app.log:1:3 value env://CANARY"
        + System.lineSeparator());
    assertThat(err2.toString(UTF_8)).contains("leak-scan: could not read: " + dir.resolve("gone.log")
        + ": broken symbolic link, not read");
    assertThat(out.toString(UTF_8) + err.toString(UTF_8) + out2.toString(UTF_8) + err2.toString(UTF_8))
        .doesNotContain(v);
  }
}
