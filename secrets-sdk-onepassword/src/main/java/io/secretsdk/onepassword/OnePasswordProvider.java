package io.secretsdk.onepassword;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import io.secretsdk.onepassword.internal.Backend;
import io.secretsdk.onepassword.internal.CliBackend;
import io.secretsdk.onepassword.internal.ConnectBackend;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import java.util.Objects;

/**
 * The 1Password provider: resolves {@code op://<vault>/<item>/[<section>/]<field>} references
 * (see {@link OnePasswordReference}) through a Connect server or, for service accounts, the
 * {@code op} CLI.
 *
 * <pre>{@code
 * SecretProvider op = OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
 *     .host("http://localhost:8080")
 *     .token(System.getenv("OP_CONNECT_TOKEN"))
 *     .build());
 * }</pre>
 *
 * <p>Failures map onto the core exceptions: {@link io.secretsdk.SecretNotFoundException} (no such
 * vault, item, section or field), {@link io.secretsdk.SecretAccessDeniedException} (invalid token,
 * vault not in scope), {@link io.secretsdk.ProviderUnavailableException} (429, 5xx, I/O,
 * timeouts; with {@code Retry-After} when sent), {@link InvalidSecretRefException} (a reference
 * that is not valid 1Password syntax) and {@link AmbiguousReferenceException} (a name matching
 * several objects). Messages name the reference, never a value or token.
 *
 * <p>Thread-safe. {@link #close()} releases the HTTP client, or ends the CLI runs in progress.
 */
public final class OnePasswordProvider implements SecretProvider {
  private final Backend backend;

  private OnePasswordProvider(Backend backend) {
    this.backend = backend;
  }

  /**
   * A provider reading from a 1Password Connect server.
   *
   * @throws NullPointerException if {@code options} is null
   */
  public static OnePasswordProvider connect(OnePasswordConnectOptions options) {
    return new OnePasswordProvider(new ConnectBackend(Objects.requireNonNull(options, "options")));
  }

  /**
   * A provider reading with a service account through the {@code op} CLI.
   *
   * @throws NullPointerException if {@code options} is null
   */
  public static OnePasswordProvider serviceAccount(OnePasswordCliOptions options) {
    return new OnePasswordProvider(new CliBackend(Objects.requireNonNull(options, "options")));
  }

  /** {@value OnePasswordReference#SCHEME}. */
  @Override
  public String scheme() {
    return OnePasswordReference.SCHEME;
  }

  /**
   * Reads the field, file attachment or attribute {@code ref} names.
   *
   * @throws InvalidSecretRefException if {@code ref} is not a valid 1Password reference, or holds
   *     a {@code $VARIABLE} that was never expanded
   * @throws AmbiguousReferenceException if a name matches several vaults, items, sections or
   *     fields
   * @throws io.secretsdk.SecretNotFoundException if nothing matches
   * @throws io.secretsdk.SecretAccessDeniedException if the token is refused
   * @throws io.secretsdk.ProviderUnavailableException on transient failures
   * @throws IllegalStateException if this provider was closed
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    return backend.fetch(reference(ref));
  }

  /**
   * Describes the item {@code ref} names, never reading a field's value. Through Connect:
   * {@code GET /v1/vaults/{vault}/items/{item}} (after the same name lookups as a fetch) gives the
   * item's {@code version} as its one version (Connect keeps no history), {@code DISABLED} when the
   * item is archived or deleted, {@code updatedAt} as its time; metadata {@code op.title},
   * {@code op.category}, {@code op.created_at}, {@code op.updated_at}, {@code op.tags},
   * {@code field.<label>} = type and {@code file.<name>} = size, each string shown through the
   * provider's check (a fingerprint when suspicious). The {@code op} CLI backend cannot describe.
   *
   * @throws InvalidSecretRefException if {@code ref} is not a valid 1Password reference
   * @throws AmbiguousReferenceException if a name matches several vaults or items
   * @throws io.secretsdk.SecretNotFoundException if the vault or item does not exist
   * @throws io.secretsdk.SecretAccessDeniedException if the token is refused
   * @throws io.secretsdk.ProviderUnavailableException on transient failures
   * @throws UnsupportedOperationException for the {@code op} CLI (service account) backend
   * @throws IllegalStateException if this provider was closed
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    return backend.describeItem(reference(ref));
  }

  /**
   * Unsupported: Connect's item update (PUT, or PATCH with add/remove/replace only) takes no
   * expected version, so a compare-and-set write cannot be made safe, and the SDK does not write
   * blind. Change the field in 1Password (app, {@code op item edit}), then resolve it afresh.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    throw new UnsupportedOperationException("1Password writes are not supported: Connect's item update takes no"
        + " expected version, so compare-and-set cannot be guaranteed; edit the item in 1Password (op item edit)");
  }

  /**
   * Unsupported: 1Password has no per-version disable, and deleting or archiving the whole item
   * (Connect {@code DELETE}) would take every field of it with one field's revocation. Archive or
   * delete the item in 1Password ({@code op item delete --archive}) when that is what is meant.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    throw new UnsupportedOperationException("1Password revocation is not supported: items have no per-version"
        + " disable, and deleting the item would remove all its fields; archive or delete it in 1Password"
        + " (op item delete --archive)");
  }

  private static OnePasswordReference reference(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    OnePasswordReference op = OnePasswordReference.from(ref);
    if (op.hasVariables()) {
      throw new InvalidSecretRefException(ref, "1Password reference " + ref + " holds a"
          + " $VARIABLE; op run expands those, this SDK does not: expand it before building the"
          + " ref");
    }
    return op;
  }

  /** The backend, for tests in this module. */
  Backend backend() {
    return backend;
  }

  /** Releases the HTTP client, or ends the CLI runs in progress (process trees included). Idempotent. */
  @Override
  public void close() {
    backend.close();
  }

  @Override
  public String toString() {
    return "OnePasswordProvider[" + backend.describe() + "]";
  }
}
