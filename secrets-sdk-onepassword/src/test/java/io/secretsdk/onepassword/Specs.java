package io.secretsdk.onepassword;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code <specs>/onepassword}: system property {@code secretsdk.specs.dir} (Surefire sets
 * it), else {@code ../shared/specs} from the repository root. Tests that need it are skipped with
 * a visible reason when it is absent; tests on our own fixtures run either way.
 */
final class Specs {
  private Specs() {}

  /** The folder, or null when absent. */
  static Path onePasswordDirOrNull() {
    String configured = System.getProperty("secretsdk.specs.dir");
    Path dir;
    if (configured != null && !configured.isBlank()) {
      dir = Path.of(configured);
    } else {
      // run from the module directory: the repository root is one level up
      dir = Path.of("..", "..", "shared", "specs");
    }
    Path op = dir.resolve("onepassword");
    return Files.isDirectory(op) ? op : null;
  }

  /** The folder; skips the calling test with a reason when it is absent. */
  static Path onePasswordDir() {
    Path op = onePasswordDirOrNull();
    assumeTrue(op != null, "1Password specs not found (secretsdk.specs.dir="
        + System.getProperty("secretsdk.specs.dir") + "; expected <specs>/onepassword):"
        + " skipping spec replay");
    return op;
  }
}
