package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.spi.FetchContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SecretsCliTest {
  @TempDir Path dir;

  private final byte[] key = LocalKeys.generate();
  private final String canary = canary();

  record Result(int exit, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  static String canary() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return "canary-" + HexFormat.of().formatHex(b);
  }

  private Map<String, String> envKey() {
    return Map.of(LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(key));
  }

  private Path store() {
    return dir.resolve("store.json");
  }

  private Result run(String stdin, Map<String, String> env, CliIo.PasswordPrompt prompt,
      String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliIo io = new CliIo(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, prompt);
    int exit = SecretsCli.run(args, io);
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs against the test store with the key in the environment. */
  private Result cli(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--store");
    all.add(store().toString());
    return run(stdin, envKey(), null, all.toArray(String[]::new));
  }

  private String fetch(String ref, byte[] withKey) {
    try (LocalSecretProvider p = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(store()).key(withKey).environment(n -> null).build())) {
      return new String(p.fetch(SecretRef.parse(ref), FetchContext.of(RunEnvironment.LOCAL)).value(),
          StandardCharsets.UTF_8);
    }
  }

  private void assertNoLeak(Result r, String... secrets) {
    for (String s : secrets) {
      assertThat(r.all()).doesNotContain(s)
          .doesNotContain(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
    }
  }

  // ------------------------------------------------------------------ help and usage

  @ParameterizedTest
  @ValueSource(strings = {"init", "put", "list", "describe", "rotate", "revoke", "check", "scan"})
  void help_onEverySubcommand_printsUsageAndExitsZero(String command) {
    Result r = run("", Map.of(), null, command, "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("usage: secrets " + command);
    assertThat(run("", Map.of(), null, "help", command).out()).isEqualTo(r.out());
    assertThat(run("", Map.of(), null, command, "-h").exit()).isZero();
  }

  @Test
  void help_topLevel_listsCommandsAndExitCodes() {
    Result r = run("", Map.of(), null, "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("put", "list", "describe", "rotate", "revoke", "check", "scan",
        "Exit codes: 0 ok, 1 check failed");
  }

  @Test
  void noArguments_orUnknownCommand_isUsageError() {
    assertThat(run("", Map.of(), null).exit()).isEqualTo(SecretsCli.USAGE);
    Result r = run("", Map.of(), null, "frobnicate");
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("unknown command");
    assertThat(run("", Map.of(), null, "help", "frobnicate").exit()).isEqualTo(SecretsCli.USAGE);
  }

  @Test
  void unknownOption_namesOptionButNotItsValue() {
    Result r = cli("", "list", "--colour=" + canary);
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("unknown option --colour");
    assertNoLeak(r, canary);
  }

  // ------------------------------------------------------------------ init

  @Test
  void init_createsPrivateKeyFileOnce() throws Exception {
    Path keyFile = dir.resolve("keys/local.key");
    Result r = run("", Map.of(), null, "init", "--store", store().toString(), "--key-file",
        keyFile.toString());
    assertThat(r.exit()).isZero();
    byte[] written = LocalKeys.readKeyFile(keyFile);
    assertThat(r.out()).contains("created key file", LocalKeys.keyId(written));
    assertNoLeak(r, LocalKeys.encode(written));
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
          .isEqualTo("rw-------");
    }
    Result again = run("", Map.of(), null, "init", "--store", store().toString(), "--key-file",
        keyFile.toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("already exists");
    assertThat(LocalKeys.readKeyFile(keyFile)).isEqualTo(written);

    // with a store: init checks that the key opens it
    assertThat(run("v", Map.of(), null, "put", "a", "--store", store().toString(), "--key-file",
        keyFile.toString()).exit()).isZero();
    assertThat(run("", Map.of(), null, "init", "--store", store().toString(), "--key-file",
        keyFile.toString()).out()).contains("1 secrets");
    Result wrongKey = run("", envKey(), null, "init", "--store", store().toString());
    assertThat(wrongKey.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(wrongKey.err()).contains("does not open");
  }

  // ------------------------------------------------------------------ put

  @Test
  void put_fromStdin_storesValueAndPrintsOnlyRefAndVersion() throws Exception {
    Result r = cli(canary + "\n", "put", "openai/dev", "--meta", "owner=team-a");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("stored local://openai/dev version 1");
    assertNoLeak(r, canary);
    assertThat(fetch("local://openai/dev", key)).isEqualTo(canary); // trailing newline dropped
    assertThat(Files.readString(store())).doesNotContain(canary);
    assertThat(cli("second", "put", "openai/dev").out()).contains("version 2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--value", "--value=", "--secret", "--password=", "-v", "--from-env",
      "--token="})
  void put_valueOnCommandLine_isRefusedWithoutEcho(String option) {
    String[] args = option.endsWith("=")
        ? new String[] {"put", "openai/dev", option + canary}
        : new String[] {"put", "openai/dev", option, canary};
    Result r = cli(canary, args);
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("never taken from arguments or the environment")
        .contains("stdin");
    assertNoLeak(r, canary);
    assertThat(store()).doesNotExist();
  }

  @Test
  void put_extraPositional_isRefusedWithoutEcho() {
    Result r = cli("", "put", "openai/dev", canary);
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("pipe it on stdin");
    assertNoLeak(r, canary);
    assertThat(store()).doesNotExist();
  }

  @Test
  void put_valueInEnvironment_isNeverRead() {
    Map<String, String> env = new HashMap<>(envKey());
    env.put("SECRET_VALUE", canary);
    env.put("VALUE", canary);
    Result r = run("", env, null, "put", "x", "--store", store().toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("no value on stdin");
    assertNoLeak(r, canary);
    assertThat(store()).doesNotExist();
  }

  @Test
  void put_fromTerminal_promptsTwiceWithoutEcho() {
    Deque<String> typed = new ArrayDeque<>(List.of(canary, canary));
    List<String> prompts = new ArrayList<>();
    CliIo.PasswordPrompt prompt = message -> {
      prompts.add(message);
      return typed.poll().toCharArray();
    };
    Result r = run("", envKey(), prompt, "put", "db/password", "--store", store().toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(prompts).hasSize(2);
    assertThat(prompts.get(0)).contains("db/password").contains("not echoed");
    assertNoLeak(r, canary);
    assertThat(fetch("local://db/password", key)).isEqualTo(canary);
  }

  @Test
  void put_fromTerminal_mismatchOrEmpty_storesNothing() {
    Deque<String> typed = new ArrayDeque<>(List.of(canary, canary + "x"));
    Result r = run("", envKey(), m -> typed.poll().toCharArray(), "put", "a", "--store",
        store().toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("differ");
    assertNoLeak(r, canary);
    Result empty = run("", envKey(), m -> new char[0], "put", "a", "--store", store().toString());
    assertThat(empty.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(store()).doesNotExist();
  }

  @Test
  void put_stdinFlag_readsStdinEvenWithTerminal() {
    Result r = run(canary, envKey(), m -> {
      throw new AssertionError("prompted");
    }, "put", "a", "--stdin", "--store", store().toString());
    assertThat(r.exit()).isZero();
    assertThat(fetch("local://a", key)).isEqualTo(canary);
  }

  @Test
  void put_emptyOrOversizedStdin_isUsageError() {
    assertThat(cli("", "put", "a").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(cli("\n", "put", "a").exit()).isEqualTo(SecretsCli.USAGE);
    Result big = cli("x".repeat(SecretsCli.MAX_VALUE_BYTES + 1), "put", "a");
    assertThat(big.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(big.err()).contains("larger than");
    assertThat(store()).doesNotExist();
  }

  @Test
  void put_badNameOrExpiryOrMeta_isUsageError() {
    assertThat(cli(canary, "put", "../etc").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(cli(canary, "put", "a", "--expires-in", "soon").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(cli(canary, "put", "a", "--expires-in", "0s").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(cli(canary, "put", "a", "--meta", "novalue").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(cli(canary, "put", "a", "--expected-version", "x").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(store()).doesNotExist();
  }

  @Test
  void put_expectedVersionMismatch_exitsConflict() {
    assertThat(cli(canary, "put", "a", "--expected-version", "0").exit()).isZero();
    Result r = cli(canary, "put", "a", "--expected-version", "0");
    assertThat(r.exit()).isEqualTo(SecretsCli.CONFLICT);
    assertThat(r.err()).contains("current version is 1");
    assertNoLeak(r, canary);
    assertThat(cli(canary, "put", "a", "--expected-version", "1").exit()).isZero();
  }

  // ------------------------------------------------------------------ list and describe

  @Test
  void listAndDescribe_showMetadataOnly() throws Exception {
    cli(canary, "put", "openai/dev", "--expires-in", "8h", "--meta", "owner=team-a");
    cli(canary + "2", "put", "openai/dev", "--meta", "owner=team-a");
    cli(canary, "put", "stripe/dev");
    Result list = cli("", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("NAME", "openai/dev", "stripe/dev");
    assertNoLeak(list, canary);

    Result describe = cli("", "describe", "openai/dev");
    assertThat(describe.exit()).isZero();
    assertThat(describe.out()).contains("ref:      local://openai/dev", "current:  2", "2 (current)",
        "owner=team-a", "enabled");
    assertThat(describe.out().lines().filter(l -> l.startsWith("1 ")).findFirst()).isPresent();
    assertNoLeak(describe, canary);

    JsonNode json = new ObjectMapper().readTree(cli("", "list", "--json").out());
    assertThat(json).hasSize(2);
    assertThat(json.get(0).get("name").asText()).isEqualTo("openai/dev");
    assertThat(json.get(0).get("versions").get(0).get("metadata").get("owner").asText())
        .isEqualTo("team-a");
    assertThat(new ObjectMapper().readTree(cli("", "describe", "stripe/dev", "--json").out())
        .get("current").asInt()).isEqualTo(1);
  }

  @Test
  void list_missingStore_isUsageErrorNamingIt_emptyStoreSaysSo() {
    Result r = cli("", "list");
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains(store().toString()).contains("does not exist");
    assertThat(r.err().lines().count()).isEqualTo(1);
    cli(canary, "put", "a");
    cli("", "revoke", "a", "--justification", "test");
    Result empty = cli("", "list");
    assertThat(empty.exit()).isZero();
    assertThat(empty.out()).contains("no secrets");
  }

  @Test
  void describe_missing_exitsNotFound() {
    cli(canary, "put", "a");
    Result r = cli("", "describe", "b");
    assertThat(r.exit()).isEqualTo(SecretsCli.NOT_FOUND);
    assertThat(r.err()).contains("no secret at local://b");
    assertThat(cli("", "describe").exit()).isEqualTo(SecretsCli.USAGE);
  }

  // ------------------------------------------------------------------ rotate

  @Test
  void rekey_withKeyFile_replacesKeyFileAndKeepsValues() {
    Path keyFile = dir.resolve("local.key");
    LocalKeys.writeKeyFile(keyFile, key);
    String[] store = {"--store", store().toString(), "--key-file", keyFile.toString()};
    assertThat(run(canary, Map.of(), null, concat(new String[] {"put", "a"}, store)).exit()).isZero();
    Result r = run("", Map.of(), null, concat(new String[] {"rekey"}, store));
    assertThat(r.exit()).as(r.err()).isZero();
    byte[] newKey = LocalKeys.readKeyFile(keyFile);
    assertThat(r.out()).contains(LocalKeys.keyId(key) + " -> " + LocalKeys.keyId(newKey));
    assertNoLeak(r, canary, LocalKeys.encode(newKey), LocalKeys.encode(key));
    assertThat(fetch("local://a", newKey)).isEqualTo(canary);
    Result old = cli("", "list"); // the old key, from the environment
    assertThat(old.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(old.err()).contains("does not open");
    assertThat(run("", Map.of(), null, concat(new String[] {"rekey", "--new-key-file",
        dir.resolve("x").toString()}, store)).exit()).isEqualTo(SecretsCli.USAGE);
  }

  @Test
  void rekey_withEnvironmentKey_needsNewKeyFileAndWritesItFirst() throws Exception {
    cli(canary, "put", "a");
    Result refused = cli("", "rekey");
    assertThat(refused.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(refused.err()).contains("--new-key-file");
    Path target = dir.resolve("new.key");
    Result r = cli("", "rekey", "--new-key-file", target.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    byte[] newKey = LocalKeys.readKeyFile(target);
    assertThat(r.out()).contains(LocalKeys.keyId(newKey)).contains(target.toString());
    assertNoLeak(r, canary, LocalKeys.encode(newKey));
    assertThat(fetch("local://a", newKey)).isEqualTo(canary);
    Result again = cli("", "rekey", "--new-key-file", target.toString()); // exists: refused
    assertThat(again.exit()).isEqualTo(SecretsCli.STORE_ERROR);
  }

  @Test
  void rekey_withEnvironmentKey_onTamperedStore_changesNothingAndWritesNoKeyFile()
      throws Exception {
    cli(canary, "put", "a");
    Files.writeString(store(), Files.readString(store()).replace("\"generation\" : 1",
        "\"generation\" : 7"));
    byte[] before = Files.readAllBytes(store());
    Path target = dir.resolve("new.key");
    Result r = cli("", "rekey", "--new-key-file", target.toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(r.err()).contains("integrity check");
    assertThat(target).doesNotExist();
    assertThat(Files.readAllBytes(store())).isEqualTo(before);
  }

  @Test
  void rekey_withoutStore_exitsNotFound() {
    assertThat(cli("", "rekey", "--new-key-file", dir.resolve("k").toString()).exit())
        .isEqualTo(SecretsCli.NOT_FOUND);
    assertThat(cli("", "rotate").exit()).isEqualTo(SecretsCli.USAGE);
  }

  // ------------------------------------------------------------------ revoke

  @Test
  void revoke_versionThenCurrent_thenNotFound() {
    cli("one", "put", "a");
    cli("two", "put", "a");
    Result v = cli("", "revoke", "a", "--version", "2", "--justification", "t");
    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(v.err()).contains("revoked local://a version 2");
    assertThat(fetch("local://a", key)).isEqualTo("one");
    assertThat(cli("", "revoke", "a", "--version", "2", "--justification", "t").exit())
        .isEqualTo(SecretsCli.NOT_FOUND);
    assertThat(cli("", "revoke", "a", "--version", "0", "--justification", "t").exit())
        .isEqualTo(SecretsCli.USAGE);
    assertThat(cli("", "revoke", "a", "--version", "1").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(cli("", "revoke", "a", "--justification", "t").exit()).isZero();
    assertThat(cli("", "describe", "a").exit()).isEqualTo(SecretsCli.NOT_FOUND);
    assertThat(cli("", "revoke", "a", "--justification", "t").exit()).isEqualTo(SecretsCli.NOT_FOUND);
  }

  // ------------------------------------------------------------------ store errors

  @Test
  void wrongKey_tamperedStore_openKeyFile_allExitStoreErrorWithoutLeaks() throws Exception {
    cli(canary, "put", "a");
    byte[] other = LocalKeys.generate();
    Result wrong = run("", Map.of(LocalStoreOptions.KEY_VARIABLE, LocalKeys.encode(other)), null,
        "describe", "a", "--store", store().toString());
    assertThat(wrong.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(wrong.err()).contains("does not open").contains(LocalKeys.keyId(other));
    assertNoLeak(wrong, canary, LocalKeys.encode(key), LocalKeys.encode(other));

    byte[] before = Files.readAllBytes(store());
    Files.write(store(), java.util.Arrays.copyOf(before, before.length - 40));
    Result truncated = cli(canary, "put", "a");
    assertThat(truncated.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(truncated.err()).contains("not valid JSON").contains("left untouched");
    assertNoLeak(truncated, canary);
    Files.write(store(), before);

    Path keyFile = dir.resolve("open.key");
    LocalKeys.writeKeyFile(keyFile, key);
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-rw-r--"));
      Result open = run("", Map.of(), null, "list", "--store", store().toString(), "--key-file",
          keyFile.toString());
      assertThat(open.exit()).isEqualTo(SecretsCli.STORE_ERROR);
      assertThat(open.err()).contains("chmod 600");
      assertNoLeak(open, LocalKeys.encode(key));
    }
    Result badEnv = run("", Map.of(LocalStoreOptions.KEY_VARIABLE, canary), null, "list",
        "--store", store().toString());
    assertThat(badEnv.exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertNoLeak(badEnv, canary);
  }

  @Test
  void describe_expiringVersion_showsExpiry() {
    // expiry itself runs on the provider's clock and is tested there
    cli(canary, "put", "a", "--expires-in", "1h");
    Result r = cli("", "describe", "a");
    assertThat(r.out()).contains("EXPIRES").doesNotContain("disabled");
    assertThat(r.out().lines().filter(l -> l.startsWith("1 (current)")).findFirst().orElseThrow())
        .matches(".*Z .*Z$");
  }

  @Test
  void duration_shortAndIsoForms_parse_othersRefused() {
    assertThat(SecretsCli.duration("90s")).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(SecretsCli.duration("15m")).isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(SecretsCli.duration("8h")).isEqualTo(java.time.Duration.ofHours(8));
    assertThat(SecretsCli.duration("7d")).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(SecretsCli.duration("PT15M")).isEqualTo(java.time.Duration.ofMinutes(15));
    for (String bad : List.of("0s", "-5m", "PT0S", "5 m", "5w", "")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> SecretsCli.duration(bad)).as(bad)
          .isInstanceOf(UsageException.class);
    }
  }

  // ------------------------------------------------------------------ check and scan

  @Test
  void check_withoutRegistry_isUsageError() {
    Result r = cli("", "check");
    assertThat(r.exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(r.err()).contains("--registry");
  }

  /** A GitHub-token-shaped string built at run time, so no class file holds it as a constant. */
  private static String fakeGithubToken() {
    return String.join("", "ghp", "_", "A1b2C3d4E5f6G7h8I9j0", "K1l2M3n4O5p6Q7r8");
  }

  @Test
  void scan_fileWithToken_reportsWhereButNotWhat() throws Exception {
    String token = fakeGithubToken();
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(logs.resolve("clean.log"), "nothing here\n");
    Files.writeString(logs.resolve("run.log"), "line one\ncalling with " + token + " now\n");
    Result r = run("", Map.of(), null, "scan", "--no-ignore-file", logs.toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("run.log:2:14 token github");
    assertThat(r.all()).doesNotContain(token);
    Result clean = run("", Map.of(), null, "scan", "--no-ignore-file",
        logs.resolve("clean.log").toString());
    assertThat(clean.exit()).as(clean.all()).isZero();
    assertThat(clean.out()).contains("0 findings in 1 files");
    assertThat(run("", Map.of(), null, "scan").exit()).isEqualTo(SecretsCli.USAGE);
    assertThat(run("", Map.of(), null, "scan", dir.resolve("missing").toString()).exit())
        .isEqualTo(SecretsCli.USAGE);
  }

  @Test
  void scan_storeValues_findsEveryVersionInEncodedForms() throws Exception {
    String older = canary();
    cli(older, "put", "openai/dev");
    cli(canary, "put", "openai/dev");
    Path artifacts = Files.createDirectories(dir.resolve("artifacts"));
    Files.writeString(artifacts.resolve("plain.txt"), "key=" + canary + "\n");
    Files.writeString(artifacts.resolve("encoded.json"), "{\"auth\": \""
        + Base64.getEncoder().encodeToString(older.getBytes(StandardCharsets.UTF_8)) + "\"}\n");
    Files.writeString(artifacts.resolve("clean.txt"), "resolved local://openai/dev version 2\n");
    Result r = cli("", "scan", "--store-values", "--no-ignore-file", artifacts.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("plain.txt:1:5 value local://openai/dev?version=2")
        .contains("encoded.json:1:").contains("value local://openai/dev?version=1")
        .doesNotContain("clean.txt");
    assertNoLeak(r, canary, older);
    // without --store-values the values are unknown to the scanner
    assertThat(cli("", "scan", "--no-ignore-file", artifacts.toString()).exit()).isZero();
  }

  @Test
  void scan_valueEnv_findsThatValue_andMissingVariableIsUsageError() throws Exception {
    Path file = dir.resolve("out.log");
    Files.writeString(file, "token " + canary + "\n");
    Result r = run("", Map.of("MY_TOKEN", canary), null, "scan", "--no-ignore-file", "--value-env",
        "MY_TOKEN", file.toString());
    assertThat(r.exit()).isEqualTo(SecretsCli.FINDINGS);
    assertThat(r.out()).contains("out.log:1:7 value env://MY_TOKEN");
    assertNoLeak(r, canary);
    assertThat(run("", Map.of(), null, "scan", "--value-env", "NOPE", file.toString()).exit())
        .isEqualTo(SecretsCli.USAGE);
    assertThat(run("", Map.of(), null, "scan", "--ignore-file", "x", "--no-ignore-file",
        file.toString()).exit()).isEqualTo(SecretsCli.USAGE);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
