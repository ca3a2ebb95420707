package io.secretsdk.identity;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * The Kubernetes service-account token of this pod: a projected token file that kubelet rotates,
 * read through a {@link FileTokenSource} (re-read when the file changes or the token nears expiry).
 *
 * <p>Used by Vault's Kubernetes and JWT auth methods and by AWS web-identity federation. Each token
 * read is registered with the {@link io.secretsdk.redact.RedactionIndex#global() RedactionIndex}
 * as {@code credential://identity/kubernetes} before it is returned.
 *
 * <p>Thread-safe.
 */
public final class KubernetesServiceAccountTokenSource implements IdentityTokenSource {
  /** Where Kubernetes mounts the default service-account token. */
  public static final Path DEFAULT_PATH = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
  /** The credential kind the tokens are registered under for redaction. */
  static final String CREDENTIAL_KIND = "identity/kubernetes";

  private final FileTokenSource file;

  private KubernetesServiceAccountTokenSource(FileTokenSource file) {
    this.file = file;
  }

  /** The pod's default service-account token at {@link #DEFAULT_PATH}. */
  public static KubernetesServiceAccountTokenSource create() {
    return of(DEFAULT_PATH);
  }

  /** A projected token at {@code path} (a {@code serviceAccountToken} volume with an audience). */
  public static KubernetesServiceAccountTokenSource of(Path path) {
    return new KubernetesServiceAccountTokenSource(
        FileTokenSource.builder(path).credentialKind(CREDENTIAL_KIND).build());
  }

  /** A projected token at {@code path}, with {@code clock} deciding expiry (for tests). */
  public static KubernetesServiceAccountTokenSource of(Path path, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return new KubernetesServiceAccountTokenSource(
        FileTokenSource.builder(path).credentialKind(CREDENTIAL_KIND).clock(clock).build());
  }

  /**
   * The current service-account token.
   *
   * @throws io.secretsdk.SecretConfigException if the file is missing (not running in a pod, or
   *     {@code automountServiceAccountToken: false}) or holds no JWT
   * @throws io.secretsdk.ProviderUnavailableException if the file cannot be read right now
   */
  @Override
  public IdentityToken token() {
    return file.token();
  }

  /** The token file. */
  public Path path() {
    return file.path();
  }

  @Override
  public String toString() {
    return "KubernetesServiceAccountTokenSource[path=" + file.path() + "]";
  }
}
