package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.slf4j.LoggerFactory;

final class SecretsExtensionTest {
  static final String VALUE = "canary-extension-5d1e9b7c3a";
  static volatile boolean inKit;

  /** The sample classes below run only inside EngineTestKit, never as part of the suite. */
  static final class OnlyInKit implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return inKit ? ConditionEvaluationResult.enabled("kit")
          : ConditionEvaluationResult.disabled("runs only inside SecretsExtensionTest's EngineTestKit");
    }
  }

  @ExtendWith(OnlyInKit.class)
  static class Samples {
    @RegisterExtension
    final SecretsExtension secrets = SecretsExtension.builder().canary("openai/api", VALUE).build();

    @Test
    void printsValue() {
      try (Secret s = secrets.client().resolve(secrets.ref("openai/api"))) {
        System.out.println("calling vendor with " + s.reveal());
      }
    }

    @Test
    void printsBase64ToStderr() {
      try (Secret s = secrets.client().resolve(secrets.ref("openai/api"))) {
        System.err.println("Authorization: Basic " + Base64.getEncoder().encodeToString(s.revealBytes()));
      }
    }

    @Test
    void logsValueInMdc() {
      try (Secret s = secrets.client().resolve(secrets.ref("openai/api"))) {
        org.slf4j.MDC.put("key", s.reveal());
        LoggerFactory.getLogger("app").warn("calling vendor");
      } finally {
        org.slf4j.MDC.remove("key");
      }
    }

    @Test
    void throwsWithValueInCause() {
      try (Secret s = secrets.client().resolve(secrets.ref("openai/api"))) {
        throw new IllegalStateException("vendor call failed",
            new RuntimeException("bad key " + s.reveal()));
      }
    }

    @Test
    void usesValueCorrectly() {
      try (Secret s = secrets.client().resolve(secrets.ref("openai/api"))) {
        System.out.println("resolved " + s); // masked by Secret.toString
        assertThat(s.reveal()).isEqualTo(VALUE);
      }
    }
  }

  private static Events run() {
    inKit = true;
    try {
      return EngineTestKit.engine("junit-jupiter").selectors(selectClass(Samples.class)).execute()
          .testEvents();
    } finally {
      inKit = false;
    }
  }

  @Test
  void extension_leaksInEveryChannel_failTheirTestsNamingRefNotValue() {
    Events events = run();

    assertThat(events.succeeded().count()).isEqualTo(1);
    List<Event> failed = events.failed().list();
    assertThat(failed).hasSize(4);
    for (Event e : failed) {
      Throwable t = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
          .getThrowable().orElseThrow();
      String text = Canary.fullText(t);
      assertThat(text).contains("secret value leaked into").contains("fake://openai/api");
      // the failure itself names the ref, never the value
      AssertionError leak = findLeak(t);
      assertThat(leak.getMessage()).doesNotContain(VALUE);
    }
    assertThat(failedMessage(events, "printsValue")).contains("System.out");
    assertThat(failedMessage(events, "printsBase64ToStderr")).contains("System.err");
    assertThat(failedMessage(events, "logsValueInMdc")).contains("a log event");
    assertThat(failedMessage(events, "throwsWithValueInCause")).contains("RuntimeException");
  }

  private static String failedMessage(Events events, String method) {
    return events.failed().list().stream()
        .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(method))
        .map(e -> findLeak(e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .orElseThrow().getThrowable().orElseThrow()).getMessage())
        .findFirst().orElseThrow();
  }

  private static AssertionError findLeak(Throwable t) {
    if (t instanceof AssertionError && t.getMessage().startsWith("secret value leaked into")) {
      return (AssertionError) t;
    }
    for (Throwable s : t.getSuppressed()) {
      if (s instanceof AssertionError && s.getMessage().startsWith("secret value leaked into")) {
        return (AssertionError) s;
      }
    }
    throw new AssertionError("no leak failure in " + t.getClass().getName());
  }

  @Test
  void assertNoLeak_fileAndDirectory_findsEncodedValueWithoutPrintingIt(@TempDir Path dir)
      throws Exception {
    RedactionIndex index = RedactionIndex.create();
    index.register(SecretRef.parse("fake://db/password"), VALUE.getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("clean.log"), "nothing here\n");
    LeakAssertions.assertNoLeak(index, dir);

    Files.writeString(dir.resolve("run-record.json"),
        "{\"note\":\"x\",\n\"blob\":\"" + java.net.URLEncoder.encode(VALUE + "&", StandardCharsets.UTF_8) + "\"}\n");
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> LeakAssertions.assertNoLeak(index, dir));
    assertThat(t).isInstanceOf(AssertionError.class)
        .hasMessageContaining("run-record.json:2:")
        .hasMessageContaining("fake://db/password");
    assertThat(t.getMessage()).doesNotContain(VALUE);
  }

  @Test
  void assertNoLeak_throwableWithValueInSuppressed_failsNamingWhere() {
    RedactionIndex index = RedactionIndex.create();
    index.register(SecretRef.parse("fake://db/password"), VALUE.getBytes(StandardCharsets.UTF_8));
    RuntimeException top = new RuntimeException("outer");
    top.addSuppressed(new IllegalArgumentException("inner " + VALUE));
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> LeakAssertions.assertNoLeak(index, top));
    assertThat(t).isInstanceOf(AssertionError.class).hasMessageContaining("fake://db/password");
    assertThat(t.getMessage()).doesNotContain(VALUE);
    LeakAssertions.assertNoLeak(index, new RuntimeException("clean"));
  }
}
