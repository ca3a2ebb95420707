package io.secretsdk.logback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.RedactingPrintStream;
import io.secretsdk.redact.RedactionIndex;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README section's snippets, run as they are: the logback.xml blocks are test resources that
 * must appear verbatim in the markdown, and the Java block is the code between the README markers
 * below.
 */
final class ReadmeSnippetsTest {
  private static final Path DOC = Path.of("..", "docs", "readme-logback-redactor.md");
  private static final Path ROOT_README = Path.of("..", "README.md");

  private static String resource(String name) throws IOException {
    try (InputStream in = ReadmeSnippetsTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  /** The markdown files that carry the section: the doc, and README.md once the section is pasted in. */
  private static List<String> markdowns() throws IOException {
    List<String> docs = new ArrayList<>();
    for (Path p : List.of(DOC, ROOT_README)) {
      if (Files.isRegularFile(p)) {
        String text = Files.readString(p, UTF_8);
        if (text.contains("io.secretsdk.logback.RedactingEncoder")) {
          docs.add(text);
        }
      }
    }
    assertThat(docs).as("docs/readme-logback-redactor.md or README.md with the section").isNotEmpty();
    return docs;
  }

  private static String capture(Runnable r) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(saved);
    }
    return out.toString(UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"logback-readme.xml", "logback-readme-json.xml", "logback-readme-redact-word.xml"})
  void readmeLogbackXml_appearsVerbatimInReadmeAndRedacts(String name) throws Exception {
    String xml = resource(name);
    for (String md : markdowns()) {
      assertThat(md).contains("```xml\n" + xml + "```");
    }
    String value = RedactingEncoderTest.canary();
    SecretRef ref = SecretRef.parse("mem://readme/" + name.replace('.', '-'));
    RedactionIndex.global().register(ref, value.getBytes(UTF_8));
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      String out = capture(() -> {
        try {
          JoranConfigurator configurator = new JoranConfigurator();
          configurator.setContext(context);
          configurator.doConfigure(new java.io.ByteArrayInputStream(xml.getBytes(UTF_8)));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        context.getMDCAdapter().put("session", value);
        context.getLogger("readme").info("resolved {}", value);
        context.getMDCAdapter().clear();
      });
      List<String> errors = context.getStatusManager().getCopyOfStatusList().stream()
          .filter(s -> s.getLevel() >= Status.WARN).map(Status::getMessage)
          .collect(Collectors.toList());
      assertThat(errors).isEmpty();
      assertThat(out).doesNotContain(value).contains("resolved [REDACTED:" + ref + "]")
          .contains(name.contains("json") ? "\"session\":\"[REDACTED:" + ref + "]\""
              : "session=[REDACTED:" + ref + "]");
    } finally {
      context.stop();
      RedactionIndex.global().unregister(ref);
    }
  }

  @Test
  void readmeJavaSnippet_runsAndIsVerbatimInReadme() throws Exception {
    String value = RedactingEncoderTest.canary();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    System.setOut(new PrintStream(stdout, true, UTF_8));
    String redactedLine;
    try {
      byte[] stripeKey = value.getBytes(UTF_8);
      // README-BEGIN
      // SecretsClient registers every value it resolves; code can register values it got elsewhere
      RedactionIndex index = RedactionIndex.global();
      index.register(SecretRef.parse("env://STRIPE_KEY"), stripeKey);

      String line = index.redact("charging with key " + new String(stripeKey, UTF_8));
      // line is "charging with key [REDACTED:env://STRIPE_KEY]"

      RedactingPrintStream.install();   // System.out and System.err redact too
      System.out.println("key " + new String(stripeKey, UTF_8));
      RedactingPrintStream.uninstall();
      // README-END
      redactedLine = line;
      index.unregister(SecretRef.parse("env://STRIPE_KEY"));
    } finally {
      RedactingPrintStream.uninstall();
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    assertThat(redactedLine).isEqualTo("charging with key [REDACTED:env://STRIPE_KEY]");
    assertThat(stdout.toString(UTF_8)).isEqualTo("key [REDACTED:env://STRIPE_KEY]" + System.lineSeparator());

    String source = Files.readString(
        Path.of("src/test/java/io/secretsdk/logback/ReadmeSnippetsTest.java"), UTF_8);
    String snippet = source.substring(source.indexOf("// README-BEGIN\n") + 16,
        source.indexOf("      // README-END"));
    String block = snippet.lines().map(l -> l.length() >= 6 ? l.substring(6) : l.strip())
        .collect(Collectors.joining("\n", "", "\n"));
    for (String md : markdowns()) {
      assertThat(md).contains("```java\n" + block + "```");
    }
  }
}
