package io.secretsdk.provider.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class FileSecretProviderTest {
  private static final String CANARY = "canary-file-4d9e2b7a1c";
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.PROD);

  @TempDir Path dir;
  private LogCapture logs;

  @BeforeEach
  void captureLogs() {
    logs = new LogCapture(FileSecretProvider.class);
  }

  @AfterEach
  void noValueInLogs() {
    try {
      assertThat(logs.allText()).doesNotContain(CANARY);
    } finally {
      logs.close();
    }
  }

  private static SecretRef ref(Path p) {
    return SecretRef.parse("file://" + p.toAbsolutePath());
  }

  private static String text(FetchResult r) {
    return new String(r.value(), UTF_8);
  }

  private Path write(String name, String content, String perms) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, UTF_8);
    if (perms != null && posix()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }
    return p;
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Asserts the failure is typed, names no value, and carries no cause that does. */
  private static <T extends SecretException> T assertFails(
      Class<T> type, FileSecretProvider p, SecretRef ref, String fragment) {
    Throwable t = catchThrowable(() -> p.fetch(ref, CTX));
    assertThat(t).isInstanceOf(type).hasMessageContaining(fragment);
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(c.toString()).doesNotContain(CANARY);
    }
    return type.cast(t);
  }

  // ---- reading ----

  @Test
  void fetch_plainFile_returnsBytesExactlyByDefault() throws IOException {
    Path f = write("openai", CANARY + "\n", "rw-------");

    FetchResult r = FileSecretProvider.create().fetch(ref(f), CTX);

    assertThat(text(r)).isEqualTo(CANARY + "\n");
    assertThat(r.toString()).doesNotContain(CANARY);
    assertThat(r.ttl()).contains(FileSecretProviderOptions.DEFAULT_TTL);
    assertThat(r.createdAt()).contains(Files.getLastModifiedTime(f).toInstant());
  }

  @Test
  void fetch_stripTrailingNewlineConfigured_removesExactlyOneNewline() throws IOException {
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().stripTrailingNewline(true).build());

    assertThat(text(p.fetch(ref(write("a", CANARY + "\n", null)), CTX))).isEqualTo(CANARY);
    assertThat(text(p.fetch(ref(write("b", CANARY + "\r\n", null)), CTX))).isEqualTo(CANARY);
    assertThat(text(p.fetch(ref(write("c", CANARY + "\n\n", null)), CTX))).isEqualTo(CANARY + "\n");
    assertThat(text(p.fetch(ref(write("d", CANARY, null)), CTX))).isEqualTo(CANARY);
    assertThat(text(p.fetch(ref(write("e", "\n", null)), CTX))).isEmpty();
  }

  @Test
  void fetch_binaryContent_returnedUnchanged() throws IOException {
    byte[] bytes = {0, (byte) 0xFF, (byte) 0xC3, 0x28, '\n'};
    Path f = dir.resolve("keystore");
    Files.write(f, bytes);

    assertThat(FileSecretProvider.create().fetch(ref(f), CTX).value()).isEqualTo(bytes);
  }

  @Test
  void fetch_ttlZero_reportsNoTtl() throws IOException {
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().ttl(Duration.ZERO).build());

    assertThat(p.fetch(ref(write("a", CANARY, null)), CTX).ttl()).isEmpty();
  }

  // ---- errors ----

  @Test
  void fetch_missingFile_throwsNotFound() {
    SecretNotFoundException e = assertFails(SecretNotFoundException.class,
        FileSecretProvider.create(), ref(dir.resolve("absent")), "no file at");

    assertThat(e.ref()).contains(ref(dir.resolve("absent")));
  }

  @Test
  void fetch_danglingSymlink_throwsNotFound() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone"));

    assertFails(SecretNotFoundException.class, FileSecretProvider.create(), ref(link), "no file at");
  }

  @Test
  void fetch_symlinkLoop_throwsInvalidRefNotTransient() throws IOException {
    Path a = dir.resolve("loop-a");
    Path b = dir.resolve("loop-b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(), ref(a), "loop");
  }

  @Test
  void fetch_parentIsAFile_throwsNotFound() throws IOException {
    Path f = write("plain", CANARY, null);

    assertFails(SecretNotFoundException.class, FileSecretProvider.create(),
        ref(f.resolve("child")), "no file at");
  }

  @Test
  void fetch_directory_throwsInvalidRef() throws IOException {
    Files.createDirectory(dir.resolve("secrets"));

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        ref(dir.resolve("secrets")), "directory");
  }

  @Test
  @Timeout(10)
  void fetch_namedPipe_throwsInvalidRefWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mk;
    try {
      mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException e) {
      assumeTrue(false, "mkfifo is not available: " + e.getMessage());
      return;
    }
    assumeTrue(mk.waitFor(5, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo failed");

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(), ref(fifo),
        "special file");
  }

  @Test
  void fetch_deviceFile_throwsInvalidRef() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "/dev/zero is absent");

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(), ref(zero),
        "special file");
  }

  @Test
  void fetch_unreadableFile_throwsAccessDenied() throws IOException {
    assumeTrue(posix(), "needs POSIX permissions");
    assumeTrue(!"root".equals(System.getProperty("user.name")),
        "running as root, which reads files whatever their mode; mapping covered by"
            + " mapIoException_accessDenied_mapsToAccessDenied");
    Path f = write("locked", CANARY, "---------");

    assertFails(SecretAccessDeniedException.class, FileSecretProvider.create(), ref(f),
        "permission denied");
  }

  @Test
  void mapIoException_accessDenied_mapsToAccessDenied() {
    SecretRef ref = SecretRef.parse("file:///run/secrets/x");

    RuntimeException e = FileSecretProvider.mapIoException(
        ref, new AccessDeniedException("/run/secrets/x"), "reading");

    assertThat(e).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("permission denied reading");
  }

  @Test
  void mapIoException_otherIoError_mapsToUnavailableKeepingCause() {
    SecretRef ref = SecretRef.parse("file:///run/secrets/x");
    FileSystemException io = new FileSystemException("/run/secrets/x", null, "Input/output error");

    RuntimeException e = FileSecretProvider.mapIoException(ref, io, "reading");

    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasCause(io);
  }

  @Test
  void fetch_fileLargerThanMaximum_throwsPolicyViolation() throws IOException {
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().maxSize(16).build());
    Path f = write("big", CANARY + CANARY, null);

    assertFails(PolicyViolationException.class, p, ref(f), "larger than the maximum of 16 bytes");
  }

  @Test
  void fetch_fileGrowingBeyondItsReportedSize_isCutOffAtMaximum() {
    // /proc files report size 0 but have content: the bound must hold while reading, not only
    // against the size the file system reports.
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isRegularFile(status), "/proc is not available");
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().maxSize(16).build());

    assertFails(PolicyViolationException.class, p, ref(status), "larger than the maximum of 16 bytes");
  }

  @Test
  void fetch_fileOfExactlyMaximumSize_isRead() throws IOException {
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().maxSize(CANARY.length()).build());

    assertThat(text(p.fetch(ref(write("exact", CANARY, null)), CTX))).isEqualTo(CANARY);
  }

  @Test
  void fetch_queryParameter_throwsInvalidRef() throws IOException {
    Path f = write("a", CANARY, null);

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "?version=2"), "no query");
  }

  @Test
  void fetch_otherScheme_throwsInvalidRef() {
    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        SecretRef.parse("mem://a/b"), "scheme 'mem'");
  }

  @Test
  void fetch_afterClose_throwsIllegalState() throws IOException {
    FileSecretProvider p = FileSecretProvider.create();
    Path f = write("a", CANARY, null);
    p.close();
    p.close();

    assertThatThrownBy(() -> p.fetch(ref(f), CTX)).isInstanceOf(IllegalStateException.class);
  }

  // ---- JSON fields ----

  @Test
  void fetch_jsonField_returnsThatMember() throws IOException {
    Path f = write("db.json", "{\"username\":\"app\",\"password\":\"" + CANARY + "\",\"port\":5432,"
        + "\"tls\":true,\"extra\":{\"a\":[1,2]}}", null);
    FileSecretProvider p = FileSecretProvider.create();

    assertThat(text(p.fetch(SecretRef.parse("file://" + f + "#password"), CTX))).isEqualTo(CANARY);
    assertThat(text(p.fetch(SecretRef.parse("file://" + f + "#port"), CTX))).isEqualTo("5432");
    assertThat(text(p.fetch(SecretRef.parse("file://" + f + "#tls"), CTX))).isEqualTo("true");
    assertThat(text(p.fetch(SecretRef.parse("file://" + f + "#extra"), CTX))).isEqualTo("{\"a\":[1,2]}");
  }

  @Test
  void fetch_jsonFieldMissing_throwsNotFoundNamingTheKeyOnly() throws IOException {
    Path f = write("db.json", "{\"password\":\"" + CANARY + "\"}", null);

    assertFails(SecretNotFoundException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "#api_key"), "no top-level key 'api_key'");
  }

  @Test
  void fetch_jsonFieldNull_throwsNotFound() throws IOException {
    Path f = write("db.json", "{\"password\":null,\"other\":\"" + CANARY + "\"}", null);

    assertFails(SecretNotFoundException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "#password"), "is null");
  }

  @Test
  void fetch_fieldOfNonJsonFile_throwsInvalidRefWithoutQuotingContent() throws IOException {
    // Jackson's own message would quote the unrecognized token, i.e. the canary.
    Path f = write("plain", CANARY, null);

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "#password"), "not valid JSON");
  }

  @Test
  void fetch_fieldOfTruncatedJson_throwsInvalidRefWithoutQuotingContent() throws IOException {
    Path f = write("cut.json", "{\"password\":\"" + CANARY, null);

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "#password"), "not valid JSON");
  }

  @Test
  void fetch_fieldOfJsonWithDuplicateKeys_throwsInvalidRef() throws IOException {
    Path f = write("dup.json", "{\"password\":\"x\",\"password\":\"" + CANARY + "\"}", null);

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "#password"), "duplicate keys");
  }

  @Test
  void fetch_fieldOfJsonArray_throwsInvalidRef() throws IOException {
    Path f = write("arr.json", "[\"" + CANARY + "\"]", null);

    assertFails(InvalidSecretRefException.class, FileSecretProvider.create(),
        SecretRef.parse("file://" + f + "#password"), "not a JSON object");
  }

  // ---- versions and change detection ----

  @Test
  void fetch_unchangedFile_reportsTheSameVersion() throws IOException {
    Path f = write("a", CANARY, null);
    FileSecretProvider p = FileSecretProvider.create();

    assertThat(p.fetch(ref(f), CTX).version()).isPresent()
        .isEqualTo(p.fetch(ref(f), CTX).version())
        .isEqualTo(FileSecretProvider.create().fetch(ref(f), CTX).version());
  }

  @Test
  void fetch_fileRewritten_returnsNewValueAndNewVersion() throws IOException {
    Path f = write("a", CANARY + "-1", null);
    FileSecretProvider p = FileSecretProvider.create();
    FetchResult first = p.fetch(ref(f), CTX);

    Files.writeString(f, CANARY + "-2-longer", UTF_8);
    FetchResult second = p.fetch(ref(f), CTX);

    assertThat(text(second)).isEqualTo(CANARY + "-2-longer");
    assertThat(second.version()).isPresent().isNotEqualTo(first.version());
  }

  @Test
  void fetch_sameSizeRewriteWithRestoredMtime_stillSeesNewVersion() throws IOException {
    Path f = write("a", CANARY + "-A", null);
    FileSecretProvider p = FileSecretProvider.create();
    FileTime mtime = Files.getLastModifiedTime(f);
    FetchResult first = p.fetch(ref(f), CTX);

    Files.writeString(f, CANARY + "-B", UTF_8);
    Files.setLastModifiedTime(f, mtime);
    FetchResult second = p.fetch(ref(f), CTX);

    assertThat(text(second)).isEqualTo(CANARY + "-B");
    assertThat(second.version()).isNotEqualTo(first.version());
  }

  @Test
  void fetch_identicalContentReplaced_changesVersion() throws IOException {
    Path f = write("a", CANARY, null);
    FileSecretProvider p = FileSecretProvider.create();
    FetchResult first = p.fetch(ref(f), CTX);

    Path tmp = write("a.tmp", CANARY, null);
    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    FetchResult second = p.fetch(ref(f), CTX);

    assertThat(text(second)).isEqualTo(CANARY);
    assertThat(second.version()).isNotEqualTo(first.version());
  }

  @Test
  void version_isNotDerivedFromTheValue() throws Exception {
    Path f = write("a", CANARY, null);

    String version = FileSecretProvider.create().fetch(ref(f), CTX).version().orElseThrow();

    byte[] sha = MessageDigest.getInstance("SHA-256").digest(CANARY.getBytes(UTF_8));
    assertThat(version).doesNotContain(CANARY)
        .isNotEqualTo(HexFormat.of().formatHex(sha, 0, 8))
        .matches("[0-9a-f]{16}");
  }

  // ---- Kubernetes secret volumes ----

  @Test
  void fetch_kubernetesSymlinkSwap_returnsNewValueAndNewVersion() throws IOException {
    KubeVolume volume = new KubeVolume(dir.resolve("openai-volume"));
    volume.publish(Map.of("api_key", CANARY + "-v1"));
    FileSecretProvider p = FileSecretProvider.create();
    SecretRef ref = ref(volume.dir.resolve("api_key"));
    FetchResult first = p.fetch(ref, CTX);

    volume.publish(Map.of("api_key", CANARY + "-v2"));
    FetchResult second = p.fetch(ref, CTX);

    assertThat(text(first)).isEqualTo(CANARY + "-v1");
    assertThat(text(second)).isEqualTo(CANARY + "-v2");
    assertThat(second.version()).isNotEqualTo(first.version());
    assertThat(Files.isSymbolicLink(volume.dir.resolve("api_key"))).isTrue();
  }

  @Test
  void fetch_kubernetesSwapToSameBytes_changesVersion() throws IOException {
    KubeVolume volume = new KubeVolume(dir.resolve("v"));
    volume.publish(Map.of("k", CANARY));
    FileSecretProvider p = FileSecretProvider.create();
    SecretRef ref = ref(volume.dir.resolve("k"));
    FetchResult first = p.fetch(ref, CTX);

    volume.publish(Map.of("k", CANARY));

    assertThat(p.fetch(ref, CTX).version()).isNotEqualTo(first.version());
  }

  @Test
  @Timeout(60)
  void fetch_concurrentWithKubernetesSwaps_neverReturnsTornOrMismatchedValues() throws Exception {
    KubeVolume volume = new KubeVolume(dir.resolve("hot"));
    volume.publish(Map.of("k", value(0)));
    FileSecretProvider p = FileSecretProvider.create(FileSecretProviderOptions.builder()
        .allowedRoot(dir).build());
    SecretRef ref = ref(volume.dir.resolve("k"));
    Map<String, String> valueByVersion = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger gaveUp = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(pool.submit(() -> {
          while (!stop.get()) {
            FetchResult r;
            try {
              r = p.fetch(ref, CTX);
            } catch (ProviderUnavailableException e) {
              // Allowed (the client retries it): every attempt raced a swap. Never a wrong value.
              assertThat(e).hasMessageContaining("kept changing");
              gaveUp.incrementAndGet();
              continue;
            }
            String v = text(r);
            assertThat(v).matches(CANARY + "-\\d+-x*");
            String previous = valueByVersion.putIfAbsent(r.version().orElseThrow(), v);
            assertThat(previous).as("one version, one value").isIn(null, v);
            reads.incrementAndGet();
          }
          return null;
        }));
      }
      for (int i = 1; i <= 150; i++) {
        volume.publish(Map.of("k", value(i)));
      }
      stop.set(true);
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS); // rethrows a reader's assertion failure
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(reads.get()).isPositive();
    assertThat(gaveUp.get()).isLessThan(reads.get());
    assertThat(text(p.fetch(ref, CTX))).isEqualTo(value(150));
  }

  private static String value(int generation) {
    return CANARY + "-" + generation + "-" + "x".repeat(generation % 7 * 100);
  }

  // ---- permissions ----

  @Test
  void fetch_worldReadableFile_warnsOnceAndReportsMetadata() throws IOException {
    assumeTrue(posix(), "needs POSIX permissions");
    Path f = write("wide", CANARY, "rw-r--r--");
    FileSecretProvider p = FileSecretProvider.create();

    FetchResult r = p.fetch(ref(f), CTX);
    p.fetch(ref(f), CTX);

    assertThat(r.metadata()).containsEntry(FileSecretProvider.METADATA_PERMISSIONS, "0644")
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS_WIDE, "true");
    assertThat(logs.events(Level.WARN)).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage())
            .contains(f.toString(), "0644", "wider than 0600"));
  }

  @Test
  void fetch_ownerOnlyFiles_doNotWarn() throws IOException {
    assumeTrue(posix(), "needs POSIX permissions");
    FileSecretProvider p = FileSecretProvider.create();

    FetchResult rw = p.fetch(ref(write("rw", CANARY, "rw-------")), CTX);
    FetchResult ro = p.fetch(ref(write("ro", CANARY, "r--------")), CTX);

    assertThat(rw.metadata()).containsEntry(FileSecretProvider.METADATA_PERMISSIONS, "0600")
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS_WIDE, "false");
    assertThat(ro.metadata()).containsEntry(FileSecretProvider.METADATA_PERMISSIONS, "0400")
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS_WIDE, "false");
    assertThat(logs.events(Level.WARN)).isEmpty();
  }

  @Test
  void fetch_groupReadableAndOwnerExecutable_areWide() throws IOException {
    assumeTrue(posix(), "needs POSIX permissions");
    FileSecretProvider p = FileSecretProvider.create();

    assertThat(p.fetch(ref(write("g", CANARY, "rw-r-----")), CTX).metadata())
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS, "0640")
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS_WIDE, "true");
    assertThat(p.fetch(ref(write("x", CANARY, "rwx------")), CTX).metadata())
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS, "0700")
        .containsEntry(FileSecretProvider.METADATA_PERMISSIONS_WIDE, "true");
    assertThat(logs.events(Level.WARN)).hasSize(2);
  }

  @Test
  void fetch_kubernetesVolume_reportsTargetPermissionsAndWarnsOncePerFileAcrossSwaps()
      throws IOException {
    assumeTrue(posix(), "needs POSIX permissions");
    KubeVolume volume = new KubeVolume(dir.resolve("v"));
    volume.publish(Map.of("k", CANARY + "1"));
    FileSecretProvider p = FileSecretProvider.create();
    SecretRef ref = ref(volume.dir.resolve("k"));

    FetchResult r = p.fetch(ref, CTX);
    volume.publish(Map.of("k", CANARY + "2"));
    p.fetch(ref, CTX);

    assertThat(r.metadata()).containsEntry(FileSecretProvider.METADATA_PERMISSIONS, "0644");
    assertThat(logs.events(Level.WARN)).hasSize(1);
  }

  // ---- allowed roots ----

  @Test
  void fetch_insideAllowedRoot_isRead() throws IOException {
    Path f = write("run/secrets/openai", CANARY, null);
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().allowedRoot(dir.resolve("run/secrets")).build());

    assertThat(text(p.fetch(ref(f), CTX))).isEqualTo(CANARY);
  }

  @Test
  void fetch_outsideAllowedRoots_throwsPolicyViolationWithoutTouchingTheFile() {
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().allowedRoot(dir.resolve("run/secrets")).build());

    // Neither file exists: the same answer shows no existence check happened.
    assertFails(PolicyViolationException.class, p, SecretRef.parse("file:///etc/shadow"),
        "outside the allowed roots");
    assertFails(PolicyViolationException.class, p, ref(dir.resolve("run/secretsX/a")),
        "outside the allowed roots");
  }

  @Test
  void fetch_symlinkLeadingOutOfRoot_throwsPolicyViolation() throws IOException {
    Path outside = write("outside/key", CANARY, null);
    Path root = Files.createDirectories(dir.resolve("root"));
    Path link = Files.createSymbolicLink(root.resolve("key"), outside);
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().allowedRoot(root).build());

    assertFails(PolicyViolationException.class, p, ref(link), "symbolic links lead outside");
  }

  @Test
  void fetch_kubernetesVolumeInsideRoot_isRead() throws IOException {
    KubeVolume volume = new KubeVolume(dir.resolve("secrets/app"));
    volume.publish(Map.of("token", CANARY));
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().allowedRoot(dir.resolve("secrets")).build());

    assertThat(text(p.fetch(ref(volume.dir.resolve("token")), CTX))).isEqualTo(CANARY);
  }

  @Test
  void fetch_rootGivenThroughSymlink_isHonoured() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real-run"));
    Path alias = Files.createSymbolicLink(dir.resolve("var-run"), real);
    Files.writeString(real.resolve("k"), CANARY, UTF_8);
    FileSecretProvider p = FileSecretProvider.create(
        FileSecretProviderOptions.builder().allowedRoot(alias).build());

    assertThat(text(p.fetch(ref(alias.resolve("k")), CTX))).isEqualTo(CANARY);
  }

  // ---- options and factory ----

  @Test
  void options_defaults_areDocumentedValues() {
    FileSecretProviderOptions o = FileSecretProviderOptions.ofDefaults();

    assertThat(o.allowedRoots()).isEmpty();
    assertThat(o.maxSize()).isEqualTo(1024 * 1024);
    assertThat(o.stripTrailingNewline()).isFalse();
    assertThat(o.ttl()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void options_invalidArguments_failFastNamingTheField() {
    FileSecretProviderOptions.Builder b = FileSecretProviderOptions.builder();

    assertThatThrownBy(() -> b.allowedRoot(Path.of("relative"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowedRoot");
    assertThatThrownBy(() -> b.allowedRoots(List.of(Path.of("rel")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowedRoots");
    assertThatThrownBy(() -> b.maxSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSize");
    assertThatThrownBy(() -> b.maxSize(FileSecretProviderOptions.MAX_MAX_SIZE + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ttl(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
    assertThatThrownBy(() -> b.ttl(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void options_allowedRootsAreNormalizedAndImmutable() {
    FileSecretProviderOptions o = FileSecretProviderOptions.builder()
        .allowedRoot(Path.of("/run/secrets/../secrets/")).build();

    assertThat(o.allowedRoots()).containsExactly(Path.of("/run/secrets"));
    assertThatThrownBy(() -> o.allowedRoots().add(Path.of("/"))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void factory_parsesEveryOption() throws IOException {
    Path f = write("run/k", CANARY + "\n", null);
    SecretProvider p = new FileSecretProviderFactory().create(ProviderSettings.of(Map.of(
        "allowedRoots", dir.resolve("run") + ", /var/run/secrets",
        "maxSize", "4096",
        "stripTrailingNewline", "true",
        "ttl", "PT30S")));

    assertThat(p.scheme()).isEqualTo("file");
    FileSecretProviderOptions o = ((FileSecretProvider) p).options();
    assertThat(o.allowedRoots()).containsExactly(dir.resolve("run"), Path.of("/var/run/secrets"));
    assertThat(o.maxSize()).isEqualTo(4096);
    assertThat(o.ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(text(p.fetch(ref(f), CTX))).isEqualTo(CANARY);
  }

  @Test
  void factory_rootsFromEnvironmentVariable_restrictTheProvider() {
    Map<String, String> env = Map.of(FileSecretProviderFactory.ALLOWED_ROOTS_VARIABLE,
        "/run/secrets,/var/run/secrets");
    FileSecretProvider p = (FileSecretProvider) new FileSecretProviderFactory()
        .create(ProviderSettings.of(Map.of(), env::get));

    assertThat(p.options().allowedRoots())
        .containsExactly(Path.of("/run/secrets"), Path.of("/var/run/secrets"));
    assertFails(PolicyViolationException.class, p, SecretRef.parse("file:///etc/shadow"),
        "outside the allowed roots");
  }

  @Test
  void factory_rootsOption_winsOverEnvironmentVariable() {
    Map<String, String> env = Map.of(FileSecretProviderFactory.ALLOWED_ROOTS_VARIABLE, "relative");
    FileSecretProvider p = (FileSecretProvider) new FileSecretProviderFactory()
        .create(ProviderSettings.of(Map.of("allowedRoots", "/run/secrets"), env::get));

    assertThat(p.options().allowedRoots()).containsExactly(Path.of("/run/secrets"));
  }

  @Test
  void factory_invalidRootsInEnvironmentVariable_namesTheVariable() {
    Map<String, String> env = Map.of(FileSecretProviderFactory.ALLOWED_ROOTS_VARIABLE, CANARY);

    assertThatThrownBy(() -> new FileSecretProviderFactory().create(ProviderSettings.of(Map.of(), env::get)))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining(FileSecretProviderFactory.ALLOWED_ROOTS_VARIABLE)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CANARY));
  }

  @Test
  void factory_noOptions_usesDefaults() {
    FileSecretProvider p = (FileSecretProvider) new FileSecretProviderFactory()
        .create(ProviderSettings.of(Map.of(), name -> null));

    assertThat(p.options().toString()).isEqualTo(FileSecretProviderOptions.ofDefaults().toString());
  }

  @Test
  void factory_invalidOptions_throwConfigExceptionNamingOptionNotValue() {
    List<Map<String, String>> bad = List.of(
        Map.of("maxSize", CANARY), Map.of("maxSize", "0"), Map.of("ttl", CANARY),
        Map.of("ttl", "-PT1S"), Map.of("stripTrailingNewline", CANARY),
        Map.of("allowedRoots", CANARY), Map.of("allowedRoots", "/a,,/b"),
        Map.of("allowedRoot", "/run/secrets"));
    for (Map<String, String> options : bad) {
      String name = options.keySet().iterator().next();
      assertThatThrownBy(() -> new FileSecretProviderFactory().create(ProviderSettings.of(options)))
          .as(options.toString())
          .isInstanceOf(SecretConfigException.class)
          .hasMessageContaining(name)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CANARY));
    }
  }

  /**
   * A Kubernetes secret volume as the kubelet's atomic writer lays it out:
   * {@code dir/..<timestamp>/key} holds the data, {@code dir/..data} links to the current
   * timestamped directory, {@code dir/key} links to {@code ..data/key}. An update writes a new
   * timestamped directory, points {@code ..data_tmp} at it, renames that over {@code ..data}
   * (atomic) and deletes the old directory.
   */
  static final class KubeVolume {
    final Path dir;
    private int generation;
    private Path current;

    KubeVolume(Path dir) throws IOException {
      this.dir = Files.createDirectories(dir);
    }

    void publish(Map<String, String> files) throws IOException {
      generation++;
      Path next = dir.resolve(String.format("..2024_01_01_00_00_00.%09d", generation));
      Files.createDirectory(next);
      for (Map.Entry<String, String> e : files.entrySet()) {
        Path f = next.resolve(e.getKey());
        Files.writeString(f, e.getValue(), UTF_8);
        if (posix()) {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
      Path tmp = dir.resolve("..data_tmp");
      Files.createSymbolicLink(tmp, next.getFileName());
      Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      for (String key : files.keySet()) {
        Path link = dir.resolve(key);
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, Path.of("..data", key));
        }
      }
      if (current != null) {
        try (Stream<Path> old = Files.walk(current)) {
          for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      current = next;
    }
  }
}
