package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Forms that span lines, written a line at a time (one {@code println} per line, as a program
 * printing a wrapped value or a key file does): held until the block is whole, then redacted.
 */
final class RedactingOutputStreamLinesTest {
  private static final SecretRef REF = SecretRef.parse("mem://lines/value");
  private static final String MARK = "[REDACTED:mem://lines/value]";

  private final RedactionIndex index = RedactionIndex.create();
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n"})
  void println_mimeBase64LineByLine_valueMaskedAtEveryAlignment(String eol) {
    for (int pad = 0; pad < 3; pad++) {
      sink.reset();
      String value = Canaries.canary() + Canaries.alnum(40);
      index.register(REF, value.getBytes(UTF_8));
      byte[] padded = new byte[pad + value.length()];
      System.arraycopy(value.getBytes(UTF_8), 0, padded, pad, value.length());
      String wrapped = Base64.getMimeEncoder(76, eol.getBytes(UTF_8)).encodeToString(padded);
      try (PrintStream out = RedactingPrintStream.wrap(sink, index)) {
        out.print("attachment:" + eol);
        for (String line : wrapped.split(eol)) {
          out.print(line + eol);
        }
        out.print("done" + eol);
      }
      String written = sink.toString(UTF_8);
      assertThat(written).as("pad %d", pad).contains(MARK).startsWith("attachment:")
          .endsWith("done" + eol);
      for (String line : wrapped.split(eol)) {
        if (line.length() >= 20) {
          assertThat(written).as("pad %d: no wrapped line of the value is left", pad)
              .doesNotContain(line.substring(4, line.length() - 4));
        }
      }
    }
  }

  @Test
  void println_privateKeyLineByLine_maskedByTheDetector() {
    String begin = "-----" + "BEGIN PRIVATE KEY-----";
    String end = "-----" + "END PRIVATE KEY-----";
    String body = Base64.getMimeEncoder(64, "\n".getBytes(UTF_8))
        .encodeToString(Canaries.bytes(300));
    try (PrintStream out = RedactingPrintStream.wrap(sink, index)) {
      out.println("loading key");
      out.println(begin);
      for (String line : body.split("\n")) {
        out.println(line);
      }
      out.println(end);
      out.println("loaded");
    }
    String written = sink.toString(UTF_8);
    assertThat(written).startsWith("loading key\n").contains("[REDACTED:private-key]")
        .endsWith("loaded\n").doesNotContain(body.split("\n")[1]);
  }

  @Test
  void write_longBase64LineOfNoValue_heldOneLineThenWrittenUnchanged() throws IOException {
    String hash = Canaries.alnum(64);
    RedactingOutputStream out = new RedactingOutputStream(sink, index);
    out.write(("commit " + hash + "\n").getBytes(UTF_8));
    assertThat(sink.size()).as("may be the first line of a wrapped value: held").isZero();
    out.write("next line\n".getBytes(UTF_8));
    assertThat(sink.toString(UTF_8)).isEqualTo("commit " + hash + "\nnext line\n");
    out.write(("tail " + hash + "\n").getBytes(UTF_8));
    out.flush();
    assertThat(sink.toString(UTF_8)).as("flush writes what is held")
        .isEqualTo("commit " + hash + "\nnext line\ntail " + hash + "\n");
    out.close();
  }

  @Test
  void write_heldBlockBeyondTheLimit_passedOnBoundedAndNothingLost() throws IOException {
    RedactingOutputStream out = new RedactingOutputStream(sink, index, 4096);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      String line = Canaries.alnum(76) + "\n";
      expected.append(line);
      out.write(line.getBytes(UTF_8));
      assertThat(expected.length() - sink.size()).as("held bytes stay bounded")
          .isLessThanOrEqualTo(4096 + 77);
    }
    out.write("end\n".getBytes(UTF_8));
    expected.append("end\n");
    assertThat(sink.toString(UTF_8)).isEqualTo(expected.toString());
    out.close();
  }

  @Test
  void write_byteByByte_blockHeldAndMasked() throws IOException {
    String value = Canaries.canary() + Canaries.alnum(60);
    index.register(REF, value.getBytes(UTF_8));
    String wrapped = Base64.getMimeEncoder().encodeToString(value.getBytes(UTF_8));
    try (RedactingOutputStream out = new RedactingOutputStream(sink, index)) {
      for (byte b : (wrapped + "\r\nafter\n").getBytes(UTF_8)) {
        out.write(b);
      }
    }
    assertThat(sink.toString(UTF_8)).contains(MARK).endsWith("after\n")
        .doesNotContain(wrapped.split("\r\n")[0].substring(8, 60));
    assertThat(List.of(sink.toString(UTF_8).split("\n"))).last().isEqualTo("after");
  }
}
