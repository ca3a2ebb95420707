package io.secretsdk.provider.local;

import static io.secretsdk.provider.local.LocalStoreFixtures.assertNoLeak;
import static io.secretsdk.provider.local.LocalStoreFixtures.canary;
import static io.secretsdk.provider.local.LocalStoreFixtures.readFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.provider.local.LocalStoreFixtures.MutableClock;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.ProviderSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LocalSecretProviderTest {
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.LOCAL);

  @TempDir Path dir;

  private final byte[] key = LocalKeys.generate();

  private LocalStoreOptions.Builder options() {
    return LocalStoreOptions.builder().storeFile(dir.resolve("store.json")).key(key)
        .environment(n -> null);
  }

  private LocalSecretProvider provider() {
    return LocalSecretProvider.create(options().build());
  }

  private static String fetch(LocalSecretProvider p, String ref) {
    FetchResult r = p.fetch(SecretRef.parse(ref), CTX);
    byte[] v = r.value();
    try {
      return new String(v, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(v, (byte) 0);
      r.wipe();
    }
  }

  @Test
  void put_thenFetch_returnsNewestValueAndVersion() {
    try (LocalSecretProvider p = provider()) {
      assertThat(p.put("openai/dev", "first".getBytes(StandardCharsets.UTF_8))).isEqualTo("1");
      assertThat(p.put("openai/dev", "second".getBytes(StandardCharsets.UTF_8))).isEqualTo("2");
      FetchResult r = p.fetch(SecretRef.parse("local://openai/dev"), CTX);
      assertThat(r.version()).contains("2");
      assertThat(r.createdAt()).isPresent();
      assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("second");
      assertThat(fetch(p, "local://openai/dev?version=1")).isEqualTo("first");
      assertThat(p.describe("openai/dev").orElseThrow().versions()).hasSize(2);
    }
  }

  @Test
  void storeFile_afterPuts_holdsNoPlaintextInAnyEncoding() throws Exception {
    String canary = canary();
    try (LocalSecretProvider p = provider()) {
      p.put("app/db", canary.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1),
          Map.of("owner", "team-a"), null);
      p.put("app/db", canary.getBytes(StandardCharsets.UTF_8));
      String file = readFile(p.storeFile());
      assertNoLeak(file, canary, LocalKeys.encode(key));
      assertThat(file).contains("\"app/db\"").contains("team-a");
      assertThat(p.toString()).doesNotContain(LocalKeys.encode(key));
      if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p.storeFile())))
            .isEqualTo("rw-------");
      }
    }
  }

  @Test
  void fetch_fieldOrUnknownParameterOrBadVersion_isInvalidRef() {
    try (LocalSecretProvider p = provider()) {
      p.put("a/b", "v".getBytes(StandardCharsets.UTF_8));
      for (String ref : List.of("local://a/b#x", "local://a/b?stage=current", "local://a/b?version=0",
          "local://a/b?version=two")) {
        assertThatThrownBy(() -> p.fetch(SecretRef.parse(ref), CTX)).as(ref)
            .isInstanceOf(InvalidSecretRefException.class);
      }
    }
  }

  @Test
  void fetch_missingStoreSecretOrVersion_isNotFound() {
    try (LocalSecretProvider p = provider()) {
      assertThatThrownBy(() -> p.fetch(SecretRef.parse("local://none"), CTX))
          .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("does not exist yet");
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> p.fetch(SecretRef.parse("local://b"), CTX))
          .isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> p.fetch(SecretRef.parse("local://a?version=7"), CTX))
          .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no version 7");
    }
  }

  @Test
  void put_moreThanMaxVersions_dropsOldestAndNeverReusesNumbers() {
    try (LocalSecretProvider p = LocalSecretProvider.create(options().maxVersions(2).build())) {
      for (int i = 1; i <= 4; i++) {
        p.put("k", ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(p.describe("k").orElseThrow().versions())
          .extracting(LocalSecretInfo.VersionInfo::version).containsExactly(3, 4);
      assertThat(p.revoke("k")).isTrue();
      assertThat(p.describe("k")).isEmpty();
      assertThat(p.list()).isEmpty();
      assertThat(p.put("k", "v5".getBytes(StandardCharsets.UTF_8))).isEqualTo("5");
    }
  }

  @Test
  void revoke_newestVersion_previousBecomesCurrent() {
    try (LocalSecretProvider p = provider()) {
      p.put("k", "one".getBytes(StandardCharsets.UTF_8));
      p.put("k", "two".getBytes(StandardCharsets.UTF_8));
      assertThat(p.revoke("k", 2)).isTrue();
      assertThat(p.revoke("k", 2)).isFalse();
      assertThat(p.revoke("nope")).isFalse();
      assertThat(fetch(p, "local://k")).isEqualTo("one");
      assertThatThrownBy(() -> p.fetch(SecretRef.parse("local://k?version=2"), CTX))
          .isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void write_withStaleExpectedVersion_conflictsAndWritesNothing() throws Exception {
    try (LocalSecretProvider p = provider()) {
      SecretRef ref = SecretRef.parse("local://cas");
      assertThat(p.write(ref, "a".getBytes(StandardCharsets.UTF_8), "0")).isEqualTo("1");
      byte[] before = Files.readAllBytes(p.storeFile());
      assertThatThrownBy(() -> p.write(ref, "b".getBytes(StandardCharsets.UTF_8), "0"))
          .isInstanceOf(SecretVersionConflictException.class)
          .hasMessageContaining("current version is 1");
      assertThat(Files.readAllBytes(p.storeFile())).isEqualTo(before);
      assertThat(p.write(ref, "b".getBytes(StandardCharsets.UTF_8), "1")).isEqualTo("2");
    }
  }

  @Test
  void put_invalidArguments_areRefusedWithoutWriting() {
    try (LocalSecretProvider p = provider()) {
      byte[] v = "v".getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> p.put("../x", v)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> p.put("a?version=1", v)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> p.put("a", new byte[0])).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> p.put("a", v, Duration.ZERO, Map.of(), null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> p.put("a", v, null, Map.of("bad key", "x"), null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(p.storeFile()).doesNotExist();
    }
  }

  @Test
  void expiredVersion_isUnresolvable_andRemovedAtNextWrite() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    String canary = canary();
    try (LocalSecretProvider p = LocalSecretProvider.create(options().clock(clock).build())) {
      p.put("scoped", canary.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(10), Map.of(), null);
      FetchResult r = p.fetch(SecretRef.parse("local://scoped"), CTX);
      assertThat(r.ttl()).contains(Duration.ofMinutes(10));
      clock.advance(Duration.ofMinutes(4));
      assertThat(p.fetch(SecretRef.parse("local://scoped"), CTX).ttl()).contains(Duration.ofMinutes(6));
      clock.advance(Duration.ofMinutes(6));
      Throwable t = catchThrowable(() -> p.fetch(SecretRef.parse("local://scoped"), CTX));
      assertThat(t).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("expired at");
      assertNoLeak(t, canary);
      assertThat(p.describe("scoped").orElseThrow().current().expired()).isTrue();

      p.put("other", "x".getBytes(StandardCharsets.UTF_8));
      assertThat(p.describe("scoped")).isEmpty();
      assertThat(LocalStoreFixtures.names(p.list())).containsExactly("other");
    }
  }

  @Test
  void wrongKey_isAccessDenied_namesKeyIds_andNeverOverwrites() throws Exception {
    String canary = canary();
    try (LocalSecretProvider p = provider()) {
      p.put("a", canary.getBytes(StandardCharsets.UTF_8));
    }
    byte[] before = Files.readAllBytes(dir.resolve("store.json"));
    byte[] other = LocalKeys.generate();
    try (LocalSecretProvider wrong = LocalSecretProvider.create(options().key(other).build())) {
      Throwable fetch = catchThrowable(() -> wrong.fetch(SecretRef.parse("local://a"), CTX));
      assertThat(fetch).isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining(LocalKeys.keyId(other)).hasMessageContaining(LocalKeys.keyId(key));
      Throwable put = catchThrowable(() -> wrong.put("a", "new".getBytes(StandardCharsets.UTF_8)));
      assertThat(put).isInstanceOf(SecretAccessDeniedException.class);
      assertThatThrownBy(wrong::list).isInstanceOf(SecretAccessDeniedException.class);
      assertThatThrownBy(() -> wrong.rotateKey(LocalKeys.generate()))
          .isInstanceOf(SecretAccessDeniedException.class);
      for (Throwable t : List.of(fetch, put)) {
        assertNoLeak(t, canary, LocalKeys.encode(key), LocalKeys.encode(other));
      }
    }
    assertThat(Files.readAllBytes(dir.resolve("store.json"))).isEqualTo(before);
  }

  @Test
  void truncatedOrEmptyOrGarbageFile_isConfigError_andNeverOverwritten() throws Exception {
    String canary = canary();
    Path store = dir.resolve("store.json");
    try (LocalSecretProvider p = provider()) {
      p.put("a", canary.getBytes(StandardCharsets.UTF_8));
    }
    byte[] full = Files.readAllBytes(store);
    List<byte[]> damaged = List.of(Arrays.copyOf(full, full.length / 2), new byte[0],
        "not json at all".getBytes(StandardCharsets.UTF_8), "[]".getBytes(StandardCharsets.UTF_8),
        new String(full, StandardCharsets.UTF_8).replace("\"version\" : 1,", "\"version\" : 9,")
            .getBytes(StandardCharsets.UTF_8));
    for (byte[] bad : damaged) {
      Files.write(store, bad);
      try (LocalSecretProvider p = provider()) {
        Throwable fetch = catchThrowable(() -> p.fetch(SecretRef.parse("local://a"), CTX));
        assertThat(fetch).isInstanceOf(SecretConfigException.class)
            .hasMessageContaining(store.toString()).hasMessageContaining("left untouched");
        Throwable put = catchThrowable(() -> p.put("a", canary.getBytes(StandardCharsets.UTF_8)));
        assertThat(put).isInstanceOf(SecretConfigException.class);
        assertNoLeak(fetch, canary);
        assertNoLeak(put, canary);
      }
      assertThat(Files.readAllBytes(store)).isEqualTo(bad);
    }
  }

  @Test
  void truncatedFile_errorNamesLine() throws Exception {
    Path store = dir.resolve("store.json");
    try (LocalSecretProvider p = provider()) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
    }
    byte[] full = Files.readAllBytes(store);
    Files.write(store, Arrays.copyOf(full, full.length - 20));
    try (LocalSecretProvider p = provider()) {
      assertThatThrownBy(() -> p.list()).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("not valid JSON (line ")
          .satisfies(t -> assertThat(((SecretConfigException) t).line()).isPresent());
    }
  }

  @Test
  void editedMetadata_failsTheFileMac() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Path store = dir.resolve("store.json");
    try (LocalSecretProvider p = LocalSecretProvider.create(options().clock(clock).build())) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5), Map.of(), null);
    }
    String text = readFile(store);
    Files.writeString(store, text.replace("2026-01-01T00:05:00Z", "2099-01-01T00:05:00Z"));
    try (LocalSecretProvider p = provider()) {
      assertThatThrownBy(() -> p.fetch(SecretRef.parse("local://a"), CTX))
          .isInstanceOf(SecretConfigException.class).hasMessageContaining("integrity check");
    }
  }

  /** Bypasses the file MAC (recomputed with the key) to show the GCM associated data alone holds. */
  @Test
  void swappedOrEditedEntries_withValidFileMac_stillFailDecryption() throws Exception {
    String canaryA = canary();
    String canaryB = canary();
    Path store = dir.resolve("store.json");
    try (LocalSecretProvider p = provider()) {
      p.put("a", canaryA.getBytes(StandardCharsets.UTF_8));
      p.put("b", canaryB.getBytes(StandardCharsets.UTF_8), Duration.ofDays(1), Map.of(), null);
    }
    StoreModel model = StoreCodec.parse(store, Files.readAllBytes(store)).model();
    StoreModel.VersionEntry a = model.secrets().get("a").latest();
    StoreModel.VersionEntry b = model.secrets().get("b").latest();

    // 1. b's ciphertext and wrapped key moved under name a
    StoreModel swapped = replace(model, "a", new StoreModel.VersionEntry(a.version(), b.createdAt(),
        b.expiresAt(), b.metadata(), b.wrappedKey(), b.ciphertext()));
    // 2. b's expiry removed
    StoreModel unexpiring = replace(model, "b", new StoreModel.VersionEntry(b.version(),
        b.createdAt(), null, b.metadata(), b.wrappedKey(), b.ciphertext()));
    for (StoreModel forged : List.of(swapped, unexpiring)) {
      Files.write(store, StoreCodec.write(forged, Envelope.fileMac(key, forged)));
      try (LocalSecretProvider p = provider()) {
        String name = forged == swapped ? "a" : "b";
        Throwable t = catchThrowable(() -> p.fetch(SecretRef.parse("local://" + name), CTX));
        assertThat(t).isInstanceOf(SecretConfigException.class)
            .hasMessageContaining("cannot be decrypted");
        assertNoLeak(t, canaryA, canaryB);
      }
    }
  }

  private static StoreModel replace(StoreModel m, String name, StoreModel.VersionEntry v) {
    Map<String, StoreModel.SecretEntry> secrets = new HashMap<>(m.secrets());
    StoreModel.SecretEntry e = secrets.get(name);
    secrets.put(name, new StoreModel.SecretEntry(name, e.nextVersion(), List.of(v)));
    return new StoreModel(m.keyId(), m.generation(), new java.util.TreeMap<>(secrets));
  }

  @Test
  void keyFile_readableByOthers_isRefusedWithChmodHint() throws Exception {
    Path keyFile = dir.resolve("key");
    LocalKeys.writeKeyFile(keyFile, key);
    if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      return;
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    LocalStoreOptions opts = LocalStoreOptions.builder().storeFile(dir.resolve("store.json"))
        .keyFile(keyFile).environment(n -> null).build();
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      Throwable t = catchThrowable(() -> p.put("a", "v".getBytes(StandardCharsets.UTF_8)));
      assertThat(t).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
      assertNoLeak(t, LocalKeys.encode(key));
    }
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("r--------"));
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
      assertThat(fetch(p, "local://a")).isEqualTo("v");
    }
  }

  @Test
  void keyFile_symbolicLink_isJudgedByItsTarget() throws Exception {
    if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      return;
    }
    Path target = dir.resolve("real.key");
    LocalKeys.writeKeyFile(target, key);
    Path link = Files.createSymbolicLink(dir.resolve("link.key"), target);
    assertThat(LocalKeys.readKeyFile(link)).isEqualTo(key);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> LocalKeys.readKeyFile(link)).isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("rw-r-----");
    assertThatThrownBy(() -> LocalKeys.readKeyFile(dir)).isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("regular file");
    assertThatThrownBy(() -> LocalKeys.readKeyFile(dir.resolve("none")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("secrets init");
  }

  @Test
  void environmentKey_malformed_isConfigErrorWithoutEcho() {
    String notAKey = canary();
    for (String bad : List.of(notAKey + "!!", LocalKeys.encode(key).substring(4))) {
      LocalStoreOptions opts = LocalStoreOptions.builder().storeFile(dir.resolve("s.json"))
          .environment(n -> n.equals(LocalStoreOptions.KEY_VARIABLE) ? bad : null).build();
      try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
        Throwable t = catchThrowable(() -> p.put("a", "v".getBytes(StandardCharsets.UTF_8)));
        assertThat(t).isInstanceOf(SecretConfigException.class)
            .hasMessageContaining(LocalStoreOptions.KEY_VARIABLE);
        assertNoLeak(t, notAKey, LocalKeys.encode(key).substring(4));
      }
    }
  }

  @Test
  void environmentKey_valid_opensStoreAndWinsOverKeyFile() {
    String b64 = LocalKeys.encode(key);
    LocalStoreOptions opts = LocalStoreOptions.builder().storeFile(dir.resolve("s.json"))
        .keyFile(dir.resolve("absent.key"))
        .environment(n -> n.equals(LocalStoreOptions.KEY_VARIABLE) ? b64 : null).build();
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
      assertThat(p.storeKeyId()).contains(LocalKeys.keyId(key));
    }
    assertThat(opts.toString()).doesNotContain(b64);
  }

  @Test
  void rotateKey_withKeyFile_rewrapsEverything_oldKeyNoLongerOpens() throws Exception {
    Path keyFile = dir.resolve("key");
    LocalKeys.writeKeyFile(keyFile, key);
    LocalStoreOptions opts = LocalStoreOptions.builder().storeFile(dir.resolve("store.json"))
        .keyFile(keyFile).environment(n -> null).build();
    String c1 = canary();
    String c2 = canary();
    String newId;
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      p.put("a", c1.getBytes(StandardCharsets.UTF_8));
      p.put("a", c2.getBytes(StandardCharsets.UTF_8));
      p.put("b", c1.getBytes(StandardCharsets.UTF_8));
      newId = p.rotateKey();
      assertThat(newId).isNotEqualTo(LocalKeys.keyId(key));
      assertThat(fetch(p, "local://a")).isEqualTo(c2); // same instance keeps working
    }
    assertThat(LocalKeys.keyId(LocalKeys.readKeyFile(keyFile))).isEqualTo(newId);
    assertThat(dir.resolve("key.next")).doesNotExist();
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      assertThat(fetch(p, "local://a?version=1")).isEqualTo(c1);
      assertThat(fetch(p, "local://a")).isEqualTo(c2);
      assertThat(fetch(p, "local://b")).isEqualTo(c1);
    }
    try (LocalSecretProvider old = provider()) {
      assertThatThrownBy(() -> old.fetch(SecretRef.parse("local://a"), CTX))
          .isInstanceOf(SecretAccessDeniedException.class);
    }
  }

  @Test
  void rotateKey_whenAnEntryDoesNotUnwrap_changesNothing() throws Exception {
    Path store = dir.resolve("store.json");
    try (LocalSecretProvider p = provider()) {
      p.put("a", "1".getBytes(StandardCharsets.UTF_8));
      p.put("b", "2".getBytes(StandardCharsets.UTF_8));
    }
    StoreModel model = StoreCodec.parse(store, Files.readAllBytes(store)).model();
    StoreModel.VersionEntry b = model.secrets().get("b").latest();
    byte[] wrapped = b.wrappedKey().clone();
    wrapped[wrapped.length - 1] ^= 1;
    StoreModel forged = replace(model, "b", new StoreModel.VersionEntry(b.version(), b.createdAt(),
        b.expiresAt(), b.metadata(), wrapped, b.ciphertext()));
    Files.write(store, StoreCodec.write(forged, Envelope.fileMac(key, forged)));
    byte[] before = Files.readAllBytes(store);
    byte[] newKey = LocalKeys.generate();
    try (LocalSecretProvider p = provider()) {
      assertThatThrownBy(() -> p.rotateKey(newKey)).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("secrets.b");
      assertThat(fetch(p, "local://a")).isEqualTo("1"); // still the old key
    }
    assertThat(Files.readAllBytes(store)).isEqualTo(before);
  }

  @Test
  void rotateKey_interruptedBeforeKeyFileRename_isCompletedByNextWriter() throws Exception {
    Path keyFile = dir.resolve("key");
    LocalKeys.writeKeyFile(keyFile, key);
    byte[] newKey = LocalKeys.generate();
    try (LocalSecretProvider p = provider()) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
      // the state a crash between the store write and the key file rename leaves behind
      LocalKeys.writeKeyFile(dir.resolve("key.next"), newKey);
      p.rotateKey(newKey);
    }
    LocalStoreOptions opts = LocalStoreOptions.builder().storeFile(dir.resolve("store.json"))
        .keyFile(keyFile).environment(n -> null).build();
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      assertThat(fetch(p, "local://a")).isEqualTo("v");
      p.put("b", "w".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(LocalKeys.keyId(LocalKeys.readKeyFile(keyFile))).isEqualTo(LocalKeys.keyId(newKey));
    assertThat(dir.resolve("key.next")).doesNotExist();
  }

  @Test
  void rotateKey_withEnvironmentKey_needsAnExplicitNewKey() {
    String b64 = LocalKeys.encode(key);
    LocalStoreOptions opts = LocalStoreOptions.builder().storeFile(dir.resolve("s.json"))
        .environment(n -> n.equals(LocalStoreOptions.KEY_VARIABLE) ? b64 : null).build();
    try (LocalSecretProvider p = LocalSecretProvider.create(opts)) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(p::rotateKey).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(LocalStoreOptions.KEY_VARIABLE);
      byte[] next = LocalKeys.generate();
      assertThat(p.rotateKey(next)).isEqualTo(LocalKeys.keyId(next));
      assertThat(fetch(p, "local://a")).isEqualTo("v");
      assertThatThrownBy(() -> p.rotateKey(next)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void concurrentPutsFromManyThreads_allLand() throws Exception {
    int threads = 4;
    int each = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (LocalSecretProvider p = LocalSecretProvider.create(options().maxVersions(100).build())) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            p.put("shared", ("t" + id + "-" + i).getBytes(StandardCharsets.UTF_8));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(50, TimeUnit.SECONDS);
      }
      assertThat(p.describe("shared").orElseThrow().versions()).hasSize(threads * each);
      assertThat(p.describe("shared").orElseThrow().current().version()).isEqualTo(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fetch_afterAnotherInstanceWrites_seesNewVersionDespiteReadCache() {
    try (LocalSecretProvider reader = provider(); LocalSecretProvider writer = provider()) {
      writer.put("k", "one".getBytes(StandardCharsets.UTF_8));
      assertThat(fetch(reader, "local://k")).isEqualTo("one");
      assertThat(fetch(reader, "local://k")).isEqualTo("one"); // served from the verified snapshot
      for (int i = 2; i <= 5; i++) {
        writer.put("k", ("v" + i).getBytes(StandardCharsets.UTF_8));
        assertThat(fetch(reader, "local://k")).isEqualTo("v" + i);
      }
      writer.revoke("k");
      assertThatThrownBy(() -> reader.fetch(SecretRef.parse("local://k"), CTX))
          .isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void twoInstancesOnOneStore_writingFromManyThreads_allLand() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (LocalSecretProvider a = LocalSecretProvider.create(options().maxVersions(100).build());
         LocalSecretProvider b = LocalSecretProvider.create(options().maxVersions(100).build())) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        LocalSecretProvider p = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 8; i++) {
            p.put("shared", new byte[] {1});
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(50, TimeUnit.SECONDS);
      }
      assertThat(a.describe("shared").orElseThrow().versions()).hasSize(32);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lockHeldElsewhere_writeTimesOutAsUnavailable_andWritesNothing() throws Exception {
    try (LocalSecretProvider p = LocalSecretProvider.create(options()
        .lockTimeout(Duration.ofMillis(200)).build())) {
      p.put("a", "v".getBytes(StandardCharsets.UTF_8));
      byte[] before = Files.readAllBytes(p.storeFile());
      Path lockFile = dir.resolve("store.json.lock");
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
          java.nio.file.StandardOpenOption.WRITE);
           java.nio.channels.FileLock held = ch.lock()) {
        assertThat(held.isValid()).isTrue();
        assertThatThrownBy(() -> p.put("a", "w".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(io.secretsdk.ProviderUnavailableException.class)
            .hasMessageContaining("stayed locked");
      }
      assertThat(Files.readAllBytes(p.storeFile())).isEqualTo(before);
      p.put("a", "w".getBytes(StandardCharsets.UTF_8)); // free again
      assertThat(fetch(p, "local://a")).isEqualTo("w");
    }
  }

  @Test
  void readersDuringWrites_neverFail_andNeverGoBackInVersion() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (LocalSecretProvider writer = LocalSecretProvider.create(options().maxVersions(100).build());
         LocalSecretProvider reader = provider()) {
      writer.put("hot", "v1".getBytes(StandardCharsets.UTF_8));
      CountDownLatch done = new CountDownLatch(1);
      List<Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(pool.submit(() -> {
          int last = 0;
          int reads = 0;
          while (done.getCount() > 0 || reads == 0) {
            FetchResult r = reader.fetch(SecretRef.parse("local://hot"), CTX);
            int version = Integer.parseInt(r.version().orElseThrow());
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v" + version);
            assertThat(version).isGreaterThanOrEqualTo(last);
            last = version;
            reads++;
          }
          return reads;
        }));
      }
      Future<?> writes = pool.submit(() -> {
        try {
          for (int i = 2; i <= 30; i++) {
            writer.put("hot", ("v" + i).getBytes(StandardCharsets.UTF_8));
          }
        } finally {
          done.countDown();
        }
        return null;
      });
      writes.get(50, TimeUnit.SECONDS);
      for (Future<Integer> f : readers) {
        assertThat(f.get(50, TimeUnit.SECONDS)).isPositive();
      }
      assertThat(fetch(reader, "local://hot")).isEqualTo("v30");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void close_thenUse_throwsIllegalState() {
    LocalSecretProvider p = provider();
    p.close();
    p.close();
    assertThatThrownBy(() -> p.fetch(SecretRef.parse("local://a"), CTX))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> p.put("a", new byte[] {1})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void factory_throughClientDiscovery_resolvesAndSeesRotationOnRefresh() throws Exception {
    Path store = dir.resolve("store.json");
    String b64 = LocalKeys.encode(key);
    Map<String, String> env = Map.of(LocalStoreOptions.KEY_VARIABLE, b64);
    try (LocalSecretProvider writer = provider()) {
      writer.put("openai/dev", "first".getBytes(StandardCharsets.UTF_8));
      List<SecretChangeEvent> seen = new CopyOnWriteArrayList<>();
      try (SecretsClient client = SecretsClient.builder()
          .providerFromFactory("local", ProviderSettings.of(Map.of("store", store.toString()), env::get))
          .environment(RunEnvironment.LOCAL).build()) {
        SecretRef ref = SecretRef.parse("local://openai/dev");
        client.onChange(ref, seen::add);
        try (Secret s = client.resolve(ref)) {
          assertThat(s.reveal()).isEqualTo("first");
          assertThat(s.version()).contains("1");
        }
        writer.put("openai/dev", "second".getBytes(StandardCharsets.UTF_8));
        try (Secret s = client.refresh(ref)) {
          assertThat(s.version()).contains("2");
        }
        assertThat(seen).singleElement().satisfies(e -> {
          assertThat(e.oldVersion()).contains("1");
          assertThat(e.newVersion()).contains("2");
        });
      }
    }
  }

  @Test
  void fromEnvironment_localScheme_readsStoreAndKeyFromVariables() {
    try (LocalSecretProvider writer = provider()) {
      writer.put("ci/token", "from-env-config".getBytes(StandardCharsets.UTF_8));
    }
    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(Map.of(
            "SECRETS_SDK_PROVIDERS", "local",
            LocalStoreOptions.STORE_VARIABLE, dir.resolve("store.json").toString(),
            LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(key),
            "SECRETS_SDK_ENV", "ci")).build();
         Secret s = client.resolve("local://ci/token")) {
      assertThat(s.reveal()).isEqualTo("from-env-config");
    }
  }

  @Test
  void options_defaults_followEnvironmentAndHome() {
    LocalStoreOptions defaults = LocalStoreOptions.builder().environment(n -> null).build();
    assertThat(defaults.storeFile().endsWith(Path.of(".secrets-sdk", "local-store.json"))).isTrue();
    assertThat(defaults.keyFile().endsWith(Path.of(".secrets-sdk", "local-store.key"))).isTrue();
    assertThat(defaults.lockTimeout()).isEqualTo(LocalStoreOptions.DEFAULT_LOCK_TIMEOUT);
    assertThat(defaults.maxVersions()).isEqualTo(LocalStoreOptions.DEFAULT_MAX_VERSIONS);
    LocalStoreOptions fromEnv = LocalStoreOptions.builder().environment(n -> switch (n) {
      case LocalStoreOptions.STORE_VARIABLE -> dir.resolve("x.json").toString();
      case LocalStoreOptions.KEY_FILE_VARIABLE -> dir.resolve("x.key").toString();
      default -> null;
    }).build();
    assertThat(fromEnv.storeFile()).isEqualTo(dir.resolve("x.json").toAbsolutePath());
    assertThat(fromEnv.keyFile()).isEqualTo(dir.resolve("x.key").toAbsolutePath());
    assertThatThrownBy(() -> LocalStoreOptions.builder().key(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> LocalStoreOptions.builder().lockTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockTimeout");
    assertThatThrownBy(() -> LocalStoreOptions.builder().maxVersions(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxVersions");
  }
}
