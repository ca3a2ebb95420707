package io.secretsdk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.rotation.RotationWebhook;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Posts a signed and a tampered notice to the JDK server on a loopback port. */
final class RotationWebhookServerTest {

  @Test
  void jdkServer_signedNoticeRefreshes_tamperedDoesNot_andServerStopsCleanly() throws Exception {
    Set<Long> threadsBefore = threadIds();
    String key = random();
    String oldValue = random();
    String newValue = random();
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("webhooks/rotation-key", key);
    mem.put("payments/stripe", oldValue);
    SecretRef target = SecretRef.parse("mem://payments/stripe");
    try (SecretsClient client = SecretsClient.builder().provider(mem).build()) {
      client.resolve(target).close();
      RotationWebhook webhook =
          RotationWebhook.builder(client, SecretRef.parse("mem://webhooks/rotation-key")).build();
      mem.put("payments/stripe", newValue);
      try (RotationWebhookServer server = RotationWebhookServer.start(webhook, 0)) {
        URL url = new URL("http://127.0.0.1:" + server.port() + RotationWebhookServer.PATH);
        String tampered = notice("tampered-1", "3");
        String signedForOther = RotationWebhook.sign(key.getBytes(StandardCharsets.UTF_8),
            notice("tampered-1", "2").getBytes(StandardCharsets.UTF_8));
        assertThat(post(url, tampered, signedForOther)).isEqualTo("401 {\"error\":\"bad_signature\"}");
        assertThat(current(client, target)).isEqualTo(oldValue);

        String body = notice("signed-1", "2");
        String sig = RotationWebhook.sign(key.getBytes(StandardCharsets.UTF_8),
            body.getBytes(StandardCharsets.UTF_8));
        assertThat(post(url, body, sig)).isEqualTo("204 ");
        assertThat(current(client, target)).isEqualTo(newValue);
        assertThat(post(url, body, sig)).isEqualTo("409 {\"error\":\"replayed\"}");
      }
    }
    assertThat(newThreadsAfterWaiting(threadsBefore)).as("no thread left behind").isEmpty();
  }

  private static String notice(String deliveryId, String version) {
    return "{\"secret_id\":\"mem://payments/stripe\",\"new_version\":\"" + version
        + "\",\"timestamp\":" + Instant.now().getEpochSecond() + ",\"delivery_id\":\"" + deliveryId + "\"}";
  }

  private static String current(SecretsClient client, SecretRef ref) {
    try (Secret s = client.resolve(ref)) {
      return s.reveal();
    }
  }

  private static String post(URL url, String body, String signature) throws IOException {
    HttpURLConnection c = (HttpURLConnection) url.openConnection();
    try {
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      c.setRequestProperty(RotationWebhook.SIGNATURE_HEADER, signature);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return status + " " + text;
    } finally {
      c.disconnect();
    }
  }

  private static String random() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return "CANARY" + HexFormat.of().formatHex(b);
  }

  /** Live threads, ignoring the JDK's shared pool and HTTP keep-alive cache that outlive a test. */
  private static Set<Long> threadIds() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool")
            && !t.getName().startsWith("Keep-Alive-"))
        .map(Thread::getId).collect(Collectors.toSet());
  }

  /** Waits up to 5 s for the threads started since {@code before} to end; the ones left. */
  private static Set<Long> newThreadsAfterWaiting(Set<Long> before) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    Set<Long> extra;
    do {
      extra = threadIds();
      extra.removeAll(before);
      if (extra.isEmpty()) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return extra;
  }
}
