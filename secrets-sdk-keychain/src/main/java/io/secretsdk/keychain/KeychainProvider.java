package io.secretsdk.keychain;

import io.secretsdk.SecretRef;
import io.secretsdk.keychain.internal.Backend;
import io.secretsdk.keychain.internal.ChildProcess;
import io.secretsdk.keychain.internal.MacKeychainBackend;
import io.secretsdk.keychain.internal.SecretServiceBackend;
import io.secretsdk.keychain.internal.ToolRunner;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import java.util.Map;
import java.util.Objects;

/**
 * The operating system's keychain as a provider of {@code keychain://<service>/<account>} refs
 * (see {@link KeychainReference}): the Linux Secret Service (GNOME Keyring, KeePassXC) through
 * {@code secret-tool}, or the macOS Keychain through {@code security}.
 *
 * <pre>{@code
 * SecretProvider keychain = KeychainProvider.create(KeychainOptions.ofDefaults());
 * }</pre>
 *
 * <p>Reads and writes; compare-and-set is not supported (keychain items have no versions, and
 * the tools offer no conditional write, so an emulation would race with other writers: such a
 * write is refused rather than pretended). Revoking deletes the item for good, so only
 * {@link RevokeRequest.Mode#DESTROY} is accepted. Values travel through the tools' pipes only,
 * never their command lines.
 *
 * <p>Failures map onto the core exceptions, each saying what to do:
 * {@link io.secretsdk.SecretNotFoundException} (no such item; the message shows the command that
 * adds one), {@link KeychainLockedException} (the keychain is locked and cannot be unlocked from
 * here), {@link io.secretsdk.SecretAccessDeniedException} (the user or the item's access list
 * refused), {@link io.secretsdk.SecretConfigException} (no D-Bus session bus; a tool missing when
 * the options were built), {@link io.secretsdk.ProviderUnavailableException} (no Secret Service on
 * the bus, a tool that cannot be started or outlives the timeout). Messages name the ref, never a
 * value.
 *
 * <p>Thread-safe; each call runs its own tool process, whose process tree ends with the call.
 * {@link #close()} ends the runs in progress.
 */
public final class KeychainProvider implements SecretProvider {
  /** The version id of every keychain item: the keychain keeps one value per item. */
  public static final String CURRENT_VERSION = "current";

  private final Backend backend;

  private KeychainProvider(Backend backend) {
    this.backend = backend;
  }

  /**
   * A provider for the keychain {@code options} chose.
   *
   * @throws NullPointerException if {@code options} is null
   */
  public static KeychainProvider create(KeychainOptions options) {
    Objects.requireNonNull(options, "options");
    if (options.platform() == KeychainOptions.Platform.MACOS) {
      ToolRunner runner = new ToolRunner("the macOS Keychain", options.timeout(),
          options.passedVariables(), Map.of(), options.environment());
      return new KeychainProvider(new MacKeychainBackend(options.securityChecked(), runner,
          options.maxValueBytes()));
    }
    // C.UTF-8: messages in English (they are matched), arguments read as UTF-8 whatever the locale
    ToolRunner runner = new ToolRunner("the Secret Service", options.timeout(),
        options.passedVariables(), Map.of("LC_ALL", "C.UTF-8"), options.environment());
    return new KeychainProvider(new SecretServiceBackend(options.secretToolChecked(),
        options.dbusSendChecked(), runner, options.serviceAttribute(),
        options.accountAttributes(), options.maxValueBytes()));
  }

  /** {@value KeychainReference#SCHEME}. */
  @Override
  public String scheme() {
    return KeychainReference.SCHEME;
  }

  /**
   * Reads the item {@code ref} names.
   *
   * @throws io.secretsdk.InvalidSecretRefException if {@code ref} is not
   *     {@code keychain://<service>/<account>}
   * @throws io.secretsdk.SecretNotFoundException if there is no such item
   * @throws KeychainLockedException if the keychain is locked
   * @throws io.secretsdk.SecretAccessDeniedException if access was refused
   * @throws io.secretsdk.SecretConfigException if there is no D-Bus session bus
   * @throws io.secretsdk.ProviderUnavailableException if the keychain or its tool cannot be
   *     reached in time
   * @throws IllegalStateException if this provider was closed
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    return backend.fetch(KeychainReference.from(Objects.requireNonNull(ref, "ref")));
  }

  /**
   * Creates the item {@code ref} names, or replaces its value. The value goes to the tool on its
   * standard input.
   *
   * @param expectedVersion must be null: compare-and-set is not supported
   * @return {@link #CURRENT_VERSION}
   * @throws UnsupportedOperationException if {@code expectedVersion} is not null
   * @throws IllegalArgumentException if the value is larger than the keychain's tool accepts
   *     (16 KiB for the Secret Service, 1536 bytes for the macOS Keychain)
   * @throws io.secretsdk.SecretException a subtype, as for {@link #fetch}
   */
  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    KeychainReference item = KeychainReference.from(Objects.requireNonNull(ref, "ref"));
    Objects.requireNonNull(value, "value");
    if (expectedVersion != null) {
      throw new UnsupportedOperationException("compare-and-set is not supported for " + ref
          + ": keychain items have no versions and the keychain tools have no conditional write;"
          + " write without an expected version");
    }
    if (value.length > ChildProcess.MAX_INPUT_BYTES) {
      throw new IllegalArgumentException("keychain values are written up to "
          + ChildProcess.MAX_INPUT_BYTES + " bytes; this one has " + value.length);
    }
    backend.write(item, value);
    return CURRENT_VERSION;
  }

  /**
   * What the keychain says of the item: label, creation and modification times, and whether it
   * is locked (Secret Service, through {@code dbus-send}) or which keychain file holds it (macOS,
   * through {@code security find-generic-password} without {@code -w}); never its value.
   *
   * @throws UnsupportedOperationException on the Secret Service without {@code dbus-send}
   * @throws io.secretsdk.SecretNotFoundException if there is no such item
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    return backend.describe(KeychainReference.from(Objects.requireNonNull(ref, "ref")));
  }

  /**
   * Deletes the item {@code ref} names: {@code secret-tool clear} (every item with the ref's
   * attributes) or {@code security delete-generic-password}. A keychain item has no disabled
   * state and no recovery window, so only {@link RevokeRequest.Mode#DESTROY} is accepted.
   *
   * @throws UnsupportedOperationException for {@code DISABLE} or {@code SCHEDULE_DELETION}, or a
   *     version other than {@link #CURRENT_VERSION}
   * @throws io.secretsdk.SecretNotFoundException if there is no such item
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    KeychainReference item = KeychainReference.from(Objects.requireNonNull(ref, "ref"));
    Objects.requireNonNull(request, "request");
    if (request.mode() != RevokeRequest.Mode.DESTROY) {
      throw new UnsupportedOperationException("keychain items cannot be " + (request.mode()
          == RevokeRequest.Mode.DISABLE ? "disabled" : "scheduled for deletion") + " (" + ref
          + "): the keychain only deletes, for good; ask for Mode.DESTROY to delete the item");
    }
    if (request.targetVersion().filter(v -> !v.equals(CURRENT_VERSION)).isPresent()) {
      throw new UnsupportedOperationException("keychain items have no versions (" + ref + "):"
          + " revoke the current value, version " + CURRENT_VERSION + " or none");
    }
    return new RevokeResult(CURRENT_VERSION, backend.delete(item));
  }

  /** Ends the tool runs in progress (their process trees included). Idempotent. */
  @Override
  public void close() {
    backend.close();
  }

  @Override
  public String toString() {
    return "KeychainProvider[" + backend.describe() + "]";
  }
}
