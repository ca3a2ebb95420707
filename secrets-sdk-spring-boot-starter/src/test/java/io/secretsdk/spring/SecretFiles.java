package io.secretsdk.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A directory of {@code file://} secrets with a canary value made at run time, and a registry
 * naming them for the {@code dev} environment: {@code openai} (present) and {@code missing}
 * (its file does not exist).
 */
final class SecretFiles {
  final Path dir;
  final String canary = "canary-" + UUID.randomUUID();
  final Path registry;

  SecretFiles(Path dir) {
    this.dir = dir;
    try {
      Files.writeString(dir.resolve("openai"), canary, StandardCharsets.UTF_8);
      registry = Files.writeString(dir.resolve("registry.yaml"), String.join("\n",
          "openai:",
          "  dev:",
          "    secret_ref: \"" + ref("openai") + "\"",
          "missing:",
          "  dev:",
          "    secret_ref: \"" + ref("missing") + "\"",
          ""), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ref of a file in the directory. */
  String ref(String file) {
    return "file://" + dir.resolve(file).toAbsolutePath();
  }

  /** The properties of a client on these files. */
  String[] properties(String... more) {
    String[] base = {
        "secrets.registry=" + registry,
        "secrets.environment=local",
        "secrets.providers.file.allowedRoots=" + dir.toAbsolutePath(),
    };
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
