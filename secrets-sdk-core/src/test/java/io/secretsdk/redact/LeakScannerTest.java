package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
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
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LeakScannerTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/openai/ci#api_key");

  @TempDir Path dir;

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

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
}
