package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.onepassword.internal.CliBackend;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CliProviderTest {
  static final String TOKEN = "ops_CANARYserviceAccountToken0123456789abcdef";
  static final String PARENT_SECRET = "CANARY-parent-env-3b7";
  static final FetchContext CTX = FetchContext.of(RunEnvironment.CI);

  @TempDir Path dir;
  private Path op;
  private OnePasswordProvider provider;
  private LogCapture logs;
  private final Map<String, String> parentEnv = new java.util.HashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    op = FakeOp.write(dir);
    parentEnv.put("PATH", "/usr/bin:/bin");
    parentEnv.put("HOME", dir.toString());
    parentEnv.put("DATABASE_PASSWORD", PARENT_SECRET);
    parentEnv.put("OP_CONNECT_TOKEN", PARENT_SECRET);
    logs = new LogCapture();
  }

  @AfterEach
  void tearDown() {
    if (provider != null) {
      provider.close();
    }
    try {
      assertThat(logs.text()).doesNotContain(TOKEN).doesNotContain(FakeOp.VALUE)
          .doesNotContain(PARENT_SECRET);
    } finally {
      logs.close();
    }
  }

  private OnePasswordProvider provider(Consumer<OnePasswordCliOptions.Builder> customize) {
    OnePasswordCliOptions.Builder b = OnePasswordCliOptions.builder()
        .executable(op).token(TOKEN).environment(parentEnv::get)
        .clock(Clock.fixed(Instant.ofEpochSecond(1111111109), ZoneOffset.UTC));
    customize.accept(b);
    provider = OnePasswordProvider.serviceAccount(b.build());
    return provider;
  }

  private OnePasswordProvider provider() {
    return provider(b -> { });
  }

  private static String fetch(OnePasswordProvider p, String ref) {
    FetchResult r = p.fetch(SecretRef.parse(ref), CTX);
    try {
      return new String(r.value(), StandardCharsets.UTF_8);
    } finally {
      r.wipe();
    }
  }

  @Test
  void fetch_success_stdoutIsValueAndTokenOnlyInChildEnvironment() throws Exception {
    assertThat(fetch(provider(), "op://Prod/Stripe/credential")).isEqualTo(FakeOp.VALUE);

    List<String> argv = Files.readAllLines(dir.resolve("argv"));
    assertThat(argv).containsExactly("read", "--no-newline", "op://Prod/Stripe/credential");
    assertThat(String.join(" ", argv)).doesNotContain(TOKEN);

    Map<String, String> env = Files.readAllLines(dir.resolve("env")).stream()
        .filter(l -> l.contains("="))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1),
            (a, b) -> a));
    assertThat(env).containsEntry("OP_SERVICE_ACCOUNT_TOKEN", TOKEN)
        .containsEntry("PATH", "/usr/bin:/bin")
        .doesNotContainKey("DATABASE_PASSWORD")
        .doesNotContainKey("OP_CONNECT_TOKEN");
    // only the token, the passed variables, and what the shell itself sets
    Set<String> allowed = new java.util.HashSet<>(OnePasswordCliOptions.DEFAULT_PASSED_VARIABLES);
    allowed.addAll(Set.of("OP_SERVICE_ACCOUNT_TOKEN", "PWD", "OLDPWD", "SHLVL", "_"));
    assertThat(allowed).containsAll(env.keySet());
  }

  @Test
  void fetch_valueWithNewlines_returnedExactly() {
    assertThat(fetch(provider(), "op://Prod/multi/notes")).isEqualTo("line1\nline2\n");
  }

  @Test
  void fetch_spacesInReference_passedAsOneArgumentWithoutShell() throws Exception {
    fetch(provider(), "op://development/aws/Access Keys/access_key_id");
    assertThat(Files.readAllLines(dir.resolve("argv")))
        .containsExactly("read", "--no-newline", "op://development/aws/Access Keys/access_key_id");
  }

  @Test
  void fetch_otp_cachedOnlyToThePeriodEnd() throws Exception {
    FetchResult r = provider().fetch(SecretRef.parse("op://Prod/GitHub/one-time password?attr=TOTP"), CTX);
    assertThat(Files.readAllLines(dir.resolve("argv")))
        .containsExactly("read", "--no-newline", "op://Prod/GitHub/one-time password?attribute=otp");
    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("123456");
    assertThat(r.ttl()).contains(Duration.ofSeconds(1));
  }

  @Test
  void fetch_notFound_mapsToNotFoundWithScrubbedStderr() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/missing/credential"));
    assertThat(e).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("isn't an item")
        .hasMessageContaining("exit 1");
    Leaks.assertClean(e, TOKEN, FakeOp.VALUE);
  }

  @Test
  void fetch_authFailureEchoingToken_mapsToAccessDeniedAndScrubsToken() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/denied/credential"));
    assertThat(e).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("[REDACTED:credential://" + CliBackend.TOKEN_KIND + "]")
        .hasMessageContaining("Unauthorized");
    Leaks.assertClean(e, TOKEN, "CANARYserviceAccount");
  }

  @Test
  void fetch_stderrWithKnownTokenFormat_isRedactedByDetector() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/leaky/credential"));
    assertThat(e).hasMessageContaining("[REDACTED:github-token]");
    Leaks.assertClean(e, "ghp_CANARY");
  }

  @Test
  void fetch_failureAfterPartialStdout_discardsItAndIsUnavailable() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/partial/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("connection reset");
    Leaks.assertClean(e, FakeOp.VALUE, TOKEN);
  }

  @Test
  void fetch_rateLimited_isUnavailable() {
    assertThatThrownBy(() -> fetch(provider(), "op://Prod/ratelimited/credential"))
        .isInstanceOf(ProviderUnavailableException.class);
  }

  @Test
  void fetch_ambiguousName_throwsAmbiguous() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/twins/credential"));
    assertThat(e).isInstanceOf(AmbiguousReferenceException.class).hasMessageContaining("More than one item");
  }

  @Test
  void fetch_unknownFailure_isGenericSecretException() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/weird/credential"));
    assertThat(e).isExactlyInstanceOf(SecretException.class).hasMessageContaining("exit 3")
        .hasMessageContaining("something odd happened");
  }

  @Test
  void fetch_floodOfStderr_boundedInMessage() {
    Throwable e = catchThrowable(() -> fetch(provider(), "op://Prod/noisy/credential"));
    assertThat(e).isInstanceOf(SecretException.class);
    assertThat(e.getMessage().length()).isLessThan(600);
  }

  @Test
  void fetch_outputLargerThanLimit_refused() {
    Throwable e = catchThrowable(() -> fetch(provider(b -> b.maxOutputBytes(1000)), "op://Prod/huge/credential"));
    assertThat(e).isInstanceOf(SecretException.class).hasMessageContaining("larger than the limit of 1000");
    assertThat(e.getMessage()).doesNotContain("vvvv");
  }

  @Test
  void fetch_timeout_destroysProcessTreeAndIsUnavailable() throws Exception {
    Throwable e = catchThrowable(() -> fetch(provider(b -> b.timeout(Duration.ofSeconds(2))),
        "op://Prod/slow/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("did not finish");
    Path childPid = dir.resolve("childpid");
    assertThat(childPid).exists();
    long pid = Long.parseLong(Files.readString(childPid).trim());
    // the grandchild (sleep 60) was destroyed with its parent: wait for its exit, bounded
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(20, TimeUnit.SECONDS).join());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void fetch_variableInReference_refusedBeforeStartingCli() {
    assertThatThrownBy(() -> fetch(provider(), "op://$APP_ENV/mysql/password"))
        .isInstanceOf(InvalidSecretRefException.class);
    assertThat(dir.resolve("argv")).doesNotExist();
  }

  @Test
  void fetch_executableMissing_isUnavailableWithoutToken() throws Exception {
    OnePasswordProvider p = provider();
    Files.delete(op);
    Throwable e = catchThrowable(() -> fetch(p, "op://Prod/Stripe/credential"));
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("cannot start");
    Leaks.assertClean(e, TOKEN);
  }

  @Test
  void close_leavesNoThreadNorProcessAndRefusesFetches() {
    Leftovers before = new Leftovers();
    OnePasswordProvider p = provider();
    fetch(p, "op://Prod/Stripe/credential");
    p.close();
    assertThat(before.threads(Duration.ofSeconds(5))).isEmpty();
    assertThat(before.processes(Duration.ofSeconds(5))).isEmpty();
    assertThatThrownBy(() -> fetch(p, "op://Prod/Stripe/credential")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void options_toStringAndValidation_neverShowToken() {
    OnePasswordCliOptions o = OnePasswordCliOptions.builder().executable(op).token(TOKEN).build();
    assertThat(o.toString()).doesNotContain(TOKEN).contains("token=****");
    assertThat(provider().toString()).doesNotContain(TOKEN);
    Throwable bad = catchThrowable(() -> OnePasswordCliOptions.builder().token("ops_" + PARENT_SECRET + " x"));
    assertThat(bad).isInstanceOf(IllegalArgumentException.class);
    Leaks.assertClean(bad, PARENT_SECRET);
    assertThatThrownBy(() -> OnePasswordCliOptions.builder().passVariable("OP_CONNECT_TOKEN"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OnePasswordCliOptions.builder().token(TOKEN)
        .environment(Map.of("PATH", "/nonexistent")::get).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not on the PATH");
  }

  @Test
  void fetch_concurrentCalls_eachGetsItsOwnProcess() throws Exception {
    OnePasswordProvider p = provider();
    List<String> refs = Arrays.asList("op://Prod/a/credential", "op://Prod/b/credential",
        "op://Prod/c/credential", "op://Prod/multi/x");
    List<String> values = refs.parallelStream().map(r -> fetch(p, r)).collect(Collectors.toList());
    assertThat(values).containsExactly(FakeOp.VALUE, FakeOp.VALUE, FakeOp.VALUE, "line1\nline2\n");
  }
}
