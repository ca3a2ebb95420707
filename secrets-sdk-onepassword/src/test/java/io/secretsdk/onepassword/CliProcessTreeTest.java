package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for an {@code op} that leaves a grandchild holding its standard output open
 * (the fake CLI's {@code sleep 300 &}): the grandchild used to outlive {@code close()} and keep two
 * SDK I/O threads blocked on the pipe. Driven through a real {@link SecretsClient}, every logger at
 * DEBUG; after {@code close()} no thread the test started and no process descending from this JVM
 * may be left, and the grandchild must be gone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CliProcessTreeTest {
  private static final Duration SETTLE = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final String token = Canaries.token("ops_", 48);
  private final String value = Canaries.token("CANARY-grandchild-", 24);
  private Path op;
  private Leftovers before;
  private RedactedLogs logs;

  @BeforeEach
  void setUp() throws Exception {
    op = FakeOp.write(dir);
    Files.writeString(dir.resolve("value"), value);
    before = new Leftovers();
    logs = new RedactedLogs();
  }

  @AfterEach
  void tearDown() {
    logs.close();
    Canaries.assertAbsent("log output", logs.text(), token, value);
    Canaries.assertAbsent("the SDK's own log events", logs.rawSdkText(), token, value);
  }

  private SecretsClient client(Duration timeout) {
    return SecretsClient.builder()
        .provider(OnePasswordProvider.serviceAccount(OnePasswordCliOptions.builder()
            .executable(op).token(token).timeout(timeout)
            .environment(Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString())::get).build()))
        .retry(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1))
        .build();
  }

  private long grandchild() {
    OptionalLong pid = Leftovers.pidIn(dir.resolve("grandchild"), SETTLE);
    assertThat(pid).as("the fake CLI started its grandchild").isPresent();
    return pid.getAsLong();
  }

  private void assertNothingLeft() {
    assertThat(before.threads(SETTLE)).as("threads left after close()").isEmpty();
    assertThat(before.processes(SETTLE)).as("processes left after close()").isEmpty();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS) // the fetch ends by its own timeout, not the grandchild's
  void resolve_cliHangsWithGrandchildOnStdout_timeoutEndsTreeAndNoThreadIsLeft() {
    Throwable e;
    try (SecretsClient client = client(Duration.ofSeconds(1))) {
      e = catchThrowable(() -> client.resolve("op://Prod/grandchild-hangs/credential"));
      assertThat(Leftovers.running(grandchild())).as("the tree ended with the timed-out fetch").isFalse();
    }
    assertThat(e).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("did not finish");
    Canaries.assertAbsent("exception", Leaks.text(e), token, value);
    assertNothingLeft();
  }

  @Test
  void close_whileCliHangsWithGrandchildOnStdout_endsTreeAndTheReadFails() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader;
    long grandchild;
    try (SecretsClient client = client(Duration.ofSeconds(50))) {
      reader = new Thread(() -> failure.set(
          catchThrowable(() -> client.resolve("op://Prod/grandchild-hangs/credential"))), "test-reader");
      reader.start();
      grandchild = grandchild();
      assertThat(Leftovers.running(grandchild)).isTrue();
    }
    reader.join(SETTLE.toMillis());
    assertThat(reader.isAlive()).as("the read ended with close()").isFalse();
    assertThat(failure.get()).isInstanceOf(RuntimeException.class);
    Canaries.assertAbsent("exception", Leaks.text(failure.get()), token, value);
    assertThat(Leftovers.running(grandchild)).as("the grandchild ended with close()").isFalse();
    assertNothingLeft();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS) // the fetch ends by its own timeout, not the grandchild's
  void resolve_cliExitsLeavingGrandchildOnStdout_returnsValueAndEndsGrandchild() {
    try (SecretsClient client = client(Duration.ofSeconds(30))) {
      try (Secret s = client.resolve("op://Prod/grandchild-left/credential")) {
        assertThat(s.reveal()).isEqualTo(value);
      }
      assertThat(Leftovers.running(grandchild())).as("the tree ended with the fetch").isFalse();
    }
    assertNothingLeft();
  }

  /**
   * A grandchild started and left between two looks at the tree is no longer linked to the CLI
   * once the CLI exited, so it cannot be found; but nothing waits on the pipe it holds.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS) // the fetch ends by its own timeout, not the grandchild's
  void resolve_cliExitsAtOnceLeavingGrandchildOnStdout_doesNotWaitForIt() {
    long grandchild = 0;
    try {
      try (SecretsClient client = client(Duration.ofSeconds(30))) {
        try (Secret s = client.resolve("op://Prod/grandchild-quick/credential")) {
          assertThat(s.reveal()).isEqualTo(value);
        }
        grandchild = grandchild();
      }
      assertNothingLeft();
    } finally {
      if (grandchild > 0) {
        ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
