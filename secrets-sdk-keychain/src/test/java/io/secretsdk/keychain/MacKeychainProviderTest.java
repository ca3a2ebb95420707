package io.secretsdk.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.SecretDescription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The macOS Keychain path against {@link FakeSecurity}, which accepts only the argument vectors
 * the provider is meant to pass and records them: values are never among them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class MacKeychainProviderTest {
  private static final FetchContext CONTEXT = FetchContext.of(RunEnvironment.CI);
  private static final String SERVICE = "payments-ci";
  private static final String ACCOUNT = "stripe api key";
  private static final SecretRef REF = SecretRef.parse("keychain://payments-ci/stripe api key");

  @TempDir Path dir;
  private FakeSecurity security;
  private final Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "HOME", "/nonexistent");

  @BeforeEach
  void setUp() throws Exception {
    security = new FakeSecurity(dir);
  }

  private KeychainProvider provider() {
    return provider(Duration.ofSeconds(10));
  }

  private KeychainProvider provider(Duration timeout) {
    return KeychainProvider.create(KeychainOptions.builder().osName("Mac OS X")
        .security(security.executable).environment(env::get).timeout(timeout).build());
  }

  @Test
  void auto_onMac_choosesTheMacKeychain() {
    KeychainOptions options = KeychainOptions.builder().osName("Mac OS X")
        .security(security.executable).environment(env::get).build();
    assertThat(options.platform()).isEqualTo(KeychainOptions.Platform.MACOS);
    assertThat(options.security()).isPresent();
    assertThat(options.toString()).contains("platform=MACOS", "tools=" + options.security().get())
        .doesNotContain("Optional");
    assertThat(provider().toString()).contains("macos(");
  }

  @Test
  void fetch_runsFindGenericPasswordWithServiceAndAccount_andDropsTheNewline() throws Exception {
    String value = SecretServiceSession.canary();
    security.put(SERVICE, ACCOUNT, value);
    try (LogCapture logs = new LogCapture(); KeychainProvider p = provider()) {
      assertThat(new String(p.fetch(REF, CONTEXT).value(), UTF_8)).isEqualTo(value);
      assertThat(logs.text()).doesNotContain(value);
    }
    assertThat(security.argv()).containsExactly(
        List.of("find-generic-password", "-s", SERVICE, "-a", ACCOUNT, "-w"));
  }

  @Test
  void write_usesSecurityInteractive_valueAsHexOnStdinOnly() throws Exception {
    String value = SecretServiceSession.canary();
    try (LogCapture logs = new LogCapture(); KeychainProvider p = provider()) {
      assertThat(p.write(REF, value.getBytes(UTF_8), null)).isEqualTo(KeychainProvider.CURRENT_VERSION);
      assertThat(new String(p.fetch(REF, CONTEXT).value(), UTF_8)).isEqualTo(value);
      assertThat(logs.text()).doesNotContain(value);
    }
    String hex = HexFormat.of().formatHex(value.getBytes(UTF_8));
    assertThat(security.argv().get(0)).containsExactly("-i");
    assertThat(security.argv().toString()).doesNotContain(value).doesNotContain(hex);
    assertThat(security.stdin()).containsExactly("add-generic-password -U -s \"payments-ci\" -a"
        + " \"stripe api key\" -X " + hex);
    assertThat(security.stored(SERVICE, ACCOUNT)).isEqualTo(value);
  }

  @Test
  void write_nonAscii_roundTripsAsBytes() throws Exception {
    String value = "mot-de-passe-é-" + UUID.randomUUID();
    try (KeychainProvider p = provider()) {
      p.write(REF, value.getBytes(UTF_8), null);
    }
    assertThat(security.stored(SERVICE, ACCOUNT)).isEqualTo(value);
  }

  @Test
  void write_nameWithQuote_isRefused_beforeSecurityRuns() throws Exception {
    SecretRef ref = SecretRef.parse("keychain://a%22b/c");
    try (KeychainProvider p = provider()) {
      assertThatThrownBy(() -> p.write(ref, "v".getBytes(UTF_8), null))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("double quote");
    }
    assertThat(security.argv()).isEmpty();
  }

  @Test
  void write_tooLargeForOneSecurityLine_isRefused_beforeSecurityRuns() throws Exception {
    try (KeychainProvider p = provider()) {
      assertThatThrownBy(() -> p.write(REF, new byte[2000], null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1536");
    }
    assertThat(security.argv()).isEmpty();
  }

  @Test
  void fetch_missing_isNotFound_withTheCommandThatAddsOne() {
    try (KeychainProvider p = provider()) {
      SecretNotFoundException e = catchThrowableOfType(SecretNotFoundException.class,
          () -> p.fetch(REF, CONTEXT));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains(REF.toString(), "security add-generic-password");
    }
  }

  @Test
  void fetch_lockedKeychain_isKeychainLocked_sayingHowToUnlock() throws Exception {
    String value = SecretServiceSession.canary();
    security.put(SERVICE, ACCOUNT, value);
    security.lock();
    try (KeychainProvider p = provider()) {
      KeychainLockedException e = catchThrowableOfType(KeychainLockedException.class,
          () -> p.fetch(REF, CONTEXT));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("security unlock-keychain", "User interaction is not"
          + " allowed").doesNotContain(value);
      assertThatThrownBy(() -> p.write(REF, value.getBytes(UTF_8), null))
          .isInstanceOf(KeychainLockedException.class).hasMessageNotContaining(value);
    }
  }

  @Test
  void revoke_destroy_deletes_andOtherModesAreRefused() throws Exception {
    security.put(SERVICE, ACCOUNT, "x");
    try (KeychainProvider p = provider()) {
      assertThatThrownBy(() -> p.revoke(REF, new RevokeRequest(null,
          RevokeRequest.Mode.SCHEDULE_DELETION, null))).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> p.revoke(REF, new RevokeRequest("7", RevokeRequest.Mode.DESTROY,
          null))).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("no versions");
      assertThat(security.argv()).isEmpty();
      assertThat(p.revoke(REF, new RevokeRequest(null, RevokeRequest.Mode.DESTROY, null)).steps())
          .singleElement().asString().contains("delete-generic-password");
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT)).isInstanceOf(SecretNotFoundException.class);
    }
    assertThat(security.argv().get(0)).containsExactly("delete-generic-password", "-s", SERVICE,
        "-a", ACCOUNT);
  }

  @Test
  void describe_readsTheAttributesWithoutW_neverTheValue() throws Exception {
    String value = SecretServiceSession.canary();
    security.put(SERVICE, ACCOUNT, value);
    try (KeychainProvider p = provider()) {
      SecretDescription d = p.describe(REF);
      assertThat(d.current()).contains(KeychainProvider.CURRENT_VERSION);
      assertThat(d.metadata()).containsEntry("label", SERVICE)
          .containsEntry("created", "2026-01-02T03:04:05Z")
          .containsEntry("modified", "2026-02-03T04:05:06Z")
          .containsEntry("keychain.file", "/Users/me/Library/Keychains/login.keychain-db");
      assertThat(d.versions()).singleElement().satisfies(v ->
          assertThat(v.created()).contains(java.time.Instant.parse("2026-01-02T03:04:05Z")));
      assertThat(d.toString()).doesNotContain(value);
      assertThatThrownBy(() -> p.describe(SecretRef.parse("keychain://x/y")))
          .isInstanceOf(SecretNotFoundException.class);
    }
    assertThat(security.argv().get(0)).containsExactly("find-generic-password", "-s", SERVICE,
        "-a", ACCOUNT);
  }

  @Test
  void stderrWithRegisteredValues_isScrubbedOutOfTheMessage() throws Exception {
    String registered = SecretServiceSession.canary();
    RedactionIndex.global().register(SecretRef.parse("mem://test/" + UUID.randomUUID()),
        registered.getBytes(UTF_8));
    String keyLike = "AKIA" + "Z7QF" + "K2LM" + "7XPD" + "WQ4R"; // an AWS key id's shape, built at run time
    security.failWith("security: odd failure near " + registered + " and " + keyLike + "\n");
    try (LogCapture logs = new LogCapture(); KeychainProvider p = provider()) {
      SecretException e = catchThrowableOfType(SecretException.class, () -> p.fetch(REF, CONTEXT));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("odd failure", "exit 1").doesNotContain(registered)
          .doesNotContain(keyLike);
      assertThat(logs.text()).doesNotContain(registered).doesNotContain(keyLike);
    }
  }

  @Test
  void write_securityEchoingItsInputInAnError_messageLacksTheValueAndItsHex() throws Exception {
    String value = SecretServiceSession.plainCanary();
    security.echoInputOnFailure();
    try (LogCapture logs = new LogCapture(); KeychainProvider p = provider()) {
      SecretException e = catchThrowableOfType(SecretException.class,
          () -> p.write(REF, value.getBytes(UTF_8), null));
      assertThat(e).isNotNull();
      String hex = HexFormat.of().formatHex(value.getBytes(UTF_8));
      assertThat(e.getMessage()).contains("bad command").doesNotContain(value).doesNotContain(hex);
      assertThat(logs.text()).doesNotContain(value).doesNotContain(hex);
    }
  }

  @Test
  void hangingSecurity_isEndedAtTheTimeout_withItsChildren() throws Exception {
    security.hang();
    try (KeychainProvider p = provider(Duration.ofMillis(700))) {
      assertThatThrownBy(() -> p.fetch(REF, CONTEXT))
          .isInstanceOf(ProviderUnavailableException.class)
          .hasMessageContaining("did not finish within").hasMessageContaining("process tree");
    }
    long child = Processes.pidIn(security.childPidFile());
    assertThat(Processes.stillRunning(child, Duration.ofSeconds(5))).as("sleep %s", child).isFalse();
  }

  @Test
  void client_resolves_andTheSecretHidesTheValue() throws Exception {
    String value = SecretServiceSession.canary();
    security.put(SERVICE, ACCOUNT, value);
    try (SecretsClient client = SecretsClient.builder().provider(provider()).build();
         Secret s = client.resolve(REF)) {
      assertThat(s.reveal()).isEqualTo(value);
      assertThat(s.toString()).doesNotContain(value);
    }
  }
}
