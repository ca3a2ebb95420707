package io.secretsdk.redact;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Scans files and directories (logs, run records, build artifacts, and the entries of zip
 * archives such as {@code .jar}/{@code .zip}/{@code .war}/{@code .ear}, and gzip data such as
 * {@code app.log.gz}, nested in each other too) for registered secret values and their encoded
 * forms, for keyed fingerprints, and for well-known token formats. Findings say
 * {@code path:line:column kind ref-or-detector} and never hold the value.
 *
 * <pre>{@code
 * LeakScanner.Report report = LeakScanner.builder()   // values this process registered
 *     .ignoreFile(Path.of(".leakscanignore"))         // test fixtures with fake tokens
 *     .build()
 *     .scan(List.of(Path.of("build/logs")));
 * report.findings().forEach(f -> System.err.println(f));
 * report.errors().forEach(e -> System.err.println("could not read: " + e));
 * }</pre>
 *
 * <p>Zip archives, gzip data and tar archives (ustar, pax and GNU, so {@code .tar.gz} too; their
 * regular members) are recognised by their magic bytes, not their names, and opened up to 4
 * levels deep (a gzip counts as a level: {@code x.log.gz} inside a jar, a zip inside a gzip, a
 * tar inside a gzip); an archive nested deeper is reported and scanned as raw bytes. Each entry,
 * and each gzip's decompressed data, is read up to the {@linkplain Builder#maxFileBytes largest
 * file size}; beyond that (a zip or gzip bomb) only the first bytes are scanned and it is
 * reported.
 *
 * <p>Text is matched as UTF-8 (binary files too: a value embedded in a class file's constant
 * pool is found), after a UTF-8 byte-order mark. UTF-16 — little- or big-endian with a
 * byte-order mark, or without one when most two-byte units of the first 64 KiB are a NUL and a
 * printable ASCII character (PowerShell's {@code >} on Windows) — is decoded first, and its raw
 * bytes are matched too; lines and columns count decoded characters (code points).
 *
 * <p>Nothing is skipped silently: {@link Report#errors()} names, with the reason, every path or
 * entry that could not be read in full — missing, unreadable, larger than the limit, a FIFO,
 * socket or device (never opened, as reading could block), a broken symbolic link or one to a
 * directory (not followed), a corrupt zip, gzip or tar (what was read before the damage is scanned),
 * archives nested too deep. {@code .git} directories and ignored paths are skipped on purpose.
 * An ignore file holds one glob per line ({@code #} comments), matched against paths relative to
 * the ignore file's directory with {@code /} separators: a glob without {@code /} matches a file
 * or directory name at any depth, a glob ending in {@code /} matches a directory and everything
 * below it.
 *
 * <p>A scanner is immutable and thread-safe; each {@link #scan} call is independent. It reads
 * its index as the scan goes: values registered during a scan may or may not be found.
 */
public final class LeakScanner {
  /** Default largest file or archive entry read, in bytes: {@value}. */
  public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
  /** How many zip or gzip levels are opened. */
  static final int MAX_ARCHIVE_DEPTH = 4;

  private final RedactionIndex index;
  private final KeyedFingerprints fingerprints;
  private final List<PathMatcher> ignores;
  private final Path ignoreBase;
  private final long maxFileBytes;

  private LeakScanner(Builder b) {
    this.index = b.index != null ? b.index : RedactionIndex.global();
    this.fingerprints = b.fingerprints;
    this.ignores = List.copyOf(b.ignores);
    this.ignoreBase = b.ignoreBase;
    this.maxFileBytes = b.maxFileBytes;
  }

  /**
   * A builder: by default the process-wide {@link RedactionIndex#global()} (the values and
   * credentials this process registered, and the token formats), no fingerprints, no ignores.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The result of a scan: findings, the number of files read, and the paths that could not be read. */
  public static final class Report {
    private final List<LeakFinding> findings;
    private final int filesScanned;
    private final List<String> errors;

    Report(List<LeakFinding> findings, int filesScanned, List<String> errors) {
      this.findings = Collections.unmodifiableList(findings);
      this.filesScanned = filesScanned;
      this.errors = Collections.unmodifiableList(errors);
    }

    /** The findings, in scan order. */
    public List<LeakFinding> findings() {
      return findings;
    }

    /** Files and archive entries read. */
    public int filesScanned() {
      return filesScanned;
    }

    /**
     * One line per path or archive entry that could not be read, or not in full:
     * {@code path: reason}.
     */
    public List<String> errors() {
      return errors;
    }

    /** Whether there were no findings and no errors. */
    public boolean isClean() {
      return findings.isEmpty() && errors.isEmpty();
    }

    @Override
    public String toString() {
      return "LeakScanner.Report[findings=" + findings.size() + ", files=" + filesScanned
          + ", errors=" + errors.size() + "]";
    }
  }

  /**
   * Scans each path (a file, an archive or a directory, walked recursively). Whatever cannot be
   * read in full is named in {@link Report#errors()} with the reason, never skipped silently.
   *
   * @throws NullPointerException if {@code paths} or an element is null
   */
  public Report scan(Collection<Path> paths) {
    Objects.requireNonNull(paths, "paths");
    State state = new State();
    for (Path p : paths) {
      Objects.requireNonNull(p, "path");
      if (Files.isDirectory(p)) {
        walk(p, state);
      } else if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        state.error(p, "no such file or directory");
      } else if (!isIgnored(p)) {
        scanFile(p, state);
      }
    }
    return new Report(state.findings, state.files, state.errors);
  }

  /**
   * Scans bytes read from elsewhere (a stream, a blob), reporting them under {@code name}.
   * Archives, gzip data and UTF-16 text inside are opened as in {@link #scan}; what cannot be read
   * there is not reported by this method (use {@link #scan} for that).
   *
   * @throws NullPointerException if an argument is null
   */
  public List<LeakFinding> scanBytes(String name, byte[] content) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
    State state = new State();
    scanContent(name, content, 0, state);
    return Collections.unmodifiableList(state.findings);
  }

  private static final class State {
    final List<LeakFinding> findings = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    int files;

    void error(Object where, String reason) {
      errors.add(where + ": " + reason);
    }
  }

  private void walk(Path root, State state) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (!dir.equals(root) && (dir.getFileName().toString().equals(".git") || isIgnored(dir))) {
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (isIgnored(file)) {
            return FileVisitResult.CONTINUE;
          }
          if (attrs.isSymbolicLink() && Files.isDirectory(file)) {
            state.error(file, "symbolic link to a directory, not followed (scan its target instead)");
          } else {
            scanFile(file, state); // a link to a file: its content, under the link's name
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          state.error(file, "unreadable (" + reason(e) + ")");
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      state.error(root, "unreadable (" + reason(e) + ")");
    }
  }

  /** Why reading failed, without the path the exception's message repeats. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private boolean isIgnored(Path path) {
    if (ignores.isEmpty()) {
      return false;
    }
    Path abs = path.toAbsolutePath().normalize();
    Path rel = ignoreBase != null && abs.startsWith(ignoreBase) ? ignoreBase.relativize(abs) : abs;
    for (PathMatcher m : ignores) {
      if (m.matches(rel)) {
        return true;
      }
    }
    return false;
  }

  private void scanFile(Path file, State state) {
    // never open a FIFO or a device: reading one could block or never end
    if (!Files.isRegularFile(file)) {
      state.error(file, Files.isSymbolicLink(file) && !Files.exists(file)
          ? "broken symbolic link, not read" : "not a regular file (a FIFO, socket or device), not read");
      return;
    }
    try {
      long size = Files.size(file);
      if (size > maxFileBytes) {
        state.error(file, "larger than " + maxFileBytes + " bytes (" + size + "), not scanned");
        return;
      }
      scanContent(file.toString(), Files.readAllBytes(file), 0, state);
    } catch (IOException e) {
      state.error(file, "unreadable (" + reason(e) + ")");
    }
  }

  private void scanContent(String name, byte[] content, int depth, State state) {
    state.files++;
    String archive = isZip(content) ? "zip" : isGzip(content) ? "gzip"
        : TarArchive.isTar(content) ? "tar" : null;
    if (archive != null && depth >= MAX_ARCHIVE_DEPTH) {
      state.error(name, archive + " nested more than " + MAX_ARCHIVE_DEPTH
          + " archives deep, not opened (its raw bytes were scanned)");
    } else if ("zip".equals(archive)) {
      scanZip(name, content, depth, state);
      return;
    } else if ("gzip".equals(archive)) {
      scanGzip(name, content, depth, state);
      return;
    } else if ("tar".equals(archive)) {
      String problem = TarArchive.read(content, (member, from, to) -> scanContent(
          name + "!/" + member, java.util.Arrays.copyOfRange(content, from, to), depth + 1, state));
      if (problem != null) {
        state.error(name, "corrupt tar archive (" + problem + "), not scanned further");
      }
      return;
    }
    ScanText text = ScanText.of(content);
    match(name, text.utf8, text.from, state);
    if (text.decodedFrom != null) {
      // also the bytes as they are, in case the guess was wrong or the file mixes encodings
      match(name, content, 0, state);
    }
  }

  private void match(String name, byte[] utf8, int from, State state) {
    LineIndex lines = new LineIndex(utf8, from);
    for (RedactionMatch m : index.findAllUtf8(utf8, from, utf8.length - from)) {
      LeakFinding.Kind kind = m.kind() == RedactionMatch.Kind.SECRET_VALUE
          ? LeakFinding.Kind.VALUE : LeakFinding.Kind.TOKEN;
      state.findings.add(lines.finding(name, m.start(), kind, m.label()));
    }
    if (fingerprints != null) {
      fingerprints.scan(utf8, from, utf8.length, (s, e, label) ->
          state.findings.add(lines.finding(name, s, LeakFinding.Kind.FINGERPRINT, label)));
    }
  }

  /** Any zip (jar, war, ear, zip, docx…), recognised by its local-file-header magic, not its name. */
  private static boolean isZip(byte[] content) {
    return content.length >= 4 && content[0] == 'P' && content[1] == 'K' && content[2] == 3
        && content[3] == 4;
  }

  /** Gzip data, recognised by its magic (1f 8b) and deflate method, not its name. */
  private static boolean isGzip(byte[] content) {
    return content.length >= 3 && (content[0] & 0xFF) == 0x1F && (content[1] & 0xFF) == 0x8B
        && content[2] == 8;
  }

  private void scanZip(String name, byte[] content, int depth, State state) {
    String current = name;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content))) {
      ZipEntry entry;
      int entries = 0;
      while ((entry = zip.getNextEntry()) != null) {
        entries++;
        if (entry.isDirectory()) {
          continue;
        }
        current = name + "!/" + entry.getName();
        scanDecompressed(current, zip, depth, state);
        current = name;
      }
      if (entries == 0 && content.length > 4) {
        state.error(name, "corrupt zip archive (no entry could be read)");
      }
    } catch (IOException | IllegalArgumentException e) {
      state.error(current, "corrupt zip archive (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "), not scanned further");
    }
  }

  private void scanGzip(String name, byte[] content, int depth, State state) {
    try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(content), 8192)) {
      scanDecompressed(name + "!/" + gunzippedName(name), gzip, depth, state);
    } catch (IOException e) {
      state.error(name, "corrupt gzip data (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }
  }

  /** {@code app.log} for {@code dir/app.log.gz}, {@code x.tar} for {@code x.tgz}. */
  private static String gunzippedName(String name) {
    String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    String lower = base.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".tgz")) {
      return base.substring(0, base.length() - 4) + ".tar";
    }
    if (lower.endsWith(".gz") && base.length() > 3) {
      return base.substring(0, base.length() - 3);
    }
    return base;
  }

  /**
   * Reads {@code in} to its end, or to {@code maxFileBytes} (zip and gzip bombs), and scans what
   * it read, also when the data breaks off (the error is rethrown after the scan).
   */
  private void scanDecompressed(String name, InputStream in, int depth, State state)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    IOException broken = null;
    boolean truncated = false;
    try {
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        if (total + n > maxFileBytes) {
          out.write(buf, 0, (int) (maxFileBytes - total));
          truncated = true;
          break;
        }
        total += n;
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      broken = e;
    }
    byte[] bytes = out.toByteArray();
    if (truncated) {
      state.error(name, "more than " + maxFileBytes + " bytes once decompressed,"
          + " only the first " + maxFileBytes + " scanned");
    }
    if (broken == null || bytes.length > 0) {
      scanContent(name, bytes, depth + 1, state);
    }
    if (broken != null) {
      throw broken;
    }
  }

  /** Byte offsets to 1-based line and column (UTF-8 sequences count as one column). */
  private static final class LineIndex {
    private final byte[] content;
    private final int from;
    private int[] lineStarts;

    LineIndex(byte[] content, int from) {
      this.content = content;
      this.from = from;
    }

    LeakFinding finding(String name, int offset, LeakFinding.Kind kind, String label) {
      if (lineStarts == null) {
        List<Integer> starts = new ArrayList<>();
        starts.add(from);
        for (int i = from; i < content.length; i++) {
          if (content[i] == '\n') {
            starts.add(i + 1);
          }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
      }
      int line = java.util.Arrays.binarySearch(lineStarts, offset);
      if (line < 0) {
        line = -line - 2;
      }
      int column = 1;
      for (int i = lineStarts[line]; i < offset; i++) {
        if ((content[i] & 0xC0) != 0x80) {
          column++;
        }
      }
      return new LeakFinding(name, line + 1, column, kind, label);
    }
  }

  /** Builder of {@link LeakScanner}; not thread-safe. */
  public static final class Builder {
    private RedactionIndex index;
    private KeyedFingerprints fingerprints;
    private final List<PathMatcher> ignores = new ArrayList<>();
    private Path ignoreBase;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;

    private Builder() {}

    /**
     * The values to look for, and the token detectors (the index's options decide which); by
     * default {@link RedactionIndex#global()}. Pass {@link RedactionIndex#create()} for token
     * formats only.
     *
     * @throws NullPointerException if {@code index} is null
     */
    public Builder index(RedactionIndex index) {
      this.index = Objects.requireNonNull(index, "index");
      return this;
    }

    /**
     * Keyed fingerprints to look for.
     *
     * @throws NullPointerException if {@code fingerprints} is null
     */
    public Builder fingerprints(KeyedFingerprints fingerprints) {
      this.fingerprints = Objects.requireNonNull(fingerprints, "fingerprints");
      return this;
    }

    /**
     * Globs of paths not to scan, relative to {@code base} (see the class description).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a glob is malformed
     */
    public Builder ignore(Path base, List<String> globs) {
      Objects.requireNonNull(base, "base");
      this.ignoreBase = base.toAbsolutePath().normalize();
      for (String g : globs) {
        addGlob(g.strip());
      }
      return this;
    }

    /**
     * Reads globs from an ignore file such as {@code .leakscanignore}; paths are relative to its
     * directory.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the line if a glob is malformed
     */
    public Builder ignoreFile(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      Path base = file.toAbsolutePath().normalize().getParent();
      this.ignoreBase = base;
      for (int i = 0; i < lines.size(); i++) {
        try {
          addGlob(lines.get(i).strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ":" + (i + 1) + ": malformed glob", e);
        }
      }
      return this;
    }

    private void addGlob(String glob) {
      if (glob.isEmpty() || glob.startsWith("#")) {
        return;
      }
      String g = glob.startsWith("/") ? glob.substring(1) : glob;
      List<String> variants = new ArrayList<>();
      if (g.endsWith("/")) {
        g = g.substring(0, g.length() - 1);
        variants.add(g);
        variants.add(g + "/**");
      } else {
        variants.add(g);
      }
      if (!glob.contains("/") || (glob.endsWith("/") && g.indexOf('/') < 0 && !glob.startsWith("/"))) {
        for (String v : List.copyOf(variants)) {
          variants.add("**/" + v);
        }
      }
      for (String v : variants) {
        ignores.add(FileSystems.getDefault().getPathMatcher("glob:" + v));
      }
    }

    /**
     * Largest file read, and most bytes read from an archive entry or a gzip once decompressed:
     * larger files are reported and not read, larger entries reported and scanned in part.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Builder maxFileBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxFileBytes must be positive");
      }
      this.maxFileBytes = bytes;
      return this;
    }

    /** The scanner. */
    public LeakScanner build() {
      return new LeakScanner(this);
    }
  }
}
