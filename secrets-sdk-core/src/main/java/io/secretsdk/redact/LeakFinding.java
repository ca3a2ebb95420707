package io.secretsdk.redact;

import java.util.Objects;

/**
 * One place where a {@link LeakScanner} found a secret: {@code path:line:column kind label}, never
 * the secret itself. Immutable and thread-safe.
 */
public final class LeakFinding {
  /** What was found. */
  public enum Kind {
    /** A value registered in the scan's {@link RedactionIndex}, or one of its encoded forms. */
    VALUE("value"),
    /** A piece of text whose keyed fingerprint is in the scan's {@link KeyedFingerprints}. */
    FINGERPRINT("fingerprint"),
    /** A well-known token format ({@link TokenDetector}). */
    TOKEN("token");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private final String path;
  private final int line;
  private final int column;
  private final Kind kind;
  private final String label;

  LeakFinding(String path, int line, int column, Kind kind, String label) {
    this.path = path;
    this.line = line;
    this.column = column;
    this.kind = kind;
    this.label = label;
  }

  /** The file, with {@code !/} between an archive and an entry inside it. */
  public String path() {
    return path;
  }

  /** 1-based line. */
  public int line() {
    return line;
  }

  /** 1-based column, in characters (UTF-8 sequences count as one). */
  public int column() {
    return column;
  }

  /** What was found. */
  public Kind kind() {
    return kind;
  }

  /** The ref (for values and fingerprints) or the detector id (for tokens). */
  public String label() {
    return label;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LeakFinding)) {
      return false;
    }
    LeakFinding f = (LeakFinding) o;
    return line == f.line && column == f.column && kind == f.kind && path.equals(f.path)
        && label.equals(f.label);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, line, column, kind, label);
  }

  /** {@code path:line:column kind label}. */
  @Override
  public String toString() {
    return path + ":" + line + ":" + column + " " + kind + " " + label;
  }
}
