package io.secretsdk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class QuickStartTest {

  @Test
  void quickStart_resolvesRegistryRefs_andPrintsNoValue() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int resolved = QuickStart.run(repositoryRoot(), new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);

    assertThat(resolved).isGreaterThan(0);
    assertThat(out).contains("resolved openai -> mem://").contains("value=****");
    assertThat(out).doesNotContain("demo-"); // every demo value starts with this
  }

  static Path repositoryRoot() {
    Path here = Path.of("").toAbsolutePath();
    return here.getFileName().toString().equals("samples") ? here.getParent() : here;
  }
}
