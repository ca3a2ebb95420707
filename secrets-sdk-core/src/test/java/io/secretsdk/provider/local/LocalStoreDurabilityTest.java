package io.secretsdk.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety and cross-process locking, with real child processes ({@link WriterMain}).
 */
final class LocalStoreDurabilityTest {
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.LOCAL);
  private static final int KILL_ITERATIONS = 20;

  @TempDir Path dir;

  private final byte[] key = LocalKeys.generate();

  private LocalSecretProvider parent(Path store) {
    return LocalSecretProvider.create(LocalStoreOptions.builder().storeFile(store).key(key)
        .environment(n -> null).maxVersions(200).build());
  }

  private Process spawn(String... args) throws IOException {
    return spawn(true, args);
  }

  private Process spawn(boolean keyInEnvironment, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        WriterMain.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove(LocalStoreOptions.KEY_VARIABLE);
    if (keyInEnvironment) {
      pb.environment().put(LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(key));
    }
    return pb.start();
  }

  /** Lines the child prints, read on a daemon thread so the test never blocks on the pipe. */
  private static BlockingQueue<String> lines(Process p) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          q.add(line);
        }
      } catch (IOException e) {
        // the child was killed
      }
      q.add("<eof>");
    });
    t.setDaemon(true);
    t.start();
    return q;
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void writerKilledMidWrite_leavesOldOrNewFile_neverTorn() throws Exception {
    Path store = dir.resolve("store.json");
    try (LocalSecretProvider p = parent(store)) {
      // ballast so each write moves a few hundred kilobytes and takes a while
      for (int i = 0; i < 40; i++) {
        p.put("ballast/" + i, WriterMain.payload(i).getBytes(StandardCharsets.UTF_8));
      }
    }
    int killedWithTempFile = 0;
    for (int iteration = 0; iteration < KILL_ITERATIONS; iteration++) {
      Process child = spawn("loop", store.toString(), "kill/test");
      BlockingQueue<String> out = lines(child);
      int lastReported = 0;
      try {
        String first = out.poll(60, TimeUnit.SECONDS);
        assertThat(first).as("child output").startsWith("wrote ");
        lastReported = Integer.parseInt(first.substring(6));
        // a random point inside the child's back-to-back writes
        TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(0, 40_000));
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      for (String line; (line = out.poll(10, TimeUnit.SECONDS)) != null && !line.equals("<eof>"); ) {
        if (line.startsWith("wrote ")) {
          lastReported = Integer.parseInt(line.substring(6));
        }
      }
      if (!tempFiles(store).isEmpty()) {
        killedWithTempFile++;
      }
      try (LocalSecretProvider p = parent(store)) {
        int current = p.describe("kill/test").orElseThrow().current().version();
        assertThat(current).as("iteration %d", iteration)
            .isBetween(lastReported, lastReported + 1);
        FetchResult r = p.fetch(SecretRef.parse("local://kill/test"), CTX);
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(WriterMain.payload(current));
        assertThat(p.list()).hasSize(41);
      }
    }
    try (LocalSecretProvider p = parent(store)) {
      p.put("after", "x".getBytes(StandardCharsets.UTF_8)); // the lock of a dead writer is free
    }
    assertThat(tempFiles(store)).isEmpty(); // and its temp files are gone
    System.out.println("kill loop: " + KILL_ITERATIONS + " kills, " + killedWithTempFile
        + " left a temp file behind (killed between temp write and rename)");
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void rotatorKilledMidRotation_storeStillOpensWithTheKeyFile() throws Exception {
    Path store = dir.resolve("store.json");
    Path keyFile = dir.resolve("local.key");
    LocalKeys.writeKeyFile(keyFile, key);
    LocalStoreOptions fromFile = LocalStoreOptions.builder().storeFile(store).keyFile(keyFile)
        .environment(n -> null).build();
    try (LocalSecretProvider p = LocalSecretProvider.create(fromFile)) {
      for (int i = 0; i < 40; i++) {
        p.put("ballast/" + i, WriterMain.payload(i).getBytes(StandardCharsets.UTF_8));
      }
    }
    for (int iteration = 0; iteration < 10; iteration++) {
      Process child = spawn(false, "rotate", store.toString(), keyFile.toString());
      BlockingQueue<String> out = lines(child);
      try {
        assertThat(out.poll(60, TimeUnit.SECONDS)).as("child output").startsWith("rotated ");
        TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(0, 40_000));
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      try (LocalSecretProvider p = LocalSecretProvider.create(fromFile)) {
        for (int i = 0; i < 40; i += 13) {
          FetchResult r = p.fetch(SecretRef.parse("local://ballast/" + i), CTX);
          assertThat(new String(r.value(), StandardCharsets.UTF_8)).as("iteration %d", iteration)
              .isEqualTo(WriterMain.payload(i));
        }
        p.put("after/" + iteration, "x".getBytes(StandardCharsets.UTF_8)); // completes a rename
      }
      assertThat(dir.resolve("local.key.next")).doesNotExist();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void twoProcessesWritingAtOnce_bothLand_noLostUpdate() throws Exception {
    Path store = dir.resolve("store.json");
    Path go = dir.resolve("go");
    int each = 25;
    try (LocalSecretProvider p = parent(store)) {
      p.put("seed", "x".getBytes(StandardCharsets.UTF_8));
    }
    Process a = spawn("count", store.toString(), "shared", "a", String.valueOf(each), go.toString());
    Process b = spawn("count", store.toString(), "shared", "b", String.valueOf(each), go.toString());
    try {
      BlockingQueue<String> outA = lines(a);
      BlockingQueue<String> outB = lines(b);
      assertThat(outA.poll(60, TimeUnit.SECONDS)).isEqualTo("ready");
      assertThat(outB.poll(60, TimeUnit.SECONDS)).isEqualTo("ready");
      Files.createFile(go);
      assertThat(outA.poll(60, TimeUnit.SECONDS)).isEqualTo("done");
      assertThat(outB.poll(60, TimeUnit.SECONDS)).isEqualTo("done");
      assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(a.exitValue()).isZero();
      assertThat(b.exitValue()).isZero();
    } finally {
      a.destroyForcibly();
      b.destroyForcibly();
    }
    try (LocalSecretProvider p = parent(store)) {
      LocalSecretInfo info = p.describe("shared").orElseThrow();
      assertThat(info.versions()).hasSize(2 * each);
      Set<String> values = new HashSet<>();
      for (LocalSecretInfo.VersionInfo v : info.versions()) {
        FetchResult r = p.fetch(SecretRef.parse("local://shared?version=" + v.version()), CTX);
        values.add(new String(r.value(), StandardCharsets.UTF_8));
      }
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < each; i++) {
        expected.add("a-" + i);
        expected.add("b-" + i);
      }
      assertThat(values).isEqualTo(expected);
      assertThat(p.describe("seed")).isPresent();
    }
  }

  private static List<Path> tempFiles(Path store) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(store.getParent(),
        AtomicFiles.tempPrefix(store) + "*")) {
      s.forEach(out::add);
    }
    return out;
  }
}
