package io.secretsdk.provider.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Crash-safe file replacement and the cross-process writer lock.
 *
 * <p>A write goes to a new temp file in the target's directory (so the rename cannot cross file
 * systems), is forced to disk, then renamed over the target with {@code ATOMIC_MOVE}; the
 * directory is then forced so the rename itself survives a power cut. A reader therefore sees the
 * old file or the new one, never a torn one. Temp files left by a writer that died are deleted by
 * the next writer, which holds the lock, so they cannot belong to a live writer.
 */
final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(EnumSet.of(
          PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE)));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Forces a directory's entries to disk where the platform allows it (not on Windows). */
  static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some platforms cannot open or force a directory; the rename is still atomic there
    }
  }

  static String tempPrefix(Path target) {
    return "." + target.getFileName() + ".tmp-";
  }

  /** Replaces {@code target} with {@code content}: temp file, fsync, atomic rename, fsync dir. */
  static void replace(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    byte[] suffix = new byte[8];
    RANDOM.nextBytes(suffix);
    Path temp = dir.resolve(tempPrefix(target) + HexFormat.of().formatHex(suffix));
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), LocalKeys.privateFileAttributes(temp))) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
      fsyncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Deletes temp files of {@code target} left by writers that died; call with the lock held. */
  static void deleteStaleTemps(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    String prefix = tempPrefix(target);
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, p ->
        p.getFileName().toString().startsWith(prefix))) {
      for (Path p : stream) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort: a leftover temp file holds only ciphertext and is retried next write
    }
  }

  /**
   * Takes the exclusive lock on {@code lockFile}, waiting up to {@code timeout}.
   *
   * @return the held lock, whose channel the caller closes; {@code null} if the wait timed out
   */
  static FileLock lock(Path lockFile, Duration timeout) throws IOException {
    FileChannel ch = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), LocalKeys.privateFileAttributes(lockFile));
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMillis = 2;
    try {
      while (true) {
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // held by another channel of this JVM; callers also lock in-process first
        }
        if (lock != null) {
          return lock;
        }
        if (System.nanoTime() - deadline >= 0) {
          ch.close();
          return null;
        }
        // polling, because FileChannel.lock() cannot time out; the OS releases the lock of a
        // writer that dies, so a waiter never waits on a dead process
        TimeUnit.MILLISECONDS.sleep(pauseMillis);
        pauseMillis = Math.min(pauseMillis * 2, 50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ch.close();
      throw new java.io.InterruptedIOException("interrupted while waiting for the store lock");
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }
}
