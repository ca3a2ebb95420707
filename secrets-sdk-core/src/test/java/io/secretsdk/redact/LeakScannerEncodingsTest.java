package io.secretsdk.redact;

import static io.secretsdk.redact.ScanFixtures.concat;
import static io.secretsdk.redact.ScanFixtures.gzip;
import static io.secretsdk.redact.ScanFixtures.zip;
import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.SecretRef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The leak scanner through gzip, zip/gzip nesting, UTF-16 and UTF-8 BOMs, and what it cannot read. */
final class LeakScannerEncodingsTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/ci/db#password");
  private static final String LABEL = " value " + REF;

  @TempDir Path dir;
  private String v;
  private RedactionIndex index;

  @BeforeEach
  void canary() {
    v = Canaries.canary();
    index = RedactionIndex.create();
    index.register(REF, v.getBytes(UTF_8));
  }

  private String log() {
    return "first line ü\nuser=ci password=" + v + " ok\n";
  }

  private LeakScanner.Report scan(Path... paths) {
    LeakScanner.Report report = LeakScanner.builder().index(index).build().scan(List.of(paths));
    assertNoValue(report);
    return report;
  }

  private void assertNoValue(LeakScanner.Report report) {
    assertThat(report.toString() + report.findings() + report.errors()).doesNotContain(v);
  }

  @Test
  void gzip_byNameAndByMagic_decompressedAndPositioned() throws IOException {
    Files.write(dir.resolve("app.log.gz"), gzip(log().getBytes(UTF_8)));
    Files.write(dir.resolve("app.log.1"), gzip(log().getBytes(UTF_8))); // logrotate without .gz

    LeakScanner.Report report = scan(dir);

    assertThat(report.findings()).extracting(LeakFinding::toString).containsExactlyInAnyOrder(
        dir.resolve("app.log.gz") + "!/app.log:2:18" + LABEL,
        dir.resolve("app.log.1") + "!/app.log.1:2:18" + LABEL);
    assertThat(report.errors()).isEmpty();
    assertThat(report.filesScanned()).isEqualTo(4);
  }

  @Test
  void gzipInsideZip_andZipInsideGzip_opened() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("logs/app.log.gz", gzip(log().getBytes(UTF_8)));
    entries.put("README.txt", "nothing here\n".getBytes(UTF_8));
    Files.write(dir.resolve("build.jar"), zip(entries));
    Files.write(dir.resolve("bundle.zip.gz"), gzip(zip(Map.of("run/out.txt", log().getBytes(UTF_8)))));
    Files.write(dir.resolve("x.tgz"), gzip(log().getBytes(UTF_8)));

    LeakScanner.Report report = scan(dir);

    assertThat(report.findings()).extracting(LeakFinding::toString).containsExactlyInAnyOrder(
        dir.resolve("build.jar") + "!/logs/app.log.gz!/app.log:2:18" + LABEL,
        dir.resolve("bundle.zip.gz") + "!/bundle.zip!/run/out.txt:2:18" + LABEL,
        dir.resolve("x.tgz") + "!/x.tar:2:18" + LABEL);
    assertThat(report.errors()).isEmpty();
  }

  /** Runs a command in {@code dir}; the test is skipped when the tool is missing. */
  private void run(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      p = null;
    }
    assumeTrue(p != null, command[0] + " is not available here");
    p.getInputStream().transferTo(OutputStream.nullOutputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gnu", "pax", "ustar"})
  void tarGz_membersOpenedWithTheirPaths_asGnuTarWritesThem(String format) throws Exception {
    String longDir = "deep/" + "d".repeat(70);
    String longFile = "f".repeat(70) + ".log"; // a path over tar's 100-byte name field
    Files.createDirectories(dir.resolve("src/logs"));
    Files.createDirectories(dir.resolve("src/" + longDir));
    Files.writeString(dir.resolve("src/logs/app.log"), log());
    Files.writeString(dir.resolve("src/logs/clean.log"), "nothing\n".repeat(200));
    Files.writeString(dir.resolve("src/" + longDir + "/" + longFile), "k=" + v + "\n");
    Files.write(dir.resolve("src/logs/old.log.gz"), gzip(log().getBytes(UTF_8)));
    run("tar", "--format=" + format, "-czf", "logs.tar.gz", "-C", "src", "logs", "deep");

    LeakScanner.Report report = scan(dir.resolve("logs.tar.gz"));

    String tar = dir.resolve("logs.tar.gz") + "!/logs.tar!/";
    assertThat(report.findings()).extracting(LeakFinding::toString).containsExactlyInAnyOrder(
        tar + "logs/app.log:2:18" + LABEL,
        tar + "logs/old.log.gz!/old.log:2:18" + LABEL,
        tar + longDir + "/" + longFile + ":1:3" + LABEL);
    assertThat(report.errors()).isEmpty();
  }

  @Test
  void corruptTar_reportedAfterTheMembersBeforeIt() throws Exception {
    Files.createDirectories(dir.resolve("src"));
    Files.writeString(dir.resolve("src/a.log"), "k=" + v + "\n");
    Files.writeString(dir.resolve("src/b.log"), "k=" + v + "\n");
    run("tar", "-cf", "x.tar", "-C", "src", "a.log", "b.log");
    byte[] tar = Files.readAllBytes(dir.resolve("x.tar"));
    tar[1024 + 10] ^= 0x01; // b.log's header, after a.log's header and data block
    Files.write(dir.resolve("x.tar"), tar);

    LeakScanner.Report report = scan(dir.resolve("x.tar"));

    assertThat(report.findings()).extracting(LeakFinding::path)
        .containsExactly(dir.resolve("x.tar") + "!/a.log");
    assertThat(report.errors()).containsExactly(dir.resolve("x.tar")
        + ": corrupt tar archive (bad header checksum at offset 1024), not scanned further");
  }

  @ParameterizedTest(name = "{0} bom={1}")
  @CsvSource({"UTF-16LE, true", "UTF-16BE, true", "UTF-16LE, false", "UTF-16BE, false"})
  void utf16_withAndWithoutBom_decodedAndColumnsInCharacters(String charset, boolean bom)
      throws IOException {
    Charset cs = Charset.forName(charset);
    // an emoji (two UTF-16 units, one character) and a non-ASCII letter before the value
    String text = "PS C:\\> dotnet test\r\n\uD83D\uDE00 é token: " + v + "\r\n";
    byte[] body = text.getBytes(cs);
    byte[] bytes = bom ? concat(cs == UTF_16LE ? new byte[] {(byte) 0xFF, (byte) 0xFE}
        : new byte[] {(byte) 0xFE, (byte) 0xFF}, body) : body;
    Files.write(dir.resolve("test.log"), bytes);

    LeakScanner.Report report = scan(dir.resolve("test.log"));

    assertThat(report.findings()).extracting(LeakFinding::toString)
        .containsExactly(dir.resolve("test.log") + ":2:12" + LABEL);
    assertThat(report.errors()).isEmpty();
  }

  @Test
  void utf16InsideGzip_andUtf8Bom_found() throws IOException {
    Files.write(dir.resolve("win.log.gz"), gzip(concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
        log().getBytes(UTF_16LE))));
    Files.write(dir.resolve("bom.txt"), concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
        ("k=" + v + "\n").getBytes(UTF_8)));

    LeakScanner.Report report = scan(dir);

    assertThat(report.findings()).extracting(LeakFinding::toString).containsExactlyInAnyOrder(
        dir.resolve("win.log.gz") + "!/win.log:2:18" + LABEL,
        dir.resolve("bom.txt") + ":1:3" + LABEL);
  }

  @Test
  void binaryThatIsNotUtf16_stillMatchedAsBytes() throws IOException {
    // little-endian ints (every other byte NUL, but not printable text) around a UTF-8 value
    ByteBuffer ints = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; ints.remaining() >= 4; i++) {
      ints.putInt(i % 300);
    }
    byte[] bytes = concat(ints.array(), v.getBytes(UTF_8));
    assertThat(ScanText.of(bytes).decodedFrom).isNull();
    assertThat(ScanText.of(Canaries.bytes(8192)).decodedFrom).isNull();
    Files.write(dir.resolve("data.bin"), bytes);

    assertThat(scan(dir.resolve("data.bin")).findings()).extracting(LeakFinding::label)
        .containsExactly(REF.toString());
  }

  @Test
  void utf16File_withAUtf8PartAppended_bothFound() throws IOException {
    byte[] bytes = concat(("started\r\nvalue " + v + "\r\n").getBytes(UTF_16LE),
        ("appended by another tool: " + v + "\n").getBytes(UTF_8));
    Files.write(dir.resolve("mixed.log"), bytes);

    assertThat(scan(dir.resolve("mixed.log")).findings()).hasSize(2)
        .extracting(LeakFinding::label).containsOnly(REF.toString());
  }

  @Test
  void gzipBomb_boundedAtMaxFileBytes_prefixScannedAndReported() throws IOException {
    int limit = 1 << 20;
    byte[] big = new byte[16 * limit];
    Arrays.fill(big, (byte) '\n');
    byte[] head = ("a=" + v).getBytes(UTF_8);
    System.arraycopy(head, 0, big, 10, head.length);
    byte[] tail = ("b=" + v).getBytes(UTF_8);
    System.arraycopy(tail, 0, big, 2 * limit, tail.length); // past the limit: not read
    byte[] bomb = gzip(big);
    assertThat(bomb.length).isLessThan(limit / 8);
    Files.write(dir.resolve("bomb.log.gz"), bomb);

    LeakScanner.Report report = LeakScanner.builder().index(index).maxFileBytes(limit).build()
        .scan(List.of(dir.resolve("bomb.log.gz")));

    assertNoValue(report);
    assertThat(report.findings()).extracting(LeakFinding::toString)
        .containsExactly(dir.resolve("bomb.log.gz") + "!/bomb.log:11:3" + LABEL);
    assertThat(report.errors()).containsExactly(dir.resolve("bomb.log.gz")
        + "!/bomb.log: more than 1048576 bytes once decompressed, only the first 1048576 scanned");
  }

  @Test
  void zipEntryBomb_alsoBounded() throws IOException {
    byte[] big = new byte[4 << 20];
    Files.write(dir.resolve("a.zip"), zip(Map.of("zeros.bin", big)));

    LeakScanner.Report report = LeakScanner.builder().index(index).maxFileBytes(1 << 20).build()
        .scan(List.of(dir.resolve("a.zip")));

    assertThat(report.errors()).singleElement().asString()
        .startsWith(dir.resolve("a.zip") + "!/zeros.bin: more than 1048576 bytes once decompressed");
  }

  @Test
  void corruptGzip_reportedAndWhatCameBeforeTheDamageScanned() throws IOException {
    byte[] good = gzip(log().getBytes(UTF_8));
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 8] ^= 0x55; // the CRC-32 in the trailer
    Files.write(dir.resolve("crc.log.gz"), badCrc);
    Files.write(dir.resolve("cut.log.gz"), Arrays.copyOf(good, good.length - 12));
    Files.write(dir.resolve("junk.gz"), concat(new byte[] {0x1F, (byte) 0x8B, 8, 0},
        Canaries.bytes(64)));

    LeakScanner.Report report = scan(dir);

    assertThat(report.findings()).extracting(LeakFinding::path)
        .contains(dir.resolve("crc.log.gz") + "!/crc.log");
    assertThat(report.errors()).hasSize(3).anySatisfy(e -> assertThat(e)
            .startsWith(dir.resolve("crc.log.gz") + ": corrupt gzip data (ZipException"))
        .anySatisfy(e -> assertThat(e).startsWith(dir.resolve("cut.log.gz") + ": corrupt gzip data"))
        .anySatisfy(e -> assertThat(e).startsWith(dir.resolve("junk.gz") + ": corrupt gzip data"));
    assertThat(report.isClean()).isFalse();
  }

  @Test
  void corruptZip_reported() throws IOException {
    Files.write(dir.resolve("broken.jar"), concat(new byte[] {'P', 'K', 3, 4}, Canaries.bytes(10)));

    LeakScanner.Report report = scan(dir.resolve("broken.jar"));

    assertThat(report.errors()).singleElement().asString()
        .startsWith(dir.resolve("broken.jar") + ": corrupt zip archive");
  }

  @Test
  void nestingDeeperThanTheLimit_reportedAndScannedRaw() throws IOException {
    byte[] data = ("k=" + v + "\n").getBytes(UTF_8);
    for (int i = 0; i < LeakScanner.MAX_ARCHIVE_DEPTH + 1; i++) {
      data = gzip(data);
    }
    Files.write(dir.resolve("deep.gz"), data);

    LeakScanner.Report report = scan(dir.resolve("deep.gz"));

    assertThat(report.errors()).singleElement().asString()
        .endsWith(": gzip nested more than 4 archives deep, not opened (its raw bytes were scanned)")
        .startsWith(dir.resolve("deep.gz") + "!/deep!/deep!/deep!/deep");
    assertThat(report.findings()).isEmpty();
  }

  @Test
  void brokenSymlinkAndLinkToDirectory_reportedNotSkipped() throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(dir.resolve("elsewhere/target.log"), "k=" + v + "\n");
    Files.createSymbolicLink(dir.resolve("logs/gone.log"), dir.resolve("nowhere.log"));
    Files.createSymbolicLink(dir.resolve("logs/dirlink"), dir.resolve("elsewhere"));
    Files.createSymbolicLink(dir.resolve("logs/filelink.log"), dir.resolve("elsewhere/target.log"));

    LeakScanner.Report report = scan(dir.resolve("logs"));

    assertThat(report.errors()).containsExactlyInAnyOrder(
        dir.resolve("logs/gone.log") + ": broken symbolic link, not read",
        dir.resolve("logs/dirlink") + ": symbolic link to a directory, not followed (scan its target instead)");
    assertThat(report.findings()).extracting(LeakFinding::toString)
        .containsExactly(dir.resolve("logs/filelink.log") + ":1:3" + LABEL);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // opening a FIFO would block forever
  void fifo_reportedNeverOpened() throws Exception {
    Path fifo = dir.resolve("pipe.log");
    run("mkfifo", fifo.toString()); // Java cannot make a FIFO itself

    LeakScanner.Report inDir = scan(dir);
    LeakScanner.Report named = scan(fifo);

    String line = fifo + ": not a regular file (a FIFO, socket or device), not read";
    assertThat(inDir.errors()).containsExactly(line);
    assertThat(named.errors()).containsExactly(line);
  }

  @Test
  void permissionDenied_reported() throws IOException {
    Path f = dir.resolve("secret.log");
    Files.writeString(f, "k=" + v + "\n");
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, "no POSIX permissions on this file system");
    }
    // root reads a file whatever its mode: then this case cannot be made (see fifo and links)
    assumeFalse(Files.isReadable(f), "running as root: mode 000 does not stop reading");

    LeakScanner.Report report = scan(f);

    assertThat(report.errors()).containsExactly(f + ": unreadable (permission denied)");
  }

  @Test
  void builderDefault_isTheGlobalIndex() throws IOException {
    SecretRef ref = SecretRef.parse("vault://secret/ci/leak-scanner-default#" + Canaries.alnum(8));
    String value = Canaries.canary();
    String credential = Canaries.canary();
    String kind = "test/leak-scanner-" + Canaries.alnum(8).toLowerCase(java.util.Locale.ROOT);
    Files.writeString(dir.resolve("out.log"), "a " + value + "\nb " + credential + "\n");
    RedactionIndex.global().register(ref, value.getBytes(UTF_8));
    RedactionIndex.global().registerCredential(kind, credential);
    try {
      LeakScanner.Report report = LeakScanner.builder().build().scan(List.of(dir.resolve("out.log")));

      assertThat(report.findings()).extracting(LeakFinding::toString).containsExactly(
          dir.resolve("out.log") + ":1:3 value " + ref,
          dir.resolve("out.log") + ":2:3 value credential://" + kind);
      assertThat(report.findings().toString()).doesNotContain(value).doesNotContain(credential);
    } finally {
      RedactionIndex.global().unregister(ref);
      RedactionIndex.global().unregister(SecretRef.parse("credential://" + kind));
    }
  }
}
