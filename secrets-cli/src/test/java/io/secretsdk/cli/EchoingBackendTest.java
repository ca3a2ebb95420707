package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that echoes the value it was sent in its error (a proxy page, a validation message):
 * {@code put} and {@code rotate} register the value for redaction before sending it, so the
 * error the tool prints is masked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class EchoingBackendTest {
  @TempDir Path dir;

  /** Fails every write with the value in its message; reads answer version 1. */
  private static final class EchoingProvider implements SecretProvider {
    @Override
    public String scheme() {
      return "echo";
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      return FetchResult.builder("current-value-long-enough".getBytes(StandardCharsets.UTF_8))
          .version("1").build();
    }

    @Override
    public String write(SecretRef ref, byte[] value, String expectedVersion) {
      throw new ProviderUnavailableException(ref, "backend rejected the body: "
          + new String(value, StandardCharsets.UTF_8));
    }
  }

  private final Backends.Overrides echo = scheme -> scheme.equals("echo")
      ? Optional.of(new EchoingProvider()) : Optional.empty();

  @Test
  void put_valueEchoedByTheBackendsError_isMasked() {
    String canary = CliRun.canary();
    CliRun.Result r = CliRun.run(Map.of("HOME", dir.toString()), canary + "\n", echo,
        "put", "echo://team/db", "--stdin");
    assertThat(r.exit()).as(r.all()).isNotZero();
    assertThat(r.all()).doesNotContain(canary).contains("echo://team/db");
  }

  @Test
  void rotate_valueEchoedByTheBackendsError_isMasked() {
    String canary = CliRun.canary();
    CliRun.Result r = CliRun.run(Map.of("HOME", dir.toString()), canary + "\n", echo,
        "rotate", "echo://team/db", "--stdin");
    assertThat(r.exit()).as(r.all()).isNotZero();
    assertThat(r.all()).doesNotContain(canary);
  }
}
