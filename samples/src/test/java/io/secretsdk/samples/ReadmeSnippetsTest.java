package io.secretsdk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.event.GraceEndingEvent;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.event.SecretChangeListener;
import io.secretsdk.rotation.RotationWebhook;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps README.md's code honest: each snippet in the README must equal the marked region of this
 * file, and this file runs it.
 */
final class ReadmeSnippetsTest {

  @Test
  void readme_resolveSnippet_matchesAndRuns() throws Exception {
    assertThat(normalize(readmeSnippet("resolve"))).isEqualTo(normalize(sourceRegion("resolve")));

    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      resolve();
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("Secret[ref=mem://payments/stripe, version=1, value=****]")
        .doesNotContain("sk_test_example_value");
  }

  @Test
  void readme_testingSnippet_matchesTestingYourCodeTest() throws Exception {
    Path source = QuickStartTest.repositoryRoot()
        .resolve("samples/src/test/java/io/secretsdk/samples/TestingYourCodeTest.java");
    assertThat(normalize(readmeSnippet("testing"))).isEqualTo(normalize(region(source, "testing")));
  }

  @Test
  void readme_providerHttpClientSnippets_matchTheProviderTestsThatRunThem() throws Exception {
    Path vault = QuickStartTest.repositoryRoot()
        .resolve("secrets-sdk-vault/src/test/java/io/secretsdk/vault/ReadmeExampleTest.java");
    Path onePassword = QuickStartTest.repositoryRoot()
        .resolve("secrets-sdk-onepassword/src/test/java/io/secretsdk/onepassword/ReadmeExampleTest.java");
    assertThat(normalize(readmeSnippet("vault-http-client"))).isEqualTo(normalize(region(vault, "vault-http-client")));
    assertThat(normalize(readmeSnippet("op-http-client"))).isEqualTo(normalize(region(onePassword, "op-http-client")));
  }

  @Test
  void readme_rotationSnippet_matchesAndRuns() throws Exception {
    assertThat(normalize(readmeSnippet("rotation"))).isEqualTo(normalize(sourceRegion("rotation")));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      rotation();
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("rotated mem://webhooks/signing 1 -> 2")
        .contains("old key still accepted: true")
        .doesNotContain("whsec_");
  }

  @Test
  void readme_rotationWebhookSnippet_matchesAndRuns() throws Exception {
    assertThat(normalize(readmeSnippet("rotation-webhook")))
        .isEqualTo(normalize(sourceRegion("rotation-webhook")));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      rotationWebhook();
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("refreshed [mem://payments/stripe] to version 2")
        .contains("204")
        .contains("replayed: 409")
        .doesNotContain("whk_").doesNotContain("sk_test_");
  }

  private static void rotationWebhook() {
    // snippet:rotation-webhook:start
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("webhooks/rotation-key", "whk_shared_hmac_key_example_0001"); // shared with the sender
    mem.put("payments/stripe", "sk_test_old_value");
    try (SecretsClient client = SecretsClient.builder().provider(mem).build()) {
      RotationWebhook webhook = RotationWebhook
          .builder(client, SecretRef.parse("mem://webhooks/rotation-key"))
          .window(Duration.ofMinutes(5))                     // the default
          .onAccepted(n -> System.out.println("refreshed " + n.refs() + " to version " + n.newVersion()))
          .build();

      mem.put("payments/stripe", "sk_test_new_value");      // rotated at the source, which posts:
      byte[] body = ("{\"secret_id\":\"mem://payments/stripe\",\"new_version\":\"2\","
          + "\"rotated_from\":\"1\",\"timestamp\":" + Instant.now().getEpochSecond()
          + ",\"delivery_id\":\"d-0001\"}").getBytes(StandardCharsets.UTF_8);
      String signature = RotationWebhook.sign(                // the sender's side: sha256=<hex>
          "whk_shared_hmac_key_example_0001".getBytes(StandardCharsets.UTF_8), body);
      Map<String, List<String>> headers = Map.of("X-Secrets-Signature", List.of(signature));

      System.out.println(webhook.handle(headers, body).status());                // 204
      System.out.println("replayed: " + webhook.handle(headers, body).status()); // 409
    }
    // snippet:rotation-webhook:end
  }

  @Test
  void readme_keepWarmSnippet_matchesAndRuns() throws Exception {
    assertThat(normalize(readmeSnippet("keep-warm"))).isEqualTo(normalize(sourceRegion("keep-warm")));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      keepWarm();
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("refreshed without a reader: version 2")
        .contains("version 1 stops being resolvable in 59 min")
        .doesNotContain("sk_test_");
  }

