package io.secretsdk.aws;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the vendor specs in place ({@code secretsdk.specs.dir}, else {@code ../shared/specs}). */
final class Specs {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String AWS = "aws-secretsmanager/";

  private Specs() {}

  static Optional<Path> dir() {
    String prop = System.getProperty("secretsdk.specs.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "aws-secretsmanager"))) {
      return Optional.of(Path.of(prop));
    }
    for (String candidate : new String[] {"../shared/specs", "../../shared/specs"}) {
      Path p = Path.of(candidate);
      if (Files.isDirectory(p.resolve("aws-secretsmanager"))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The AWS spec file, or a skipped test saying why. */
  static JsonNode require(String relative) {
    Optional<Path> dir = dir();
    assumeTrue(dir.isPresent(), "vendor specs not found (set -Dsecretsdk.specs.dir or place them at"
        + " ../shared/specs): skipping replay of " + relative);
    Path file = dir.get().resolve(AWS + relative);
    assumeTrue(Files.isRegularFile(file), "spec file absent: " + file);
    return read(file);
  }

  static Optional<JsonNode> optional(String relative) {
    return dir().map(d -> d.resolve(AWS + relative)).filter(Files::isRegularFile).map(Specs::read);
  }

  private static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
