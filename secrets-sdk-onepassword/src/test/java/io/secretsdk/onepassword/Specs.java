package io.secretsdk.onepassword;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared/specs/onepassword}; tests that need it are skipped with a reason when absent. */
final class Specs {
  private Specs() {}

  /** The folder, or null when absent (for tests that also run on their own fixtures). */
  static Path onePasswordDirOrNull() {
    String configured = System.getProperty("secretsdk.specs.dir");
    Path dir = configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of("..", "shared", "specs");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("..", "..", "shared", "specs");
    }
    Path op = dir.resolve("onepassword");
    return Files.isDirectory(op) ? op : null;
  }

  static Path onePasswordDir() {
    String configured = System.getProperty("secretsdk.specs.dir");
    Path dir = configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of("..", "shared", "specs");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("..", "..", "shared", "specs"); // run from the module directory
    }
    Path op = dir.resolve("onepassword");
    assumeTrue(Files.isDirectory(op), "1Password specs not found at " + op.toAbsolutePath()
        + " (set -Dsecretsdk.specs.dir); skipping spec replay");
    return op;
  }
}
