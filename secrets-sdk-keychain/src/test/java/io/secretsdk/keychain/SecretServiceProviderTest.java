package io.secretsdk.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.keychain.internal.ChildProcess;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider against a real Secret Service: gnome-keyring in a private dbus-run-session
 * ({@link SecretServiceSession}). {@code secret-tool} runs through a wrapper that records the
 * arguments and the environment it was given, so the tests can check that no value was ever on a
 * command line and that the environment held only what the tool needs.
 */
@ExtendWith(SecretServiceSession.Extension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SecretServiceProviderTest {
  private static final FetchContext CONTEXT = FetchContext.of(io.secretsdk.RunEnvironment.CI);
  @TempDir Path dir;
  private Path argvLog;
  private Path envLog;
  private Path wrapper;

  @BeforeEach
  void wrapSecretTool() throws Exception {
    argvLog = dir.resolve("argv.log");
    envLog = dir.resolve("env.log");
    wrapper = dir.resolve("secret-tool");
    Files.writeString(wrapper, "#!/bin/sh\n"
        + "printf '%s\\n' \"$*\" >> '" + argvLog + "'\n"
        + "tr '\\0' '\\n' < /proc/$$/environ | cut -d= -f1 >> '" + envLog + "'\n"
        + "exec /usr/bin/secret-tool \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
  }

  private KeychainProvider provider(SecretServiceSession session) {
    return KeychainProvider.create(session.options().secretTool(wrapper).build());
  }

  private static SecretRef ref() {
    return SecretRef.parse("keychain://sdk-test-" + UUID.randomUUID() + "/ci bot");
  }

  private void assertNoValueOnCommandLines(String value) throws Exception {
    String argv = Files.exists(argvLog) ? Files.readString(argvLog) : "";
    assertThat(argv).as("secret-tool ran").isNotEmpty();
    assertThat(argv).doesNotContain(value)
        .doesNotContain(HexFormat.of().formatHex(value.getBytes(UTF_8)));
  }

  @Test
  void write_thenFetch_roundTripsThroughGnomeKeyring_valueOnlyOnPipes(SecretServiceSession session)
      throws Exception {
    String value = SecretServiceSession.canary();
    SecretRef ref = ref();
    try (LogCapture logs = new LogCapture(); KeychainProvider p = provider(session)) {
      assertThat(p.write(ref, value.getBytes(UTF_8), null)).isEqualTo(KeychainProvider.CURRENT_VERSION);
      FetchResult r = p.fetch(ref, CONTEXT);
      assertThat(new String(r.value(), UTF_8)).isEqualTo(value);
      assertThat(r.metadata()).containsEntry("keychain.backend", "secret-service")
          .containsEntry("keychain.accountAttribute", "account");
      assertThat(r.toString()).doesNotContain(value);
      assertThat(logs.size()).as("debug lines were written").isPositive();
      assertThat(logs.text()).doesNotContain(value);
    }
    assertNoValueOnCommandLines(value);
    // nothing wrote it down in the clear: not the tests' records, not the keyring (encrypted at rest)
    assertThat(session.filesContaining(value)).isEmpty();
    assertThat(Files.readString(envLog)).doesNotContain(value);
    // the same item is what secret-tool itself finds under the same attributes
    ChildProcess.Output out = session.run(List.of("secret-tool", "lookup", "service",
        ref.segments().get(0), "account", "ci bot"), new byte[0]);
    assertThat(new String(out.stdout(), UTF_8)).isEqualTo(value);
    out.wipe();
  }

  @Test
  void toolEnvironment_holdsOnlyWhatTheToolNeeds(SecretServiceSession session) throws Exception {
    String leaked = SecretServiceSession.canary();
    Map<String, String> env = new HashMap<>(session.environment());
    env.put("AWS_SECRET_ACCESS_KEY", leaked);
    env.put("VAULT_TOKEN", leaked);
    env.put("DISPLAY", ":0");
    try (KeychainProvider p = KeychainProvider.create(KeychainOptions.builder()
        .platform(KeychainOptions.Platform.SECRET_SERVICE).environment(env::get)
        .secretTool(wrapper).build())) {
      assertThatThrownBy(() -> p.fetch(ref(), CONTEXT)).isInstanceOf(SecretNotFoundException.class);
    }
    List<String> names = Files.readAllLines(envLog).stream().filter(s -> !s.isEmpty()).distinct().toList();
    assertThat(names).containsExactlyInAnyOrder("PATH", "HOME", "XDG_RUNTIME_DIR",
        "DBUS_SESSION_BUS_ADDRESS", "LC_ALL");
  }

  @Test
  void fetch_missingItem_isNotFound_sayingHowToStoreOne(SecretServiceSession session) {
    SecretRef ref = ref();
    try (KeychainProvider p = provider(session)) {
      SecretNotFoundException e = catchThrowableOfType(SecretNotFoundException.class,
          () -> p.fetch(ref, CONTEXT));
      assertThat(e).isNotNull().isNotInstanceOf(KeychainLockedException.class);
      assertThat(e.getMessage()).contains(ref.toString(), "secret-tool store", "account");
      assertThat(e.ref()).contains(ref);
    }
  }

  @Test
  void fetch_itemStoredUnderUsername_isFoundAsWell(SecretServiceSession session) throws Exception {
    String value = SecretServiceSession.canary();
    String service = "sdk-test-" + UUID.randomUUID();
    // as Python's keyring and go-keyring (the GitHub CLI) store items: service + username
    ChildProcess.Output stored = session.run(List.of("secret-tool", "store", "--label=by keyring",
        "service", service, "username", "octocat"), value.getBytes(UTF_8));
    assertThat(stored.exit()).as(stored.stderr()).isZero();
    try (KeychainProvider p = provider(session)) {
      FetchResult r = p.fetch(SecretRef.parse("keychain://" + service + "/octocat"), CONTEXT);
      assertThat(new String(r.value(), UTF_8)).isEqualTo(value);
      assertThat(r.metadata()).containsEntry("keychain.accountAttribute", "username");
    }
  }

  @Test
  void write_twice_replacesTheValue(SecretServiceSession session) {
    SecretRef ref = ref();
    String first = SecretServiceSession.canary();
    String second = SecretServiceSession.canary();
    try (KeychainProvider p = provider(session)) {
      p.write(ref, first.getBytes(UTF_8), null);
      p.write(ref, second.getBytes(UTF_8), null);
      assertThat(new String(p.fetch(ref, CONTEXT).value(), UTF_8)).isEqualTo(second);
    }
  }

  @Test
  void write_nonAsciiValue_andNames_roundTrip(SecretServiceSession session) {
    SecretRef ref = SecretRef.parse("keychain://sdk-t%C3%A9st-" + UUID.randomUUID() + "/na%C3%AFve");
    String value = "pässwörd-" + UUID.randomUUID() + "-鍵";
    try (KeychainProvider p = provider(session)) {
      p.write(ref, value.getBytes(UTF_8), null);
      assertThat(new String(p.fetch(ref, CONTEXT).value(), UTF_8)).isEqualTo(value);
    }
  }

  @Test
  void namesThatLookLikeOptions_areAttributes_notOptions(SecretServiceSession session) {
    SecretRef ref = SecretRef.parse("keychain://--all-" + UUID.randomUUID() + "/--unlock");
    String value = SecretServiceSession.canary();
    try (KeychainProvider p = provider(session)) {
      p.write(ref, value.getBytes(UTF_8), null);
      assertThat(new String(p.fetch(ref, CONTEXT).value(), UTF_8)).isEqualTo(value);
      assertThat(p.describe(ref).metadata()).containsEntry("label", ref.segments().get(0) + "/--unlock");
      p.revoke(ref, new RevokeRequest(null, RevokeRequest.Mode.DESTROY, null));
      assertThatThrownBy(() -> p.fetch(ref, CONTEXT)).isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void compareAndSet_isRefused_beforeAnythingRuns(SecretServiceSession session) throws Exception {
    SecretRef ref = ref();
    String value = SecretServiceSession.canary();
    try (KeychainProvider p = provider(session)) {
      assertThatThrownBy(() -> p.write(ref, value.getBytes(UTF_8), "current"))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("compare-and-set").hasMessageNotContaining(value);
      assertThatThrownBy(() -> p.fetch(ref, CONTEXT)).isInstanceOf(SecretNotFoundException.class);
    }
    assertThat(Files.readString(argvLog)).doesNotContain("store");
  }

  @Test
  void revoke_destroy_deletesTheItem_disableIsRefused(SecretServiceSession session) {
    SecretRef ref = ref();
    try (KeychainProvider p = provider(session)) {
      p.write(ref, SecretServiceSession.canary().getBytes(UTF_8), null);
      assertThatThrownBy(() -> p.revoke(ref, RevokeRequest.disableCurrent()))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("DESTROY");
      assertThat(p.fetch(ref, CONTEXT).value()).isNotEmpty(); // nothing half-done
      RevokeResult r = p.revoke(ref, new RevokeRequest(null, RevokeRequest.Mode.DESTROY, null));
      assertThat(r.revokedVersion()).isEqualTo(KeychainProvider.CURRENT_VERSION);
      assertThat(r.steps()).singleElement().asString().contains("deleted", "secret-tool clear");
      assertThatThrownBy(() -> p.fetch(ref, CONTEXT)).isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> p.revoke(ref, new RevokeRequest(null, RevokeRequest.Mode.DESTROY,
          null))).isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void describe_showsLabelAndTimes_neverTheValue(SecretServiceSession session) {
    SecretRef ref = ref();
    String value = SecretServiceSession.canary();
    try (KeychainProvider p = provider(session)) {
      p.write(ref, value.getBytes(UTF_8), null);
      SecretDescription d = p.describe(ref);
      assertThat(d.current()).contains(KeychainProvider.CURRENT_VERSION);
      assertThat(d.metadata()).containsEntry("label", ref.segments().get(0) + "/ci bot")
          .containsEntry("locked", "false").containsKeys("created", "modified");
      assertThat(d.versions()).singleElement().satisfies(v -> assertThat(v.created()).isPresent());
      assertThat(d.toString()).doesNotContain(value);
      assertThatThrownBy(() -> p.describe(ref())).isInstanceOf(SecretNotFoundException.class);
    }
  }

  @Test
  void lockedKeyring_isKeychainLocked_sayingHowToUnlock_andReadsAgainOnceUnlocked(
      SecretServiceSession shared) throws Exception {
    SecretRef ref = ref();
    String value = SecretServiceSession.canary();
    try (SecretServiceSession session = SecretServiceSession.startPrivate(); // locked: not shared
         LogCapture logs = new LogCapture();
         KeychainProvider p = KeychainProvider.create(session.options().secretTool(wrapper)
             .timeout(Duration.ofSeconds(15)).build())) {
      p.write(ref, value.getBytes(UTF_8), null);
      session.lockAll();
      try {
        KeychainLockedException e = catchThrowableOfType(KeychainLockedException.class,
            () -> p.fetch(ref, CONTEXT));
        assertThat(e).as("locked keyring").isNotNull();
        assertThat(e.getMessage()).contains(ref.toString(), "locked", "gnome-keyring-daemon --unlock")
            .doesNotContain(value);
        assertThatThrownBy(() -> p.write(ref, SecretServiceSession.canary().getBytes(UTF_8), null))
            .isInstanceOf(KeychainLockedException.class);
      } finally {
        session.unlockAll();
      }
      assertThat(session.busAddress()).isNotEqualTo(shared.busAddress());
      assertThat(new String(p.fetch(ref, CONTEXT).value(), UTF_8)).isEqualTo(value);
      assertThat(logs.text()).doesNotContain(value);
    }
  }

  @Test
  void unreachableBus_isProviderUnavailable_namingTheVariable(SecretServiceSession session) {
    Map<String, String> env = new HashMap<>(session.environment());
    env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("no-bus-here"));
    try (KeychainProvider p = KeychainProvider.create(KeychainOptions.builder()
        .platform(KeychainOptions.Platform.SECRET_SERVICE).environment(env::get).build())) {
      assertThatThrownBy(() -> p.fetch(ref(), CONTEXT))
          .isInstanceOf(ProviderUnavailableException.class)
          .hasMessageContaining("DBUS_SESSION_BUS_ADDRESS");
    }
  }

  @Test
  void client_resolvesAndRegistersTheValue_manyThreadsAtOnce(SecretServiceSession session)
      throws Exception {
    List<SecretRef> refs = new ArrayList<>();
    Map<SecretRef, String> values = new HashMap<>();
    try (KeychainProvider writer = provider(session)) {
      for (int i = 0; i < 4; i++) {
        SecretRef ref = ref();
        String value = SecretServiceSession.canary();
        writer.write(ref, value.getBytes(UTF_8), null);
        refs.add(ref);
        values.put(ref, value);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (LogCapture logs = new LogCapture();
         SecretsClient client = SecretsClient.builder().provider(provider(session)).build()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        SecretRef ref = refs.get(i % refs.size());
        Callable<Boolean> task = () -> {
          try (Secret s = client.resolve(ref)) {
            return s.reveal().equals(values.get(ref));
          }
        };
        results.add(pool.submit(task));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(45, TimeUnit.SECONDS)).isTrue();
      }
      for (String v : values.values()) {
        assertThat(logs.text()).doesNotContain(v);
        assertThat(io.secretsdk.redact.RedactionIndex.global().redact("x " + v + " y"))
            .doesNotContain(v);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void fromEnvironmentAlone_keychainResolves(SecretServiceSession session) {
    SecretRef ref = ref();
    String value = SecretServiceSession.canary();
    try (KeychainProvider p = provider(session)) {
      p.write(ref, value.getBytes(UTF_8), null);
    }
    Map<String, String> env = new HashMap<>(session.environment());
    env.put("SECRETS_SDK_PROVIDERS", "keychain");
    env.put(KeychainProviderFactory.ENV_PLATFORM, "secret-service");
    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(env).build();
         Secret s = client.resolve(ref)) {
      assertThat(s.reveal()).isEqualTo(value);
      assertThat(s.toString()).doesNotContain(value);
    } catch (SecretException e) {
      throw new AssertionError("resolve failed: " + e.getMessage(), e);
    }
  }
}
