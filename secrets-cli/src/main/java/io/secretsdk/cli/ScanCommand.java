package io.secretsdk.cli;

import io.secretsdk.redact.TokenDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code secrets scan}: reports where known token formats occur in files, never the tokens.
 *
 * <p>Interim implementation over {@link TokenDetector}; to be switched to the SDK's leak scanner
 * ({@code io.secretsdk.redact.LeakScanner}) once it is on main, keeping this output format.
 */
final class ScanCommand {
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  private ScanCommand() {}

  static int scan(List<Path> roots, CliIo io) {
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.exists(root)) {
        throw new UsageException("no such file or directory: " + root);
      }
      if (Files.isDirectory(root)) {
        try (Stream<Path> walk = Files.walk(root)) {
          walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UsageException("cannot list " + root + " (" + e.getClass().getSimpleName() + ")");
        }
      } else {
        files.add(root);
      }
    }
    int findings = 0;
    for (Path file : files) {
      String text;
      try {
        if (Files.size(file) > MAX_FILE_BYTES) {
          io.err().println("secrets: skipped " + file + " (larger than 64 MiB)");
          continue;
        }
        text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        io.err().println("secrets: skipped " + file + " (" + e.getClass().getSimpleName() + ")");
        continue;
      }
      for (TokenDetector.Match m : TokenDetector.findAll(text)) {
        findings++;
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < m.start(); i++) {
          if (text.charAt(i) == '\n') {
            line++;
            lineStart = i + 1;
          }
        }
        io.out().println(file + ":" + line + ":" + (m.start() - lineStart + 1) + ": "
            + m.detector().id() + " (" + (m.end() - m.start()) + " characters)");
      }
    }
    if (findings == 0) {
      io.out().println("no findings in " + files.size() + " files");
      return SecretsCli.OK;
    }
    io.err().println("secrets: " + findings + " findings in " + files.size() + " files");
    return SecretsCli.FINDINGS;
  }
}
