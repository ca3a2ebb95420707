package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Java example of {@code README.md}, verbatim, run and checked. */
final class ReadmeExampleTest {
  static final String SNIPPET = """
      RedactionIndex index = RedactionIndex.create();
      index.register(SecretRef.parse("mem://demo/stripe"), "canary-value-0123456789".getBytes(StandardCharsets.UTF_8));

      String line = index.redact("key=canary-value-0123456789 b64=Y2FuYXJ5LXZhbHVlLTAxMjM0NTY3ODk=");
      """;

  @Test
  void readmeExample_redactsValueAndItsBase64() throws IOException {
    RedactionIndex index = RedactionIndex.create();
    index.register(SecretRef.parse("mem://demo/stripe"), "canary-value-0123456789".getBytes(StandardCharsets.UTF_8));

    String line = index.redact("key=canary-value-0123456789 b64=Y2FuYXJ5LXZhbHVlLTAxMjM0NTY3ODk=");

    assertThat(line).isEqualTo("key=[REDACTED:mem://demo/stripe] b64=[REDACTED:mem://demo/stripe]");
    Path doc = FaultMatrixTest.repoDir().resolve("README.md");
    assumeTrue(Files.isRegularFile(doc), "README.md is not in this checkout");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    assertThat(text).contains(SNIPPET)
        .contains("// line is \"key=[REDACTED:mem://demo/stripe] b64=[REDACTED:mem://demo/stripe]\"");
  }
}
