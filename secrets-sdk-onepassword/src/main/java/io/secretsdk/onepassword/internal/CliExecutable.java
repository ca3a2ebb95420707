package io.secretsdk.onepassword.internal;

import io.secretsdk.SecretConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;

/**
 * Checks the {@code op} executable before it is trusted with the service account token: whoever
 * can replace or rewrite that file can read every secret the token reaches.
 *
 * <p>The path is resolved once to its real path (links followed); that file must be a regular
 * file this process may execute and, where the file system has POSIX attributes, must be writable
 * by neither its group nor others and be owned by root or by the user running this process.
 * {@link #recheck} repeats the checks on the real path without following links, before each run.
 *
 * <p>Thread-safe (stateless).
 */
public final class CliExecutable {
  private static final String FIELD = "executable";

  private CliExecutable() {}

  /**
   * The real path of {@code executable}, once it passed the checks.
   *
   * @throws SecretConfigException naming the path and what is wrong with it
   */
  public static Path verify(Path executable) {
    Path real;
    try {
      real = executable.toAbsolutePath().toRealPath();
      check(real);
    } catch (IOException e) {
      throw refused(executable.toAbsolutePath(), "cannot be read (" + e.getClass().getSimpleName()
          + ")");
    }
    return real;
  }

  /**
   * Checks a path {@link #verify} returned again, as it is now: it must still be the regular file
   * that was checked, not a link put in its place. A file that is gone passes: there is nothing to
   * run, and starting it fails as a transient error (the CLI may be being reinstalled).
   *
   * @throws SecretConfigException naming the path and what is wrong with it
   */
  public static void recheck(Path real) {
    try {
      check(real);
    } catch (NoSuchFileException e) {
      // nothing there to run
    } catch (IOException e) {
      throw refused(real, "cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static void check(Path real) throws IOException {
    boolean posix = real.getFileSystem().supportedFileAttributeViews().contains("posix");
    BasicFileAttributes attributes = posix
        ? Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        : Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw refused(real, "is not a regular file"
          + (attributes.isSymbolicLink() ? " (a symbolic link now stands in its place)" : ""));
    }
    if (!Files.isExecutable(real)) {
      throw refused(real, "is not executable by this process");
    }
    if (posix) {
      PosixFileAttributes p = (PosixFileAttributes) attributes;
      if (p.permissions().contains(PosixFilePermission.GROUP_WRITE)
          || p.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
        throw refused(real, "is writable by its group or by others (permissions "
            + PosixFilePermissions.toString(p.permissions()) + "); remove that with chmod go-w");
      }
      UserPrincipal owner = p.owner();
      if (!owner.getName().equals("root") && !currentUser(real).map(owner::equals).orElse(false)) {
        throw refused(real, "is owned by " + owner.getName() + ", neither root nor the user"
            + " running this process");
      }
    }
  }

  private static Optional<UserPrincipal> currentUser(Path onFileSystem) {
    try {
      return Optional.of(onFileSystem.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(System.getProperty("user.name")));
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty(); // a user without a name: only root-owned files pass
    }
  }

  private static SecretConfigException refused(Path path, String problem) {
    return new SecretConfigException(path, 0, FIELD, "the 1Password CLI " + problem);
  }
}
