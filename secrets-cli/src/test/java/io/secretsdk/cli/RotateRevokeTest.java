package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** describe, versions, put, rotate and revoke against mem:// and local:// backends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RotateRevokeTest {
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.PROD);
  @TempDir Path dir;

  private final MemSecretProvider mem = MemSecretProvider.create();
  private final String canary = CliRun.canary();
  private final byte[] key = LocalKeys.generate();
  private final Backends.Overrides memBackend = scheme -> scheme.equals("mem")
      ? Optional.of(new UnclosedProvider(mem)) : Optional.empty();

  @AfterEach
  void close() {
    mem.close();
  }

  private Map<String, String> env() {
    return Map.of("HOME", dir.toString(), "USER", "alice",
        LocalStoreOptions.STORE_VARIABLE, dir.resolve("store.json").toString(),
        LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(key));
  }

  private Path registry() throws Exception {
    return Files.writeString(dir.resolve("registry.yaml"), """
        openai:
          prod:
            secret_ref: "mem://openai/prod"
          dev:
            secret_ref: "local://openai/dev"
        """);
  }

  private CliRun.Result cli(String stdin, String... args) {
    return CliRun.run(env(), stdin, memBackend, args);
  }

  private String value(String ref) {
    FetchResult r = mem.fetch(SecretRef.parse(ref), CTX);
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  @Test
  void rotate_generate_writesNewVersionWithCas_verifies_keepsPrevious() throws Exception {
    mem.put("openai/prod", canary);
    CliRun.Result r = cli("", "rotate", "openai", "--env", "prod", "--registry",
        registry().toString(), "--generate", "32");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("rotated openai (mem://openai/prod): version 1 -> 2, verified"
        + " through a fresh client");
    String generated = value("mem://openai/prod");
    assertThat(generated).hasSize(43).isNotEqualTo(canary);
    assertThat(value("mem://openai/prod?version=1")).isEqualTo(canary);
    assertThat(r.all()).doesNotContain(canary).doesNotContain(generated);
  }

  @Test
  void rotate_fromStdin_dryRun_expectVersion() throws Exception {
    mem.put("openai/prod", canary);
    String next = CliRun.canary();
    CliRun.Result dry = cli(next, "--registry", registry().toString(), "rotate", "openai",
        "--env", "prod", "--dry-run");
    assertThat(dry.exit()).isZero();
    assertThat(dry.out()).contains("dry run").contains("nothing written");
    assertThat(mem.describe(SecretRef.parse("mem://openai/prod")).current()).contains("1");

    CliRun.Result stale = cli(next, "rotate", "mem://openai/prod", "--expect-version", "7");
    assertThat(stale.exit()).isEqualTo(SecretsCli.CONFLICT);
    assertThat(stale.err()).contains("current version of mem://openai/prod is 1").hasLineCount(1);

    CliRun.Result ok = cli(next + "\n", "rotate", "mem://openai/prod", "--expect-version", "1");
    assertThat(ok.exit()).as(ok.all()).isZero();
    assertThat(value("mem://openai/prod")).isEqualTo(next);
    assertThat(ok.all() + dry.all() + stale.all()).doesNotContain(canary).doesNotContain(next);
  }

  @Test
  void rotate_concurrentWriterWins_compareAndSetConflict_nothingOfOursWritten() {
    mem.put("app/key", canary);
    String racer = CliRun.canary();
    SecretProvider racing = new UnclosedProvider(mem) {
      @Override
      public String write(SecretRef ref, byte[] value, String expectedVersion) {
        mem.put("app/key", racer); // another operator's write lands between read and write
        return super.write(ref, value, expectedVersion);
      }
    };
    String mine = CliRun.canary();
    CliRun.Result r = CliRun.run(env(), mine, s -> Optional.of(racing), "rotate", "mem://app/key");
    assertThat(r.exit()).isEqualTo(SecretsCli.CONFLICT);
    assertThat(r.err()).contains("changed after version 1 was read").contains("nothing written");
    assertThat(value("mem://app/key")).isEqualTo(racer);
    assertThat(mem.describe(SecretRef.parse("mem://app/key")).versions()).hasSize(2);
    assertThat(r.all()).doesNotContain(mine).doesNotContain(racer).doesNotContain(canary);
  }

  @Test
  void rotate_freshClientSeesOtherValue_newVersionRevoked_previousCurrent() {
    mem.put("app/key", canary);
    String impostor = CliRun.canary();
    AtomicInteger opened = new AtomicInteger();
    Backends.Overrides overrides = scheme -> {
      if (opened.incrementAndGet() == 1) {
        return Optional.of(new UnclosedProvider(mem));
      }
      MemSecretProvider wrong = MemSecretProvider.create(); // what a misrouted replica would serve
      wrong.put("app/key", impostor);
      wrong.put("app/key", impostor);
      return Optional.of(wrong);
    };
    String mine = CliRun.canary();
    CliRun.Result r = CliRun.run(env(), mine, overrides, "rotate", "mem://app/key");
    assertThat(r.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(r.err()).contains("failed verification").contains("different value")
        .contains("wrote version 2, then revoked it").contains("version 1 is current again")
        .hasLineCount(1);
    assertThat(value("mem://app/key")).isEqualTo(canary);
    assertThat(r.all()).doesNotContain(mine).doesNotContain(impostor).doesNotContain(canary);
  }

  @Test
  void rotate_manyOperatorsAtOnce_everyWriteAccountedFor_noneLost() throws Exception {
    mem.put("app/key", canary);
    int threads = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.List<java.util.concurrent.Future<CliRun.Result>> runs = new java.util.ArrayList<>();
    for (int i = 0; i < threads; i++) {
      runs.add(pool.submit(() -> {
        start.await();
        return cli("", "rotate", "mem://app/key", "--generate", "32");
      }));
    }
    start.countDown();
    int ok = 0;
    int writtenThenOvertaken = 0;
    for (var f : runs) {
      CliRun.Result r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.exit()).as(r.all()).isIn(SecretsCli.OK, SecretsCli.CONFLICT);
      assertThat(r.all()).doesNotContain(canary);
      if (r.exit() == SecretsCli.OK) {
        ok++;
      } else if (r.err().contains("another writer changed it after this rotation")) {
        writtenThenOvertaken++;
      } else {
        assertThat(r.err()).contains("nothing written");
      }
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ok).isPositive();
    io.secretsdk.spi.SecretDescription d = mem.describe(SecretRef.parse("mem://app/key"));
    assertThat(d.versions()).hasSize(1 + ok + writtenThenOvertaken)
        .allMatch(v -> v.state() == io.secretsdk.spi.SecretVersionInfo.State.ENABLED);
  }

  @Test
  void rotate_badInput_oneLineExitTwo_nothingWritten() {
    mem.put("app/key", canary);
    for (String[] args : new String[][] {
        {"rotate", "mem://app/key", "--generate", "8"},
        {"rotate", "mem://app/key", "--generate", "32", "--file", "x"},
        {"rotate", "mem://app/key", "--value", canary},
        {"rotate", "mem://app/key", "--file", dir.resolve("missing").toString()},
        {"rotate", "env://HOME", "--generate", "32"},
        {"rotate"}}) {
      CliRun.Result r = cli("", args);
      assertThat(r.exit()).as(String.join(" ", args) + r.all()).isEqualTo(SecretsCli.USAGE);
      assertThat(r.err()).hasLineCount(1).doesNotContain(canary);
    }
    assertThat(cli("", "rotate", "env://HOME", "--generate", "32").err())
        .startsWith("secrets: env provider has no write path");
    assertThat(cli(canary, "put", "env://HOME").err())
        .isEqualTo("secrets: env provider has no write path\n");
    assertThat(mem.describe(SecretRef.parse("mem://app/key")).versions()).hasSize(1);
    assertThat(cli("", "rotate", "mem://none", "--generate", "32").exit())
        .isEqualTo(SecretsCli.NOT_FOUND);
  }

  @Test
  void put_describe_versions_onMemAndLocal() throws Exception {
    String v1 = CliRun.canary();
    assertThat(cli(v1, "put", "mem://app/key", "--expect-version", "0").exit()).isZero();
    assertThat(cli(v1, "put", "mem://app/key", "--expect-version", "0").exit())
        .isEqualTo(SecretsCli.CONFLICT);
    Path file = Files.writeString(dir.resolve("v.txt"), canary + "\n");
    CliRun.Result fromFile = cli("", "put", "mem://app/key", "--file", file.toString());
    assertThat(fromFile.out()).contains("stored mem://app/key version 2");
    assertThat(value("mem://app/key")).isEqualTo(canary);

    CliRun.Result describe = cli("", "describe", "mem://app/key");
    assertThat(describe.out()).contains("current:  2", "2 (current)", "grace:");
    CliRun.Result versions = cli("", "versions", "--format", "json", "mem://app/key");
    JsonNode json = new ObjectMapper().readTree(versions.out());
    assertThat(json.get("versions")).hasSize(2);
    assertThat(json.get("current").asText()).isEqualTo("2");

    assertThat(cli(v1, "put", "openai/dev").exit()).isZero(); // no registry: a local store name
    CliRun.Result local = cli("", "--registry", registry().toString(), "--env", "dev",
        "describe", "openai");
    assertThat(local.exit()).as(local.all()).isZero();
    assertThat(local.out()).contains("name:     openai (local)", "ref:      local://openai/dev");
    CliRun.Result env = cli("", "describe", "env://HOME");
    assertThat(env.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(env.err()).isEqualTo("secrets: env provider has no describe path\n");
    String all = describe.all() + versions.all() + local.all() + fromFile.all();
    assertThat(all).doesNotContain(v1).doesNotContain(canary);
  }

  @Test
  void revoke_writesEventArtifact_disablesAtSource_neverTheValue() throws Exception {
    mem.put("openai/prod", canary);
    String next = CliRun.canary();
    mem.put("openai/prod", next);
    Path out = dir.resolve("revoked.json");
    CliRun.Result r = cli("", "revoke", "openai", "--env", "prod", "--registry",
        registry().toString(), "--justification", "INC-42 key posted in chat", "--out",
        out.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("revoked openai (mem://openai/prod) version 2",
        "version 1 is now current", "revocation event written to " + out.toAbsolutePath());
    JsonNode event = new ObjectMapper().readTree(out.toFile());
    assertThat(event.get("type").asText()).isEqualTo("secret.revoked");
    assertThat(event.get("ref").asText()).isEqualTo("mem://openai/prod");
    assertThat(event.get("name").asText()).isEqualTo("openai");
    assertThat(event.get("version").asText()).isEqualTo("2");
    assertThat(event.get("actor").asText()).isEqualTo("alice");
    assertThat(event.get("justification").asText()).isEqualTo("INC-42 key posted in chat");
    assertThat(event.get("time").asText()).matches("\\d{4}-.*Z");
    assertThat(event.get("steps")).hasSize(3);
    assertThat(value("mem://openai/prod")).isEqualTo(canary);
    String written = Files.readString(out);
    assertThat(written + r.all()).doesNotContain(canary).doesNotContain(next);

    CliRun.Result again = cli("", "revoke", "mem://openai/prod", "--justification", "x", "--out",
        out.toString());
    assertThat(again.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(again.err()).contains("already exists").hasLineCount(1);
    assertThat(Files.readString(out)).isEqualTo(written);
    assertThat(value("mem://openai/prod")).isEqualTo(canary);

    CliRun.Result stdout = cli("", "revoke", "mem://openai/prod", "--justification", "x",
        "--actor", "bob", "--mode", "destroy");
    assertThat(stdout.exit()).isZero();
    assertThat(new ObjectMapper().readTree(stdout.out()).get("mode").asText()).isEqualTo("destroy");
    assertThat(stdout.err()).contains("destroyed version 1");
    assertThat(stdout.all()).doesNotContain(canary);
  }

  @Test
  void revoke_failuresSayWhatHappened() throws Exception {
    CliRun.Result missing = cli("", "revoke", "mem://nothing", "--justification", "x", "--out",
        dir.resolve("e.json").toString());
    assertThat(missing.exit()).isEqualTo(SecretsCli.NOT_FOUND);
    assertThat(missing.err()).contains("failed at the source").contains("nothing was revoked")
        .hasLineCount(1);
    assertThat(dir.resolve("e.json")).doesNotExist();
    CliRun.Result env = cli("", "revoke", "env://HOME", "--justification", "x");
    assertThat(env.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(env.err()).isEqualTo("secrets: env provider has no revoke path\n");
    mem.put("a/b", canary);
    for (String[] args : new String[][] {
        {"revoke", "mem://a/b"},
        {"revoke", "mem://a/b", "--justification", ""},
        {"revoke", "mem://a/b", "--justification", "x", "--mode", "obliterate"},
        {"revoke", "mem://a/b", "--justification", "x", "--recovery-window", "7d"},
        {"revoke", "mem://a/b", "--justification", "x", "--out", dir.resolve("no/dir/e.json").toString()},
        {"revoke", "mem://a/b", "--justification", "x", "--mode", "schedule-deletion"}}) {
      CliRun.Result r = cli("", args);
      assertThat(r.exit()).as(String.join(" ", args) + r.all()).isEqualTo(SecretsCli.USAGE);
      assertThat(r.err()).hasLineCount(1);
    }
    assertThat(value("mem://a/b")).isEqualTo(canary);
  }

  @Test
  void rotateAndRevoke_localStore_throughRegistry() throws Exception {
    try (LocalSecretProvider seed = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(dir.resolve("store.json")).key(key).environment(n -> null).build())) {
      seed.put("openai/dev", canary.getBytes(StandardCharsets.UTF_8));
    }
    CliRun.Result r = cli("", "--env", "dev", "rotate", "openai", "--registry",
        registry().toString(), "--generate", "24");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("version 1 -> 2");
    CliRun.Result revoke = cli("", "--env", "dev", "--registry", registry().toString(), "revoke",
        "openai", "--justification", "rolled back");
    assertThat(revoke.exit()).as(revoke.all()).isZero();
    assertThat(revoke.err()).contains("deleted version 2", "version 1 is now current");
    assertThat(Files.readString(dir.resolve("store.json"))).doesNotContain(canary);
    CliRun.Result typo = CliRun.run(Map.of(LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(key)),
        "", memBackend, "describe", "openai/dev", "--store", dir.resolve("stroe.json").toString());
    assertThat(typo.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(typo.err()).contains("stroe.json").hasLineCount(1);
  }
}
