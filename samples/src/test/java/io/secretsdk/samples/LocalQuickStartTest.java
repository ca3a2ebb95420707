package io.secretsdk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

final class LocalQuickStartTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void localQuickStart_resolvesHitsCacheSeesRotation_andPrintsNoValue() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int resolved = LocalQuickStart.run(QuickStartTest.repositoryRoot(),
        new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);

    assertThat(resolved).isGreaterThan(0);
    assertThat(out).contains("demo store ").contains("key id ")
        .contains("resolved openai -> ").contains("(from the cache)")
        .containsPattern("cache hits: [1-9]\\d*, provider fetches: [1-9]")
        .containsPattern("rotation seen by listener: \\S+ version 1 -> 2")
        .contains("1 rotation seen")
        .containsPattern("log line, redacted: calling the vendor with Authorization: Bearer"
            + " \\[REDACTED:local://openai/dev/api_key\\]");
    assertThat(out).doesNotContain("demo-"); // every demo value starts with this
  }
}
