package io.secretsdk.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.benchmarks.coldstart.BareSdkColdStart;
import io.secretsdk.benchmarks.coldstart.CachingClientColdStart;
import io.secretsdk.benchmarks.coldstart.ColdStartServer;
import io.secretsdk.benchmarks.coldstart.SecretsSdkColdStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cold-start harness's variants, run in-process against its endpoint: each gets the value
 * with the calls it is meant to make (so the script times what it claims to).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ColdStartHarnessTest {
  private final MockWebServer server = new MockWebServer();
  private final PrintStream stdout = System.out;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(ColdStartServer.dispatcher());
    server.start(InetAddress.getLoopbackAddress(), 0);
    // the SDK's default chain reads these system properties first (the script uses env vars)
    System.setProperty("aws.accessKeyId", "coldstartkey");
    System.setProperty("aws.secretAccessKey", "coldstartsecret");
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() throws Exception {
    System.setOut(stdout);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    server.close();
  }

  @Test
  void secretsSdk_resolvesWithOneGetSecretValue() throws Exception {
    SecretsSdkColdStart.main(new String[] {server.url("/").toString(), "ci/deploy-token"});

    assertThat(printed()).isEqualTo("value-length " + ColdStartServer.VALUE.length());
    assertThat(targets()).containsExactly("secretsmanager.GetSecretValue");
  }

  @Test
  void cachingClient_describesThenGets() throws Exception {
    CachingClientColdStart.main(new String[] {server.url("/").toString(), "ci/deploy-token"});

    assertThat(printed()).isEqualTo("value-length " + ColdStartServer.VALUE.length());
    assertThat(targets()).containsExactly(
        "secretsmanager.DescribeSecret", "secretsmanager.GetSecretValue");
  }

  @Test
  void bareSdk_getsOnce() throws Exception {
    BareSdkColdStart.main(new String[] {server.url("/").toString(), "ci/deploy-token"});

    assertThat(printed()).isEqualTo("value-length " + ColdStartServer.VALUE.length());
    assertThat(targets()).containsExactly("secretsmanager.GetSecretValue");
  }

  /**
   * What the issue asked of a plain resolve, held in a fresh JVM: no Jackson databind (audit line,
   * error scrubbing), no YAML (no registry or policy configured), no OkHttp (not used by aws-sm).
   */
  @Test
  void plainResolveInAFreshJvm_loadsNoDatabindYamlOrOkHttp(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dlogback.configurationFile=cold-start-logback.xml",
        "-Xlog:class+load:file=" + log,
        "-cp", System.getProperty("java.class.path"),
        SecretsSdkColdStart.class.getName(), server.url("/").toString(), "ci/deploy-token")
        .redirectErrorStream(true);
    pb.environment().put("AWS_ACCESS_KEY_ID", "coldstartkey");
    pb.environment().put("AWS_SECRET_ACCESS_KEY", "coldstartsecret");
    Process child = pb.start();
    try {
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.waitFor(50, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("value-length " + ColdStartServer.VALUE.length())
          .contains("\"event\":\"resolve\"");
    } finally {
      child.destroyForcibly();
    }
    List<String> loaded = Files.readAllLines(log).stream()
        .filter(l -> l.contains("[class,load]"))
        .map(l -> l.substring(l.indexOf("] ", l.indexOf("class,load")) + 2).split(" ")[0])
        .toList();
    assertThat(loaded).contains("io.secretsdk.internal.Slf4jAuditSink",
        "com.fasterxml.jackson.core.JsonGenerator");
    assertThat(loaded).noneMatch(c -> c.startsWith("com.fasterxml.jackson.databind.")
            && !c.equals("com.fasterxml.jackson.databind.JsonSerializable"))
        .noneMatch(c -> c.startsWith("com.fasterxml.jackson.dataformat.yaml."))
        .noneMatch(c -> c.startsWith("org.yaml.snakeyaml."))
        .noneMatch(c -> c.startsWith("okhttp3."));
  }

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8).strip();
  }

  private List<String> targets() throws InterruptedException {
    List<String> targets = new ArrayList<>();
    for (int i = server.getRequestCount(); i > 0; i--) {
      RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(r.getBody().utf8()).contains("\"SecretId\":\"ci/deploy-token\"");
      targets.add(r.getHeaders().get("X-Amz-Target"));
    }
    return targets;
  }
}
