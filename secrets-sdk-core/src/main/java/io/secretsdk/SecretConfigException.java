package io.secretsdk;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A configuration file (registry, policy) or builder setting is unusable.
 *
 * <p>Names the file, the line and the field when known. Nothing is half-loaded: a file either
 * loads whole or this is thrown. Messages never quote a value found in the file, since a file
 * rejected for holding something that looks like a secret must not print it.
 */
public class SecretConfigException extends SecretException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final int line;
  private final String field;
  private final String problem;

  /**
   * Creates the exception.
   *
   * @param file the file concerned, or {@code null} for in-memory configuration
   * @param line 1-based line number, or 0 when unknown
   * @param field the dotted field path (e.g. {@code openai.ci.secret_ref}), or {@code null}
   * @param problem what is wrong, without quoting any value
   */
  public SecretConfigException(Path file, int line, String field, String problem) {
    super(null, format(file, line, field, problem), null);
    this.file = file;
    this.line = line;
    this.field = field;
    this.problem = problem;
  }

  private static String format(Path file, int line, String field, String problem) {
    StringBuilder sb = new StringBuilder();
    sb.append(file == null ? "<config>" : file.toString());
    if (line > 0) {
      sb.append(':').append(line);
    }
    if (field != null) {
      sb.append(": ").append(field);
    }
    return sb.append(": ").append(problem).toString();
  }

  /** The file concerned, when the configuration came from one. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The 1-based line, when known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }

  /** What is wrong, as given to the constructor (the message without file, line and field). */
  public String problem() {
    return problem;
  }

  /** The dotted field path, when known. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
