package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.ProviderSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent mode: reads go to the AWS Secrets Manager Agent on localhost with the SSRF token header,
 * answered in {@code GetSecretValue}'s shape (the service's documented example, with run-time
 * canaries); the runner needs no AWS credentials, and the token never reaches a log.
 */
@Timeout(60)
final class AgentModeTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @StartStop private final MockWebServer agent = new MockWebServer();
  @TempDir Path dir;

  private final String token = "ssrf-" + random();
  private final String value = "pw-" + random();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final LogCapture logs = new LogCapture();

  private static String random() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      sb.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
    }
    return sb.toString();
  }

  @AfterEach
  void checkLogs() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.INFO);
    String all = logs.text();
    logs.close();
    assertThat(all.contains(token)).as("SSRF token in the DEBUG log").isFalse();
    assertThat(all.contains(value)).as("value in the DEBUG log").isFalse();
  }

  /** The documented GetSecretValue example, with a canary as the password. */
  private String answer(String name) {
    ObjectNode n = Specs.JSON.createObjectNode();
    n.put("ARN", "arn:aws:secretsmanager:us-west-2:123456789012:secret:" + name + "-a1b2c3");
    n.put("CreatedDate", 1523477145.713);
    n.put("Name", name);
    n.put("SecretString", "{\n  \"username\":\"david\",\n  \"password\":\"" + value + "\"\n}\n");
    n.put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1");
    n.putArray("VersionStages").add("AWSCURRENT");
    return n.toString();
  }

  private void serve() {
    agent.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        requests.add(r);
        if (!token.equals(r.getHeaders().get(io.secretsdk.aws.internal.AgentClient.TOKEN_HEADER))) {
          return new MockResponse.Builder().code(400).body("Bad Request").build();
        }
        String id = r.getUrl().queryParameter("secretId");
        if ("missing".equals(id)) {
          return new MockResponse.Builder().code(400).body("{\"__type\":\"ResourceNotFoundException\","
              + "\"message\":\"Secrets Manager can't find the specified secret.\"}").build();
        }
        return new MockResponse.Builder().code(200).body(answer(id)).build();
      }
    });
  }

  private SecretsClient client(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("AWS_SECRETS_MANAGER_AGENT_ADDR", "http://localhost:" + agent.getPort());
    ProviderSettings settings = ProviderSettings.of(Map.of(), all::get);
    return SecretsClient.builder().provider(new AwsSecretsManagerProviderFactory().create(settings))
        .build();
  }

  @Test
  void resolve_throughAgent_tokenFromAwsTokenVariable() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.DEBUG);
    serve();
    try (SecretsClient client = client(Map.of("AWS_TOKEN", token));
         Secret s = client.resolve("aws-sm://MyTestDatabaseSecret#password")) {
      assertThat(s.reveal()).isEqualTo(value);
      assertThat(s.version()).contains("EXAMPLE1-90ab-cdef-fedc-ba987SECRET1");
    }
    assertThat(requests).hasSize(1);
    RecordedRequest r = requests.get(0);
    assertThat(r.getUrl().encodedPath()).isEqualTo("/secretsmanager/get");
    assertThat(r.getUrl().queryParameter("secretId")).isEqualTo("MyTestDatabaseSecret");
    assertThat(r.getHeaders().get("Authorization")).as("no SigV4: the agent signs").isNull();
  }

  @Test
  void resolve_tokenFromFileUrlAndPinnedStage_sentAsTheAgentExpects() throws Exception {
    serve();
    Path file = Files.writeString(dir.resolve("awssmatoken"), token + "\n");
    try (SecretsClient client = client(Map.of("AWS_TOKEN", file.toUri().toString()));
         Secret s = client.resolve("aws-sm://app/db?stage=AWSPREVIOUS#password")) {
      assertThat(s.reveal()).isEqualTo(value);
    }
    assertThat(requests.get(0).getUrl().queryParameter("versionStage")).isEqualTo("AWSPREVIOUS");
  }

  @Test
  void resolve_agentAnswersNotFound_typedNotFound() {
    serve();
    try (SecretsClient client = client(Map.of("AWS_SESSION_TOKEN", token))) {
      assertThatThrownBy(() -> client.resolve("aws-sm://missing"))
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessageNotContaining(token);
    }
  }

  @Test
  void resolve_noTokenAnywhere_deniedWithoutACall() {
    serve();
    try (SecretsClient client = client(Map.of())) {
      org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/var/run/awssmatoken")));
      assertThatThrownBy(() -> client.resolve("aws-sm://app/db"))
          .isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("AWS_TOKEN");
    }
    assertThat(requests).isEmpty();
  }

  @Test
  void warmUp_throughAgent_oneCallPerSecret() {
    serve();
    try (SecretsClient client = client(Map.of("AWS_TOKEN", token))) {
      assertThat(client.warmUp(List.of(io.secretsdk.SecretRef.parse("aws-sm://a#password"),
          io.secretsdk.SecretRef.parse("aws-sm://b#password")))).isEmpty();
    }
    assertThat(requests).hasSize(2);
  }

  @Test
  void agentAddress_notLoopback_refused() {
    for (String address : List.of("http://agent.example:2773", "http://127.attacker.example:2773",
        "https://10.0.0.5:2773", "http://localhost", "file:///tmp/x")) {
      assertThatThrownBy(() -> AwsSecretsManagerOptions.builder().agent(URI.create(address)))
          .as(address).isInstanceOf(SecretConfigException.class);
    }
  }
}
