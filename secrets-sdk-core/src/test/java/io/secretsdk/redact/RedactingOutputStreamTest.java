package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

final class RedactingOutputStreamTest {
  private static final SecretRef REF = SecretRef.parse("env://OPENAI_API_KEY");
  private static final String MARK = "[REDACTED:env://OPENAI_API_KEY]";

  private final RedactionIndex index = RedactionIndex.create();
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

  private String register() {
    String v = "välue-" + Canaries.canary();
    index.register(REF, v.getBytes(UTF_8));
    return v;
  }

  @Test
  void write_valueSplitAcrossTwoWrites_redacted() throws IOException {
    String v = register();
    byte[] line = ("token=" + v + " ok\n").getBytes(UTF_8);
    try (RedactingOutputStream out = new RedactingOutputStream(sink, index)) {
      int cut = 6 + 10;
      out.write(line, 0, cut);
      assertThat(sink.size()).isZero(); // held: no newline yet
      out.write(line, cut, line.length - cut);
    }
    assertThat(sink.toString(UTF_8)).isEqualTo("token=" + MARK + " ok\n");
  }

  @Test
  void write_multiByteCharSplitByteByByte_decodesIntact() throws IOException {
    String v = register();
    byte[] line = ("€ 𝄞 ü " + v + " é\n").getBytes(UTF_8);
    try (RedactingOutputStream out = new RedactingOutputStream(sink, index)) {
      for (byte b : line) {
        out.write(b);
      }
    }
    assertThat(sink.toString(UTF_8)).isEqualTo("€ 𝄞 ü " + MARK + " é\n");
  }

  @Test
  void flush_partialLine_passedOnRedacted() throws IOException {
    String v = register();
    RedactingOutputStream out = new RedactingOutputStream(sink, index);
    out.write(("prompt " + v).getBytes(UTF_8));
    assertThat(sink.size()).isZero();
    out.flush();
    assertThat(sink.toString(UTF_8)).isEqualTo("prompt " + MARK);
  }

  @Test
  void write_lineLongerThanHoldLimit_passedOnEarlyWithoutLeaking() throws IOException {
    String v = register();
    try (RedactingOutputStream out = new RedactingOutputStream(sink, index, 256)) {
      for (int i = 0; i < 40; i++) { // one long line, the value at many offsets across the cut
        out.write(("chunk" + i + " " + v.substring(0, 7)).getBytes(UTF_8));
        out.write((v.substring(7) + " ").getBytes(UTF_8));
      }
      assertThat(sink.size()).isPositive();
    }
    String text = sink.toString(UTF_8);
    assertThat(text).doesNotContain(v).doesNotContain(v.substring(6)).contains(MARK);
    assertThat(text.split("\\[REDACTED", -1)).hasSize(41);
  }

  @Test
  void write_afterClose_throws() throws IOException {
    RedactingOutputStream out = new RedactingOutputStream(sink, index);
    out.close();
    assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
  }

  @Test
  void wrap_printlnOfValue_redactedAndUnsplitOnPrintCalls() {
    String v = register();
    PrintStream ps = RedactingPrintStream.wrap(sink, index);
    ps.print("a=" + v.substring(0, 5));
    ps.print(v.substring(5));
    ps.println(" done");
    ps.printf("again %s%n", v);
    assertThat(sink.toString(UTF_8)).isEqualTo("a=" + MARK + " done\nagain " + MARK + System.lineSeparator());
  }

  @Test
  void install_systemOutAndErr_redactedUntilUninstall() {
    String v = register();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream errSink = new ByteArrayOutputStream();
    System.setOut(new PrintStream(sink, true, UTF_8));
    System.setErr(new PrintStream(errSink, true, UTF_8));
    try {
      RedactingPrintStream.install(index);
      RedactingPrintStream.install(index); // twice: still one layer
      System.out.println("out " + v);
      System.err.println("err " + v);
      RedactingPrintStream.uninstall();
      System.out.println("after");
    } finally {
      RedactingPrintStream.uninstall();
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    String nl = System.lineSeparator();
    assertThat(sink.toString(UTF_8)).isEqualTo("out " + MARK + nl + "after" + nl);
    assertThat(errSink.toString(UTF_8)).isEqualTo("err " + MARK + System.lineSeparator());
    assertThat(Arrays.asList(System.out, System.err)).containsExactly(savedOut, savedErr);
  }
}
