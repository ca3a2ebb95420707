package io.secretsdk.provider.file;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code file:///absolute/path} refs from files, such as Docker secrets, tmpfs mounts and
 * Kubernetes secret volumes ({@code file:///var/run/secrets/app/openai}).
 *
 * <p><b>Reading.</b> Every fetch reads the file afresh, so a changed file is picked up at the
 * client's next refresh (the provider reports {@link FileSecretProviderOptions#ttl()} as the TTL
 * for that reason). Symbolic links are followed, which makes the atomic swap Kubernetes does on
 * update ({@code ..data -> ..2024_01_01_...}) safe: the read either sees the old directory or the
 * new one, and if the old one vanishes mid-read the read starts again. A read is accepted only
 * when the file's metadata is the same before and after it, so a file rewritten in place while
 * it is read is read again rather than returned torn. Files larger than
 * {@link FileSecretProviderOptions#maxSize()} are refused before being read.
 *
 * <p><b>Fields.</b> {@code file:///run/secrets/db.json#password} treats the file as a JSON object
 * and returns one top-level member: a string's text, a number's or boolean's literal, or an
 * object's or array's compact JSON. Errors never quote the file's content. Parsing creates
 * {@code String}s of the file's members that cannot be wiped; use one file per value where that
 * matters.
 *
 * <p><b>Version.</b> The version is a change marker derived from file metadata only: a digest of
 * the resolved path, the file key (device and inode), the modification and status-change times
 * and the size. It is not a hash of the value: a hash of a short value (a PIN, a password) in
 * audit records or logs could be brute-forced back to the value, and the digest also hides the
 * value's length, which the size alone would reveal. It changes whenever the file is replaced or
 * rewritten, including when the new content is identical.
 *
 * <p><b>Permissions.</b> On POSIX file systems the file's mode is reported as metadata
 * {@code file.permissions} (octal, e.g. {@code 0600}) and {@code file.permissions.wide}
 * ({@code true} when any bit beyond owner read/write is set). A wide mode is also logged once per
 * file at WARN. Kubernetes mounts secrets 0644 unless the volume sets {@code defaultMode: 0400}.
 *
 * <p><b>Roots.</b> With {@link FileSecretProviderOptions.Builder#allowedRoot(Path) allowed roots}
 * configured (recommended), a ref outside them, or one whose symbolic links lead outside them,
 * fails with {@link PolicyViolationException} before anything outside is touched. It is a policy
 * violation rather than an invalid ref because the ref is well-formed and would be served under
 * another configuration: it is a denial, which the client audits as one. Roots protect against
 * refs, not against someone who can write to the root directories.
 *
 * <p>No value appears in any log line or exception. Thread-safe.
 */
public final class FileSecretProvider implements SecretProvider {
  /** The scheme served: {@code file}. */
  public static final String SCHEME = "file";

  /** Metadata key of the file's POSIX mode, in octal (e.g. {@code 0644}). */
  public static final String METADATA_PERMISSIONS = "file.permissions";

  /** Metadata key that is {@code true} when the mode is wider than {@code 0600}. */
  public static final String METADATA_PERMISSIONS_WIDE = "file.permissions.wide";

  private static final Logger LOG = LoggerFactory.getLogger(FileSecretProvider.class);

  /** Reads that found the file changing (or swapped away) underneath before giving up. */
  private static final int MAX_ATTEMPTS = 5;

  /** Files remembered as already warned about; beyond this, metadata alone reports wide modes. */
  private static final int MAX_WARNED_FILES = 10_000;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Set<PosixFilePermission> NARROW =
      Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final FileSecretProviderOptions options;
  private final Set<String> warnedFiles = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private FileSecretProvider(FileSecretProviderOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** A provider with {@link FileSecretProviderOptions#ofDefaults() default options}. */
  public static FileSecretProvider create() {
    return new FileSecretProvider(FileSecretProviderOptions.ofDefaults());
  }

  /**
   * A provider with the given options.
   *
   * @throws NullPointerException if {@code options} is null
   */
  public static FileSecretProvider create(FileSecretProviderOptions options) {
    return new FileSecretProvider(options);
  }

  /** The options this provider was built with. */
  public FileSecretProviderOptions options() {
    return options;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Reads the file the ref names.
   *
   * @throws InvalidSecretRefException if the ref is not a {@code file} ref, has a query, names a
   *     directory or a special file, or has a {@code #field} and the file is not a JSON object
   * @throws SecretNotFoundException if the file does not exist, or the JSON field is absent or null
   * @throws SecretAccessDeniedException if the process may not read the file
   * @throws PolicyViolationException if the file lies outside the allowed roots or is larger than
   *     the maximum size
   * @throws ProviderUnavailableException on any other I/O error, or if the file kept changing
   *     while it was read
   * @throws IllegalStateException if this provider was closed
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    Objects.requireNonNull(ref, "ref");
    if (closed) {
      throw new IllegalStateException("the file provider was closed");
    }
    if (!SCHEME.equals(ref.scheme())) {
      throw new InvalidSecretRefException(ref, "file provider cannot serve scheme '" + ref.scheme() + "'");
    }
    if (!ref.query().isEmpty()) {
      throw new InvalidSecretRefException(ref, "file refs take no query parameters");
    }
    Path path;
    try {
      path = Path.of(ref.path());
    } catch (InvalidPathException e) {
      throw new InvalidSecretRefException(ref, "the path is not valid on this file system");
    }
    if (!path.isAbsolute()) {
      throw new InvalidSecretRefException(ref, "the path is not absolute on this file system");
    }
    if (!options.allowedRoots().isEmpty() && !startsWithAny(path, false)) {
      throw new PolicyViolationException(ref, "the file lies outside the allowed roots "
          + options.allowedRoots());
    }
    for (int attempt = 1; ; attempt++) {
      Snapshot snapshot = read(ref, path, attempt == MAX_ATTEMPTS);
      if (snapshot != null) {
        return toResult(ref, snapshot);
      }
      LOG.debug("secret file {} was replaced or changed while being read; reading it again", ref);
    }
  }

  /** Marks the provider closed; it holds no open files or threads. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "FileSecretProvider[" + options + "]";
  }

  /**
   * One consistent read: the content plus the metadata seen before and after reading it, or
   * {@code null} when the file changed or vanished meanwhile and {@code last} is false.
   */
  private Snapshot read(SecretRef ref, Path path, boolean last) {
    Path real;
    try {
      real = path.toRealPath();
    } catch (NoSuchFileException e) {
      // A link that exists but leads nowhere is also what a read sees when it follows a link into
      // a directory that an atomic swap has just removed: resolve again before giving up.
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        return retryOrNotFound(ref, last);
      }
      throw new SecretNotFoundException(ref, "no file at " + ref.path());
    } catch (IOException e) {
      throw mapIoException(ref, e, "resolving");
    }
    if (!options.allowedRoots().isEmpty() && !startsWithAny(real, true)) {
      throw new PolicyViolationException(ref, "the file's symbolic links lead outside the allowed"
          + " roots " + options.allowedRoots());
    }
    Meta before;
    try {
      before = Meta.of(real);
    } catch (NoSuchFileException e) {
      return retryOrNotFound(ref, last);
    } catch (IOException e) {
      throw mapIoException(ref, e, "inspecting");
    }
    if (before.attributes.isDirectory()) {
      throw new InvalidSecretRefException(ref, "the path names a directory, not a file");
    }
    if (!before.attributes.isRegularFile()) {
      throw new InvalidSecretRefException(ref, "the path names a special file (device, pipe or"
          + " socket), not a regular file");
    }
    if (before.attributes.size() > options.maxSize()) {
      throw tooLarge(ref);
    }
    byte[] content;
    try {
      content = readBounded(ref, real, before.attributes.size());
    } catch (NoSuchFileException e) {
      return retryOrNotFound(ref, last);
    } catch (IOException e) {
      throw mapIoException(ref, e, "reading");
    }
    Meta after;
    try {
      after = Meta.of(real);
    } catch (IOException e) {
      after = null;
    }
    if (after == null || !before.sameVersion(after)) {
      Arrays.fill(content, (byte) 0);
      if (last) {
        throw new ProviderUnavailableException(ref, "the file kept changing while it was read ("
            + MAX_ATTEMPTS + " attempts)");
      }
      return null;
    }
    return new Snapshot(real, before, content);
  }

  private Snapshot retryOrNotFound(SecretRef ref, boolean last) {
    if (last) {
      throw new SecretNotFoundException(ref, "no file at " + ref.path());
    }
    return null; // replaced by an atomic swap between resolving and opening: resolve again
  }

  private FetchResult toResult(SecretRef ref, Snapshot snapshot) {
    byte[] value = snapshot.content;
    try {
      byte[] selected = ref.field().isPresent()
          ? selectField(ref, value, ref.field().get())
          : stripNewline(value);
      try {
        FetchResult.Builder result = FetchResult.builder(selected)
            .version(snapshot.meta.version(snapshot.real))
            .createdAt(snapshot.meta.attributes.lastModifiedTime().toInstant());
        if (!options.ttl().isZero()) {
          result.ttl(options.ttl());
        }
        if (snapshot.meta.posix != null) {
          Set<PosixFilePermission> perms = snapshot.meta.posix.permissions();
          boolean wide = !NARROW.containsAll(perms);
          String octal = octal(perms);
          result.metadata(METADATA_PERMISSIONS, octal);
          result.metadata(METADATA_PERMISSIONS_WIDE, Boolean.toString(wide));
          if (wide && warnedFiles.size() < MAX_WARNED_FILES && warnedFiles.add(ref.path())) {
            LOG.warn("secret file {} has permissions {}, wider than 0600: restrict it (chmod 600,"
                + " or defaultMode: 0400 on a Kubernetes secret volume)", ref.path(), octal);
          }
        }
        return result.build();
      } finally {
        if (selected != value) {
          Arrays.fill(selected, (byte) 0);
        }
      }
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  private byte[] stripNewline(byte[] value) {
    if (!options.stripTrailingNewline() || value.length == 0 || value[value.length - 1] != '\n') {
      return value;
    }
    int end = value.length - 1;
    if (end > 0 && value[end - 1] == '\r') {
      end--;
    }
    return Arrays.copyOf(value, end);
  }

  /** The top-level member {@code field} of a JSON object; never quotes the content in errors. */
  private static byte[] selectField(SecretRef ref, byte[] content, String field) {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (IOException | RuntimeException e) {
      // Jackson's messages quote the offending input: neither message nor cause may be kept.
      throw new InvalidSecretRefException(ref, "the ref has a '#field' but the file is not valid"
          + " JSON (or has duplicate keys)");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSecretRefException(ref, "the ref has a '#field' but the file is not a JSON"
          + " object");
    }
    JsonNode node = root.get(field);
    if (node == null) {
      throw new SecretNotFoundException(ref, "the JSON file has no top-level key '" + field + "'");
    }
    if (node.isNull()) {
      throw new SecretNotFoundException(ref, "the JSON key '" + field + "' is null");
    }
    if (node.isContainerNode()) {
      try {
        return JSON.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new ProviderUnavailableException(ref, "could not render the JSON key '" + field + "'");
      }
    }
    return node.asText().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads at most maxSize bytes, wiping every intermediate buffer. */
  private byte[] readBounded(SecretRef ref, Path real, long expectedSize) throws IOException {
    int max = options.maxSize();
    // One byte more than expected, to see growth without a second pass.
    byte[] buf = new byte[(int) Math.min(expectedSize, max) + 1];
    int n = 0;
    try (SeekableByteChannel channel =
            Files.newByteChannel(real, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        InputStream in = Channels.newInputStream(channel)) {
      while (true) {
        if (n == buf.length) {
          if (n > max) {
            Arrays.fill(buf, (byte) 0);
            throw tooLarge(ref);
          }
          byte[] bigger = Arrays.copyOf(buf, (int) Math.min((long) max + 1, 2L * buf.length));
          Arrays.fill(buf, (byte) 0);
          buf = bigger;
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (IOException | RuntimeException e) {
      Arrays.fill(buf, (byte) 0);
      throw e;
    }
    if (n > max) {
      Arrays.fill(buf, (byte) 0);
      throw tooLarge(ref);
    }
    byte[] content = Arrays.copyOf(buf, n);
    Arrays.fill(buf, (byte) 0);
    return content;
  }

  private PolicyViolationException tooLarge(SecretRef ref) {
    return new PolicyViolationException(ref, "the file is larger than the maximum of "
        + options.maxSize() + " bytes (FileSecretProviderOptions.maxSize)");
  }

  private boolean startsWithAny(Path path, boolean resolveRoots) {
    for (Path root : options.allowedRoots()) {
      Path r = root;
      if (resolveRoots) {
        try {
          r = root.toRealPath();
        } catch (IOException e) {
          continue; // a root that does not exist holds no files
        }
      }
      if (path.startsWith(r)) {
        return true;
      }
    }
    return false;
  }

  // package-private for tests: some errors (EACCES as root) cannot be produced on demand
  static RuntimeException mapIoException(SecretRef ref, IOException e, String doing) {
    if (e instanceof NoSuchFileException) {
      return new SecretNotFoundException(ref, "no file at " + ref.path());
    }
    if (e instanceof AccessDeniedException) {
      return new SecretAccessDeniedException(ref, "permission denied " + doing + " the file", e);
    }
    String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : null;
    if ("Not a directory".equals(reason)) {
      return new SecretNotFoundException(ref, "no file at " + ref.path()
          + " (a parent is not a directory)");
    }
    if (reason != null && reason.startsWith("Too many levels of symbolic links")) {
      // ELOOP is permanent: retrying it, as a transient error would be, cannot help.
      return new InvalidSecretRefException(ref, "the path runs into a loop of symbolic links");
    }
    // I/O exception messages name the path and the OS error, never file content.
    return new ProviderUnavailableException(ref, "I/O error " + doing + " the file: "
        + e.getClass().getSimpleName(), e);
  }

  private static String octal(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = 0400 ... OTHERS_EXECUTE = 0001
    }
    return String.format("%04o", mode);
  }

  /** Content read together with the metadata that held throughout the read. */
  private static final class Snapshot {
    final Path real;
    final Meta meta;
    final byte[] content;

    Snapshot(Path real, Meta meta, byte[] content) {
      this.real = real;
      this.meta = meta;
      this.content = content;
    }
  }

  /** File metadata that identifies one version of a file; never the content. */
  private static final class Meta {
    final BasicFileAttributes attributes;
    final PosixFileAttributes posix;
    final Object ctime;

    private Meta(BasicFileAttributes attributes, PosixFileAttributes posix, Object ctime) {
      this.attributes = attributes;
      this.posix = posix;
      this.ctime = ctime;
    }

    static Meta of(Path real) throws IOException {
      BasicFileAttributes basic;
      PosixFileAttributes posix = null;
      try {
        posix = Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        basic = posix;
      } catch (UnsupportedOperationException e) {
        basic = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      }
      Object ctime = null;
      try {
        // The status-change time cannot be set by `touch`, so it catches rewrites that restore mtime.
        ctime = Files.getAttribute(real, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        // not a Unix file system: mtime, size and file key must do
      }
      return new Meta(basic, posix, ctime);
    }

    boolean sameVersion(Meta other) {
      return Objects.equals(attributes.fileKey(), other.attributes.fileKey())
          && attributes.lastModifiedTime().equals(other.attributes.lastModifiedTime())
          && attributes.size() == other.attributes.size()
          && Objects.equals(ctime, other.ctime);
    }

    String version(Path real) {
      FileTime mtime = attributes.lastModifiedTime();
      String marker = real + "\u0000" + attributes.fileKey() + "\u0000" + mtime.toInstant()
          + "\u0000" + (ctime instanceof FileTime ? ((FileTime) ctime).toInstant() : ctime)
          + "\u0000" + attributes.size();
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256")
            .digest(marker.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required by every Java platform", e);
      }
    }
  }
}
