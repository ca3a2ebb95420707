package io.secretsdk.keychain;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.Objects;

/**
 * A {@code keychain://<service>/<account>} reference: the two attributes that name one item in the
 * operating system's keychain (the macOS Keychain's {@code -s} and {@code -a}, the Secret
 * Service's {@code service} and account attributes).
 *
 * <p>Both parts are the ref's decoded path segments, so a space or a colon may stand in them as
 * they are ({@code keychain://gh:github.com/octo cat}), other reserved characters percent-encoded;
 * a {@code /} cannot (the ref grammar has no encoded slash in a segment). The ref takes no query and
 * no {@code #field}: a keychain item holds one value.
 *
 * <p>Immutable and thread-safe; holds no value, so it is safe to log.
 */
public final class KeychainReference {
  /** The ref scheme, {@value}. */
  public static final String SCHEME = "keychain";

  private final SecretRef ref;
  private final String service;
  private final String account;

  private KeychainReference(SecretRef ref, String service, String account) {
    this.ref = ref;
    this.service = service;
    this.account = account;
  }

  /**
   * The reference {@code ref} names.
   *
   * @throws InvalidSecretRefException if {@code ref} is not {@code keychain://<service>/<account>}
   *     with nothing else
   * @throws NullPointerException if {@code ref} is null
   */
  public static KeychainReference from(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    if (!SCHEME.equals(ref.scheme())) {
      throw invalid(ref, "has scheme '" + ref.scheme() + "', not " + SCHEME);
    }
    if (ref.segments().size() != 2) {
      throw invalid(ref, "has " + ref.segments().size() + " path segment(s); a keychain item is"
          + " named by exactly two, keychain://<service>/<account>");
    }
    if (!ref.query().isEmpty()) {
      throw invalid(ref, "has query parameters " + ref.query().keySet() + "; keychain refs take"
          + " none (an item has no versions)");
    }
    if (ref.field().isPresent()) {
      throw invalid(ref, "has a #field; a keychain item holds one value, so keychain refs take"
          + " none");
    }
    return new KeychainReference(ref, ref.segments().get(0), ref.segments().get(1));
  }

  /**
   * The reference to the item of {@code service} and {@code account}.
   *
   * @throws InvalidSecretRefException if either part is empty, holds a {@code /}, or makes an
   *     invalid ref
   */
  public static KeychainReference of(String service, String account) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(account, "account");
    if (service.indexOf('/') >= 0 || account.indexOf('/') >= 0) {
      throw new InvalidSecretRefException("a keychain service or account cannot hold '/'");
    }
    return from(SecretRef.parse(SCHEME + "://" + encode(service) + "/" + encode(account)));
  }

  private static String encode(String part) {
    StringBuilder sb = new StringBuilder();
    for (byte b : part.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~:@ ".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return sb.toString();
  }

  private static InvalidSecretRefException invalid(SecretRef ref, String problem) {
    return new InvalidSecretRefException(ref, "keychain ref " + ref + " " + problem);
  }

  /** The ref this reference was read from. */
  public SecretRef ref() {
    return ref;
  }

  /** The item's service ({@code security -s}; the Secret Service's {@code service} attribute). */
  public String service() {
    return service;
  }

  /** The item's account ({@code security -a}; the Secret Service's account attribute). */
  public String account() {
    return account;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeychainReference && ((KeychainReference) o).ref.equals(ref);
  }

  @Override
  public int hashCode() {
    return ref.hashCode();
  }

  /** The ref's canonical form. */
  @Override
  public String toString() {
    return ref.toString();
  }
}
