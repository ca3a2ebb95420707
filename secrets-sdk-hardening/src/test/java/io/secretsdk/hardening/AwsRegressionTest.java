package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for what the fault matrix found in the AWS Secrets Manager provider. One that
 * is still {@code @Disabled("bug: ...")} waits for the fix named there; when it lands, remove the
 * annotation and the cell from {@link FaultMatrixTest#KNOWN_BUGS}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class AwsRegressionTest {

  /**
   * Fixed: the server closes the connection halfway through a 200 body. The JDK's HttpURLConnection
   * reports a short fixed-length body as a normal end of stream, so the AWS SDK fails in its JSON
   * unmarshaller, and {@code AwsErrors.mapClient} classifies any failure with a Jackson/unmarshall
   * exception in its chain as "the response could not be parsed" — a plain {@code SecretException}:
   * not retried, and no stale value served although the design retries transport failures and
   * serves stale on them (Vault and 1Password Connect both do). Now a body that ends early is a
   * {@code ProviderUnavailableException}.
   */
  @Test
  void resolve_bodyCutMidway_isRetriedAndServesStale() throws Exception {
    FaultMatrixTest.Phase cold = FaultMatrixTest.run(Fault.RESET_MID_BODY, HttpProviderKind.AWS, false);
    FaultMatrixTest.Phase warm = FaultMatrixTest.run(Fault.RESET_MID_BODY, HttpProviderKind.AWS, true);

    assertThat(cold.outcome).isEqualTo("`ProviderUnavailableException`");
    assertThat(cold.attempts).isEqualTo(FaultMatrixTest.ATTEMPTS);
    assertThat(warm.outcome).isEqualTo("stale value served");
  }

  /**
   * An attempt that hits the read timeout mid-body (the server keeps trickling bytes) leaves no
   * socket open after the provider is closed: the aborted connection is shut down, not pooled.
   */
  @Test
  void resolve_bodySlowerThanReadTimeout_leavesNoConnectionOpen() throws Exception {
    assumeTrue(LeakProbe.canCountConnections(), "needs /proc/net/tcp");

    FaultMatrixTest.Phase cold = FaultMatrixTest.run(Fault.SLOW_BODY, HttpProviderKind.AWS, false, 7_000);

    assertThat(cold.outcome).isEqualTo("`ProviderUnavailableException`");
    assertThat(cold.openConnections).as("sockets left open 7 s after close()").isZero();
  }

  /**
   * Fixed: a 4 MiB answer was read into memory whole and its value returned: the provider had no
   * bound on response size (Vault and 1Password Connect stop at {@code maxResponseBytes}). Secrets
   * Manager values are at most 64 KiB; responses are now bounded at 3 MiB.
   */
  @Test
  void resolve_hugeBody_isRejectedWithoutBufferingIt() throws Exception {
    FaultMatrixTest.Phase cold = FaultMatrixTest.run(Fault.HUGE_BODY, HttpProviderKind.AWS, false);

    assertThat(cold.outcome).isEqualTo("`SecretException`");
  }
}