  private static void keepWarm() throws InterruptedException {
    // snippet:keep-warm:start
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("payments/stripe", "sk_test_first_value");
    AtomicLong nanos = new AtomicLong();                      // a test's clock
    CountDownLatch rotated = new CountDownLatch(1);
    CountDownLatch ending = new CountDownLatch(1);
    try (SecretsClient client = SecretsClient.builder()
            .provider(mem)
            .ticker(nanos::get)
            .defaultTtl(Duration.ofMinutes(5))
            .keepWarm(3)                                      // the default: 3 TTLs without a read
            .graceWarning(Duration.ofHours(1))                // the default
            .maintenanceInterval(Duration.ofMillis(10))       // default 1 s
            .build()) {
      SecretRef ref = SecretRef.parse("mem://payments/stripe");
      client.onChange(ref, new SecretChangeListener() {
        @Override
        public void onChange(SecretChangeEvent change) {
          System.out.println("refreshed without a reader: version " + change.newVersion().orElse("?"));
          rotated.countDown();
        }

        @Override
        public void onGraceEnding(GraceEndingEvent grace) {
          System.out.println("version " + grace.previous().orElse("?") + " stops being resolvable in "
              + grace.timeLeft().toMinutes() + " min");
          ending.countDown();
        }
      });
      client.resolve(ref).close();

      mem.put("payments/stripe", "sk_test_second_value");    // rotated at the source
      nanos.addAndGet(Duration.ofMinutes(4).toNanos());       // past the refresh point, nobody reads
      rotated.await(10, TimeUnit.SECONDS);
      nanos.addAndGet(Duration.ofHours(23).plusMinutes(1).toNanos()); // an hour before the grace ends
      ending.await(10, TimeUnit.SECONDS);
    }
    // snippet:keep-warm:end
  }

  private static void rotation() {
    // snippet:rotation:start
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("webhooks/signing", "whsec_old_signing_key");
    try (SecretsClient client = SecretsClient.builder().provider(mem).build()) {
      SecretRef ref = SecretRef.parse("mem://webhooks/signing");
      client.onChange(ref, change -> System.out.println(          // versions only, never values
          "rotated " + change.ref() + " " + change.oldVersion().orElse("?") + " -> "
              + change.newVersion().orElse("?")));
      client.resolve(ref).close();

      mem.put("webhooks/signing", "whsec_new_signing_key");       // rotated at the source
      client.refresh(ref).close();                                // or wait for refresh-ahead
      List<Secret> keys = client.resolveAll(ref);                 // new key, then the old one (24 h grace)
      boolean valid = keys.stream().anyMatch(k -> k.reveal().equals("whsec_old_signing_key"));
      System.out.println("old key still accepted: " + valid);
    }
    // snippet:rotation:end
  }

  @SuppressWarnings("unused")
  private static void resolve() {
    // snippet:resolve:start
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("payments/stripe", "sk_test_example_value");

    try (SecretsClient client = SecretsClient.builder()
            .provider(mem)
            .environment(RunEnvironment.PROD)          // caps every TTL at 5 minutes
            .principal("payments-runner")
            .build();
         Secret key = client.resolve("mem://payments/stripe")) {
      System.out.println(key);                          // Secret[ref=mem://payments/stripe, version=1, value=****]
      String header = key.useChars(chars -> "Bearer " + new String(chars));
    }
    // snippet:resolve:end
  }

  static String readmeSnippet(String name) throws IOException {
    String readme = Files.readString(QuickStartTest.repositoryRoot().resolve("README.md"));
    Matcher m = Pattern.compile("<!-- snippet:" + Pattern.quote(name) + "[^>]*-->\\s*```java\\n(.*?)```",
        Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("README.md has snippet " + name).isTrue();
    return m.group(1);
  }

  static String sourceRegion(String name) throws IOException {
    return region(QuickStartTest.repositoryRoot()
        .resolve("samples/src/test/java/io/secretsdk/samples/ReadmeSnippetsTest.java"), name);
  }

  static String region(Path self, String name) throws IOException {
    String src = Files.readString(self);
    int start = src.indexOf("// snippet:" + name + ":start");
    int end = src.indexOf("// snippet:" + name + ":end");
    return src.substring(src.indexOf('\n', start) + 1, end);
  }

  /** Compares code ignoring indentation and blank lines. */
  static String normalize(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }
}
