package io.secretsdk.rotation;

import static io.secretsdk.rotation.WebhookFixture.TARGET;
import static io.secretsdk.rotation.WebhookFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Canaries made at run time in the key and the bodies never reach a log line, message or answer. */
final class RotationWebhookLeakTest {

  @Test
  void keyAndBodyCanaries_neverInLogsAtDebug_exceptionsOrResponses() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level previous = root.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
    StringBuilder seen = new StringBuilder();
    List<String> canaries = new ArrayList<>();
    try (WebhookFixture f = new WebhookFixture()) {
      canaries.add(f.key);
      String bodyCanary = WebhookFixture.canary();
      canaries.add(bodyCanary);
      String withExtra = f.body().replace("}", ",\"note\":\"" + bodyCanary + "\"}");
      seen.append(f.post(withExtra)).append('\n'); // accepted; the extra field is not shown

      String id = WebhookFixture.newDeliveryId();
      for (RotationWebhookTest.Bad b : RotationWebhookTest.badRequests(f, id)) {
        seen.append(f.webhook.handle(b.headers, b.body)).append('\n');
      }
      // bad requests whose body itself carries a canary, in every place a field can be
      for (String body : List.of(
          "{\"" + bodyCanary + "\":1}",
          "{\"secret_id\":\"" + bodyCanary + "\",\"new_version\":\"2\",\"timestamp\":"
              + f.clock.instant().getEpochSecond() + ",\"delivery_id\":\"u1\"}",
          f.body().replace("\"2\"", "{\"x\":\"" + bodyCanary + "\"}"),
          f.body().replace("\"delivery_id\":\"", "\"delivery_id\":\"" + bodyCanary + " "),
          "[\"" + bodyCanary + "\"", bodyCanary)) {
        seen.append(f.post(body)).append('\n');
        try {
          f.webhook.accept(f.sign(body), bytes(body));
        } catch (RotationRejectedException e) {
          for (Throwable t = e; t != null; t = t.getCause()) {
            seen.append(t).append('\n');
          }
        }
        seen.append(f.webhook.handle(Map.of(RotationWebhook.SIGNATURE_HEADER,
            List.of("sha256=" + bodyCanary)), bytes(body))).append('\n');
      }
      String tampered = f.body(TARGET.toString(), bodyCanary, f.clock.instant());
      seen.append(f.webhook.handle(Map.of(RotationWebhook.SIGNATURE_HEADER,
          List.of(f.sign(f.body()))), bytes(tampered))).append('\n');
    } finally {
      root.detachAppender(appender);
      root.setLevel(previous);
    }
    for (ILoggingEvent e : appender.list) {
      seen.append(e.getFormattedMessage()).append('\n');
      if (e.getArgumentArray() != null) {
        for (Object a : e.getArgumentArray()) {
          seen.append(a).append('\n');
        }
      }
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        seen.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    assertThat(appender.list).as("the webhook logged at all").anyMatch(
        e -> e.getLoggerName().equals(RotationWebhook.class.getName()) && e.getLevel() == Level.INFO);
    for (String canary : canaries) {
      assertThat(seen.toString()).doesNotContain(canary);
    }
  }

  @Test
  void signatures_comparedInConstantTime_neverAsStrings() throws Exception {
    Path dir = Path.of("src/main/java/io/secretsdk/rotation");
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        all.append(Files.readString(p)).append('\n');
      }
    }
    String src = all.toString();
    assertThat(src).contains("MessageDigest.isEqual(expected, given)");
    assertThat(src).contains("Signatures.tagsEqual(expected, tag)");
    // no equals/compareTo on anything named like a signature, tag, MAC or digest, and no
    // Arrays.equals at all
    assertThat(Pattern.compile("(?i)\\b\\w*(sig|tag|mac|digest|hex|expected)\\w*\\s*\\.\\s*"
        + "(equals|equalsIgnoreCase|contentEquals|compareTo)\\s*\\(").matcher(src).find()).isFalse();
    assertThat(src).doesNotContain("Arrays.equals");
  }
}
