package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP client keeps a healthy call's connection for reuse, and {@code close()} closes it: no
 * client-side connection to the server is left open (counted from {@code /proc/net/tcp*}, Linux).
 */
@Timeout(30)
final class PooledConnectionCloseTest {
  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();

  @Test
  void close_afterHealthyReads_closesThePooledConnection() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs /proc/net/tcp");
    try (RedactedFakes fakes = new RedactedFakes(server, stsServer)) {
      String value = fakes.canaries.alnum("val", 30);
      fakes.fake.on("GetSecretValue", c -> json(secretString(c.body().get("SecretId").asText(), value)));
      SecretsClient client = SecretsClient.builder().provider(AwsSecretsManagerProvider.create(
          fakes.options().credentialsProvider(fakes.canaryCredentials()).build())).build();
      for (String ref : List.of("aws-sm://prod/a", "aws-sm://prod/b")) {
        try (Secret s = client.resolve(ref)) {
          Canaries.assertSame("the value", s.reveal(), value);
        }
      }
      assertThat(openClientConnections(server.getPort())).as("kept for reuse").isEqualTo(1);

      client.close();

      assertThat(openClientConnections(server.getPort())).as("left open after close()").isZero();
    }
  }

  /** Client-side connections to {@code port} that are ESTABLISHED or CLOSE_WAIT. */
  private static int openClientConnections(int port) throws IOException {
    String remote = String.format(Locale.ROOT, ":%04X", port);
    int n = 0;
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(file));
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[2].endsWith(remote) && (f[3].equals("01") || f[3].equals("08"))) {
          n++;
        }
      }
    }
    return n;
  }
}
