package io.secretsdk.config;

import io.secretsdk.SecretConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Reads a configuration file into text, bounded in size and strictly UTF-8, with typed errors.
 *
 * <p>Stateless and thread-safe. Error messages carry the path and what went wrong; an
 * {@link IOException}'s message is never copied (some quote file content or OS detail), only its
 * type.
 */
final class ConfigText {
  /** Largest configuration file accepted: 256 KiB is thousands of entries. */
  static final int MAX_BYTES = 256 * 1024;

  private ConfigText() {}

  /** The path {@link SecretConfigException} reports for in-memory text, or null if unusable. */
  static Path sourcePath(String sourceName) {
    if (sourceName == null || sourceName.isEmpty()) {
      return null;
    }
    try {
      return Path.of(sourceName);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /** Checks the size of text handed in directly (not read from a file). */
  static String checkSize(String text, Path source) {
    Objects.requireNonNull(text, "text");
    // UTF-8 takes at least one byte per char; count exactly only when close to the limit
    if (text.length() > MAX_BYTES
        || (text.length() > MAX_BYTES / 4
            && text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES)) {
      throw new SecretConfigException(source, 0, null,
          "configuration is larger than " + MAX_BYTES + " bytes");
    }
    return stripBom(text);
  }

  /**
   * Reads {@code file} as UTF-8 text.
   *
   * @throws SecretConfigException if the file is missing, not a regular file, unreadable,
   *     larger than {@link #MAX_BYTES} or not valid UTF-8
   */
  static String read(Path file) {
    Objects.requireNonNull(file, "file");
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
    if (attrs.isDirectory()) {
      throw new SecretConfigException(file, 0, null, "is a directory, not a file");
    }
    if (!attrs.isRegularFile()) {
      // a FIFO or device could block the reader forever or never end
      throw new SecretConfigException(file, 0, null, "is not a regular file");
    }
    if (attrs.size() > MAX_BYTES) {
      throw tooLarge(file);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1); // the file may have grown since the size check
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(file);
    }
    return stripBom(decode(bytes, file));
  }

  private static String decode(byte[] bytes, Path file) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new SecretConfigException(file, line, null, "is not valid UTF-8 text");
    }
    out.flip();
    return out.toString();
  }

  private static String stripBom(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static SecretConfigException tooLarge(Path file) {
    return new SecretConfigException(file, 0, null,
        "file is larger than " + MAX_BYTES + " bytes; a registry or policy file holds refs only");
  }

  private static SecretConfigException ioFailure(Path file, IOException e) {
    String problem;
    if (e instanceof NoSuchFileException) {
      problem = "file does not exist";
    } else if (e instanceof AccessDeniedException) {
      problem = "file cannot be read: permission denied";
    } else if (e instanceof NotDirectoryException) {
      problem = "file does not exist (a parent is not a directory)";
    } else if (e instanceof FileSystemLoopException) {
      problem = "file cannot be read: symbolic link loop";
    } else {
      problem = "file cannot be read (" + e.getClass().getSimpleName() + ")";
    }
    return new SecretConfigException(file, 0, null, problem);
  }
}
