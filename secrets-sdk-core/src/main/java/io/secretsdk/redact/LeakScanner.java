package io.secretsdk.redact;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Scans files and directories (logs, run records, build artifacts, and the entries of
 * {@code .jar}/{@code .zip}/{@code .war}/{@code .ear} archives, nested ones too) for registered
 * secret values and their encoded forms, for keyed fingerprints, and for well-known token
 * formats. Findings say {@code path:line:column kind ref-or-detector} and never hold the value.
 *
 * <pre>{@code
 * LeakScanner.Report report = LeakScanner.builder()
 *     .index(RedactionIndex.global())            // values a SecretsClient resolved
 *     .ignoreFile(Path.of(".leakscanignore"))    // test fixtures with fake tokens
 *     .build()
 *     .scan(List.of(Path.of("build/logs")));
 * report.findings().forEach(f -> System.err.println(f));
 * }</pre>
 *
 * <p>Files are read as bytes and matched as UTF-8 (binary files too: a value embedded in a class
 * file's constant pool is found). {@code .git} directories are skipped. An ignore file holds one
 * glob per line ({@code #} comments), matched against paths relative to the ignore file's
 * directory with {@code /} separators: a glob without {@code /} matches a file or directory name
 * at any depth, a glob ending in {@code /} matches a directory and everything below it.
 *
 * <p>A scanner is immutable and thread-safe; each {@link #scan} call is independent.
 */
public final class LeakScanner {
  /** Default largest file or archive entry read, in bytes: {@value}. */
  public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
  private static final int MAX_ARCHIVE_DEPTH = 4;

  private final RedactionIndex index;
  private final KeyedFingerprints fingerprints;
  private final List<PathMatcher> ignores;
  private final Path ignoreBase;
  private final long maxFileBytes;

  private LeakScanner(Builder b) {
    this.index = b.index != null ? b.index : RedactionIndex.create();
    this.fingerprints = b.fingerprints;
    this.ignores = List.copyOf(b.ignores);
    this.ignoreBase = b.ignoreBase;
    this.maxFileBytes = b.maxFileBytes;
  }

  /** A builder: by default an empty index (so token formats only), no fingerprints, no ignores. */
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

    /** One line per path that could not be read, naming the path and the reason. */
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
   * Scans each path (a file, an archive or a directory, walked recursively).
   *
   * @throws NullPointerException if {@code paths} or an element is null
   */
  public Report scan(Collection<Path> paths) {
    Objects.requireNonNull(paths, "paths");
    State state = new State();
    for (Path p : paths) {
      Objects.requireNonNull(p, "path");
      if (!Files.exists(p)) {
        state.errors.add(p + ": no such file or directory");
        continue;
      }
      if (Files.isDirectory(p)) {
        walk(p, state);
      } else if (!isIgnored(p)) {
        scanFile(p, state);
      }
    }
    return new Report(state.findings, state.files, state.errors);
  }

  /**
   * Scans bytes read from elsewhere (a stream, a blob), reporting them under {@code name}.
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
          if (attrs.isRegularFile() && !isIgnored(file)) {
            scanFile(file, state);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          state.errors.add(file + ": " + e.getClass().getSimpleName());
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      state.errors.add(root + ": " + e.getClass().getSimpleName());
    }
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
    try {
      long size = Files.size(file);
      if (size > maxFileBytes) {
        state.errors.add(file + ": larger than " + maxFileBytes + " bytes, not scanned");
        return;
      }
      scanContent(file.toString(), Files.readAllBytes(file), 0, state);
    } catch (IOException e) {
      state.errors.add(file + ": " + e.getClass().getSimpleName());
    }
  }

  private void scanContent(String name, byte[] content, int depth, State state) {
    state.files++;
    if (isArchive(name, content) && depth < MAX_ARCHIVE_DEPTH) {
      scanArchive(name, content, depth, state);
      return;
    }
    LineIndex lines = new LineIndex(content);
    for (RedactionMatch m : index.findAllUtf8(content, 0, content.length)) {
      LeakFinding.Kind kind = m.kind() == RedactionMatch.Kind.SECRET_VALUE
          ? LeakFinding.Kind.VALUE : LeakFinding.Kind.TOKEN;
      state.findings.add(lines.finding(name, m.start(), kind, m.label()));
    }
    if (fingerprints != null) {
      fingerprints.scan(content, 0, content.length, (s, e, label) ->
          state.findings.add(lines.finding(name, s, LeakFinding.Kind.FINGERPRINT, label)));
    }
  }

  /** Any zip (jar, war, ear, zip, docx…), recognised by its local-file-header magic, not its name. */
  private static boolean isArchive(String name, byte[] content) {
    return content.length >= 4 && content[0] == 'P' && content[1] == 'K' && content[2] == 3
        && content[3] == 4;
  }

  private void scanArchive(String name, byte[] content, int depth, State state) {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        if (entry.isDirectory()) {
          continue;
        }
        String entryName = name + "!/" + entry.getName();
        byte[] bytes = readBounded(zip);
        if (bytes == null) {
          state.errors.add(entryName + ": larger than " + maxFileBytes + " bytes, not scanned");
          continue;
        }
        scanContent(entryName, bytes, depth + 1, state);
      }
    } catch (IOException | IllegalArgumentException e) {
      state.errors.add(name + ": unreadable archive (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The rest of the entry, or {@code null} past the size limit (guards against zip bombs). */
  private byte[] readBounded(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > maxFileBytes) {
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Byte offsets to 1-based line and column (UTF-8 sequences count as one column). */
  private static final class LineIndex {
    private final byte[] content;
    private int[] lineStarts;

    LineIndex(byte[] content) {
      this.content = content;
    }

    LeakFinding finding(String name, int offset, LeakFinding.Kind kind, String label) {
      if (lineStarts == null) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < content.length; i++) {
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
     * The values to look for, and the token detectors (the index's options decide which).
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
     * Largest file or archive entry read; larger ones are reported as errors.
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
