package io.secretsdk.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a new secret value comes from: a file, stdin, a no-echo terminal prompt, or a CSPRNG.
 * Never an argument or an environment variable. Callers wipe the returned array.
 */
final class ValueInput {
  static final int MAX_VALUE_BYTES = 64 * 1024;
  static final int MIN_GENERATED = 16;
  static final int MAX_GENERATED = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ValueInput() {}

  /**
   * Reads the value from {@code file} when given, else stdin when piped (or when
   * {@code forceStdin}), else the terminal. One trailing newline is dropped.
   *
   * @throws UsageException if there is no value, it is too large, or the file cannot be read
   */
  static byte[] read(CliIo io, String label, Optional<Path> file, boolean forceStdin) {
    if (file.isPresent()) {
      return trimmed(readFile(file.get()), "the file " + file.get() + " is empty; nothing stored");
    }
    Optional<CliIo.PasswordPrompt> terminal = io.terminal();
    if (!forceStdin && terminal.isPresent()) {
      return prompt(terminal.get(), label);
    }
    return trimmed(readBounded(io.in(), "stdin"), "no value on stdin; pipe it in (printf %s"
        + " \"$VALUE\" | secrets ...), pass --file FILE, or run in a terminal to be prompted");
  }

  /**
   * {@code bytes} random bytes from a CSPRNG, as URL-safe base64 without padding, so the value is
   * text that fits an environment variable or a header.
   *
   * @throws UsageException if {@code bytes} is out of range
   */
  static byte[] generate(String bytes) {
    int n;
    try {
      n = Integer.parseInt(bytes);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < MIN_GENERATED || n > MAX_GENERATED) {
      throw new UsageException("--generate takes a number of random bytes from " + MIN_GENERATED
          + " to " + MAX_GENERATED + " (e.g. --generate 32)");
    }
    byte[] raw = new byte[n];
    RANDOM.nextBytes(raw);
    try {
      return Base64.getUrlEncoder().withoutPadding().encode(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static byte[] readFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return readBounded(in, "the file " + file);
    } catch (NoSuchFileException e) {
      throw new UsageException("the value file " + file + " does not exist; check --file");
    } catch (IOException e) {
      throw new UsageException("the value file " + file + " cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] prompt(CliIo.PasswordPrompt terminal, String label) {
    char[] first = terminal.readPassword("Value for " + label + " (not echoed): ");
    char[] second = null;
    try {
      if (first == null || first.length == 0) {
        throw new UsageException("no value entered; nothing stored");
      }
      second = terminal.readPassword("Repeat the value: ");
      if (second == null || !Arrays.equals(first, second)) {
        throw new UsageException("the two values differ; nothing stored");
      }
      return encode(first);
    } finally {
      if (first != null) {
        Arrays.fill(first, '\0');
      }
      if (second != null) {
        Arrays.fill(second, '\0');
      }
    }
  }

  private static byte[] trimmed(byte[] raw, String emptyMessage) {
    int end = raw.length;
    if (end > 0 && raw[end - 1] == '\n') {
      end--;
      if (end > 0 && raw[end - 1] == '\r') {
        end--;
      }
    }
    byte[] value = Arrays.copyOf(raw, end);
    Arrays.fill(raw, (byte) 0);
    if (value.length == 0) {
      throw new UsageException(emptyMessage);
    }
    return value;
  }

  private static byte[] readBounded(InputStream in, String source) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        buf.write(chunk, 0, n);
        if (buf.size() > MAX_VALUE_BYTES) {
          throw new UsageException("the value on " + source + " is larger than " + MAX_VALUE_BYTES
              + " bytes");
        }
      }
    } catch (IOException e) {
      throw new UsageException(source + " cannot be read (" + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(chunk, (byte) 0);
    }
    return buf.toByteArray();
  }

  private static byte[] encode(char[] chars) {
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(chars));
      byte[] out = new byte[bb.remaining()];
      bb.get(out);
      if (bb.hasArray()) {
        Arrays.fill(bb.array(), (byte) 0);
      }
      return out;
    } catch (CharacterCodingException e) {
      throw new UsageException("the value is not valid text");
    }
  }
}
