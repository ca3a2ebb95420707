package io.secretsdk.onepassword;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.List;

/**
 * A name in an {@code op://} reference matches more than one vault, item, section or field, so the
 * provider refuses to guess. Write that part of the reference as its id instead.
 *
 * <p>The message names what was ambiguous and the ids of the candidates (ids are not secret);
 * never a value. Never retried. A new instance per failure; immutable.
 */
public final class AmbiguousReferenceException extends InvalidSecretRefException {
  private static final long serialVersionUID = 1L;
  /** Most candidate ids named in the message. */
  static final int MAX_LISTED = 10;

  private final String kind;
  private final List<String> candidateIds;

  /**
   * Creates the exception.
   *
   * @param ref the reference concerned
   * @param kind what was ambiguous: {@code vault}, {@code item}, {@code section} or {@code field}
   * @param candidateIds the ids of the objects that matched, as the provider may show them (the
   *     first {@value #MAX_LISTED} are named in the message)
   */
  public AmbiguousReferenceException(SecretRef ref, String kind, List<String> candidateIds) {
    super(ref, "ambiguous 1Password reference " + ref + ": " + candidateIds.size() + " "
        + kind + "s match the " + kind + " name (ids " + listed(candidateIds)
        + "); write the " + kind + "'s id in the reference instead of its name");
    this.kind = kind;
    this.candidateIds = List.copyOf(candidateIds);
  }

  /**
   * Creates the exception when the candidates are not known (the {@code op} CLI reports only
   * that a name matched several objects).
   *
   * @param ref the reference concerned
   * @param detail what the backend said, already scrubbed
   */
  public AmbiguousReferenceException(SecretRef ref, String detail) {
    super(ref, "ambiguous 1Password reference " + ref + ": a name matches more than one object ("
        + detail + "); write that part of the reference as its id");
    this.kind = "name";
    this.candidateIds = List.of();
  }

  /** At most {@value #MAX_LISTED} ids: a server answering with thousands of matches makes no huge message. */
  private static String listed(List<String> ids) {
    if (ids.size() <= MAX_LISTED) {
      return String.join(", ", ids);
    }
    return String.join(", ", ids.subList(0, MAX_LISTED)) + " and " + (ids.size() - MAX_LISTED) + " more";
  }

  /** What was ambiguous: {@code vault}, {@code item}, {@code section} {@code field}, or {@code name} when the CLI did not say. */
  public String kind() {
    return kind;
  }

  /** The ids of the objects that matched the name. */
  public List<String> candidateIds() {
    return candidateIds;
  }
}
