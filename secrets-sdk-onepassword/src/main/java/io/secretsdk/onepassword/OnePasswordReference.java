package io.secretsdk.onepassword;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A 1Password secret reference, {@code op://<vault>/<item>/[<section>/]<field>[?attribute=<a>]},
 * read exactly as 1Password's own tools read it.
 *
 * <p>The core {@link SecretRef} parses the outer syntax; this class gives the segments their
 * 1Password meaning:
 * <ul>
 *   <li>three segments are vault / item / field, four are vault / item / section / field;</li>
 *   <li>each segment is a name or the object's id; a vault or item segment of 26 lower-case
 *       letters and digits is an id ({@link #isId(String)}), as the Connect SDKs decide;</li>
 *   <li>names use the characters 1Password documents: {@code a-z A-Z 0-9 - _ .} and the space.
 *       A name holding {@code /} or any other character must be written as its id, which is
 *       1Password's documented escape; a {@code $VARIABLE} (expanded by {@code op run} before
 *       resolution) parses but is refused at fetch time, since this SDK never expands variables;</li>
 *   <li>references are case-insensitive: names match regardless of case;</li>
 *   <li>query parameters: {@code attribute} (alias {@code attr}) with one of {@link Attribute},
 *       and {@code ssh-format=openssh}. Anything else, and any {@code #fragment}, is refused.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; {@link #toString()} is the canonical ref, which holds no secret.
 */
public final class OnePasswordReference {
  /** The ref scheme 1Password uses. */
  public static final String SCHEME = "op";

  private static final Pattern ID = Pattern.compile("[a-z0-9]{26}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9 _.-]+");
  private static final Pattern VARIABLE = Pattern.compile("\\$[A-Za-z_][A-Za-z0-9_]*");

  /** What a reference reads from the field or file attachment it names. */
  public enum Attribute {
    /** The field's content (the default for fields). */
    VALUE,
    /** The field's type, lower-case (e.g. {@code string}, {@code concealed}). */
    TYPE,
    /** The field's or file's unique id. */
    ID,
    /** A built-in field's purpose, lower-case: {@code username}, {@code password} or {@code notes}. */
    PURPOSE,
    /** The current one-time password, computed from the field's TOTP secret (alias {@code totp}). */
    OTP,
    /** A file attachment's content (the default for files). */
    CONTENT,
    /** A file attachment's size in bytes. */
    SIZE,
    /** A file attachment's name. */
    NAME;

    static Attribute parse(String text, SecretRef ref) {
      String lower = text.toLowerCase(Locale.ROOT);
      if (lower.equals("totp")) {
        return OTP; // the official SDK examples write totp, the CLI page otp
      }
      for (Attribute a : values()) {
        if (a.name().toLowerCase(Locale.ROOT).equals(lower)) {
          return a;
        }
      }
      throw invalid(ref, "unknown attribute;"
          + " expected one of value, type, id, purpose, otp (or totp), content, size, name");
    }
  }

  private final SecretRef ref;
  private final String vault;
  private final String item;
  private final String section;
  private final String field;
  private final Attribute attribute;
  private final String sshFormat;

  private OnePasswordReference(SecretRef ref, String vault, String item, String section,
      String field, Attribute attribute, String sshFormat) {
    this.ref = ref;
    this.vault = vault;
    this.item = item;
    this.section = section;
    this.field = field;
    this.attribute = attribute;
    this.sshFormat = sshFormat;
  }

  /**
   * Parses a reference such as {@code op://Prod/Stripe/credential}.
   *
   * @throws InvalidSecretRefException if the text is not a valid {@code op://} reference; the
   *     message says what is wrong and never echoes the input
   * @throws NullPointerException if {@code text} is null
   */
  public static OnePasswordReference parse(String text) {
    return from(SecretRef.parse(text));
  }

  /**
   * Interprets an already parsed ref.
   *
   * @throws InvalidSecretRefException if the ref's scheme is not {@code op} or its parts do not
   *     form a 1Password reference
   * @throws NullPointerException if {@code ref} is null
   */
  public static OnePasswordReference from(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    if (!SCHEME.equals(ref.scheme())) {
      throw invalid(ref, "scheme must be 'op'");
    }
    if (ref.field().isPresent()) {
      throw invalid(ref, "op references have no '#field' part; the field is the last path"
          + " segment: op://<vault>/<item>/[<section>/]<field>");
    }
    int n = ref.segments().size();
    if (n < 3 || n > 4) {
      throw invalid(ref, "expected 3 or 4 path segments (op://<vault>/<item>/[<section>/]<field>)"
          + " but found " + n);
    }
    String[] names = {"vault", "item", "section", "field"};
    for (int i = 0; i < n; i++) {
      String what = n == 3 && i == 2 ? "field" : names[i];
      checkSegment(ref, what, ref.segments().get(i));
    }
    Attribute attribute = null;
    String sshFormat = null;
    for (Map.Entry<String, String> q : ref.query().entrySet()) {
      switch (q.getKey()) {
        case "attribute":
        case "attr":
          if (attribute != null) {
            throw invalid(ref, "give 'attribute' or its alias 'attr', not both");
          }
          attribute = Attribute.parse(q.getValue(), ref);
          break;
        case "ssh-format":
          if (!q.getValue().equalsIgnoreCase("openssh")) {
            throw invalid(ref, "ssh-format supports only 'openssh'");
          }
          sshFormat = "openssh";
          break;
        default:
          throw invalid(ref, "unknown query parameter; expected attribute (or attr) or ssh-format");
      }
    }
    List<String> s = ref.segments();
    return new OnePasswordReference(ref, s.get(0), s.get(1), n == 4 ? s.get(2) : null,
        s.get(n - 1), attribute, sshFormat);
  }

  private static void checkSegment(SecretRef ref, String what, String segment) {
    if (NAME.matcher(segment).matches()) {
      return;
    }
    String withoutVariables = VARIABLE.matcher(segment).replaceAll("x");
    if (NAME.matcher(withoutVariables).matches()) {
      return; // an externally set variable, refused at fetch time with its own message
    }
    throw invalid(ref, "the " + what + " name contains a character 1Password references do not"
        + " support (allowed: letters a-z A-Z, digits, '-', '_', '.', space); write the " + what
        + "'s id instead, as 1Password documents");
  }

  private static InvalidSecretRefException invalid(SecretRef ref, String problem) {
    // neither the ref nor its text: a ref that is not a 1Password reference may be a value pasted
    // into the wrong place, so the message says only what is wrong and where
    return new InvalidSecretRefException("invalid 1Password reference: " + problem);
  }

  /**
   * Whether a segment is a 1Password id (26 lower-case letters and digits) rather than a name.
   */
  public static boolean isId(String segment) {
    return ID.matcher(segment).matches();
  }

  /** The core ref this reference was read from. */
  public SecretRef ref() {
    return ref;
  }

  /** The vault's name or id. */
  public String vault() {
    return vault;
  }

  /** The item's name (title) or id. */
  public String item() {
    return item;
  }

  /** The section's name or id, when the reference has four segments. */
  public Optional<String> section() {
    return Optional.ofNullable(section);
  }

  /** The field's label or id, or a file attachment's name or id. */
  public String field() {
    return field;
  }

  /** The attribute asked for with {@code ?attribute=}, when given. */
  public Optional<Attribute> attribute() {
    return Optional.ofNullable(attribute);
  }

  /** The {@code ssh-format} asked for ({@code openssh}), when given. */
  public Optional<String> sshFormat() {
    return Optional.ofNullable(sshFormat);
  }

  /**
   * Whether a segment holds a shell-style {@code $VARIABLE}; 1Password's CLI expands those in
   * {@code op run} and {@code op inject}, this SDK does not.
   */
  public boolean hasVariables() {
    for (String s : ref.segments()) {
      if (s.indexOf('$') >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The reference as 1Password's CLI reads it ({@code op read <this>}): the segments as written
   * (they hold only characters 1Password supports, so nothing needs escaping) and the query
   * normalised to the CLI's spelling ({@code attr=TOTP} becomes {@code attribute=otp}).
   */
  public String toOpString() {
    StringBuilder sb = new StringBuilder("op://").append(String.join("/", ref.segments()));
    char sep = '?';
    if (attribute != null) {
      sb.append(sep).append("attribute=").append(attribute.name().toLowerCase(Locale.ROOT));
      sep = '&';
    }
    if (sshFormat != null) {
      sb.append(sep).append("ssh-format=").append(sshFormat);
    }
    return sb.toString();
  }

  /** The canonical ref; holds no secret. */
  @Override
  public String toString() {
    return ref.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OnePasswordReference && ((OnePasswordReference) o).ref.equals(ref);
  }

  @Override
  public int hashCode() {
    return ref.hashCode();
  }
}
