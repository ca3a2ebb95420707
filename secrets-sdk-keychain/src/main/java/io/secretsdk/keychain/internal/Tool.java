package io.secretsdk.keychain.internal;

import io.secretsdk.SecretConfigException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An executable the keychain provider runs, found and checked once: the tool reads every value the
 * keychain hands out, so whoever could swap or rewrite the file would read them too.
 *
 * <p>The file is resolved to its real path (links followed); it must be a regular file this
 * process may execute and, where the file system has POSIX attributes, be owned by root or by the
 * user running this process and be writable by neither its group nor others. Relative entries of
 * {@code PATH} (the working directory) are never searched.
 *
 * @param name the tool's name, for messages ({@code secret-tool})
 * @param path the real path that passed the checks
 */
public record Tool(String name, Path path) {
  private static final Set<PosixFilePermission> SHARED_WRITE =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  /**
   * The first {@code name} on {@code pathVariable} that passes the checks.
   *
   * @param field the configuration field named when it is not found ({@code keychain.secretTool})
   * @param install what to tell the user to install
   * @throws SecretConfigException if there is none, or the one found fails a check
   */
  public static Tool onPath(String name, String pathVariable, String field, String install) {
    return find(name, pathVariable).map(p -> checked(name, p, field))
        .orElseThrow(() -> new SecretConfigException(null, 0, field, "'" + name + "' is not on the"
            + " PATH (" + (pathVariable == null ? "unset" : pathVariable) + "); " + install));
  }

  /** The first {@code name} on {@code pathVariable}, unchecked, if there is one. */
  public static Optional<Path> find(String name, String pathVariable) {
    if (pathVariable == null) {
      return Optional.empty();
    }
    for (String dir : pathVariable.split(Pattern.quote(File.pathSeparator))) {
      Path candidate = dir.isEmpty() ? null : Path.of(dir, name);
      if (candidate != null && candidate.isAbsolute() && Files.isRegularFile(candidate)
          && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code file} as a tool, once it passed the checks.
   *
   * @throws SecretConfigException naming the path and the check it failed
   */
  public static Tool checked(String name, Path file, String field) {
    Path real;
    try {
      real = file.toAbsolutePath().toRealPath();
      if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        throw refused(field, name, real, "is not a regular file");
      }
      if (!Files.isExecutable(real)) {
        throw refused(field, name, real, "is not executable by this process");
      }
      if (real.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        PosixFileAttributes a =
            Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.permissions().stream().anyMatch(SHARED_WRITE::contains)) {
          throw refused(field, name, real, "is writable by its group or others; run chmod go-w on"
              + " it");
        }
        String owner = a.owner().getName();
        if (!owner.equals("root") && !owner.equals(System.getProperty("user.name"))) {
          throw refused(field, name, real, "is owned by " + owner + ", neither root nor the user"
              + " running this process");
        }
      }
    } catch (IOException e) {
      throw refused(field, name, file.toAbsolutePath(), "cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
    return new Tool(name, real);
  }

  private static SecretConfigException refused(String field, String name, Path path,
      String problem) {
    return new SecretConfigException(path, 0, field, "the " + name + " executable " + problem);
  }
}
