package io.secretsdk.spi;

import io.secretsdk.RunEnvironment;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Facts about one fetch that a provider may use: the run environment, who asks, the correlation
 * id to forward to the provider's own audit log, and which metadata keys the policy requires (so a
 * provider fetches extra metadata only when it is needed), and whether the fetch refreshes a value
 * the client already holds or loads one it lacks.
 *
 * <p>Immutable and thread-safe.
 */
public final class FetchContext {
  private final RunEnvironment environment;
  private final String principal;
  private final String correlationId;
  private final Set<String> requiredMetadata;
  private final boolean refresh;

  private FetchContext(RunEnvironment environment, String principal, String correlationId,
      Set<String> requiredMetadata, boolean refresh) {
    this.environment = Objects.requireNonNull(environment, "environment");
    this.principal = principal;
    this.correlationId = correlationId;
    this.requiredMetadata = Set.copyOf(requiredMetadata);
    this.refresh = refresh;
  }

  /**
   * Creates a context.
   *
   * @param environment the run environment
   * @param principal who resolves (a service or runner name), or {@code null}
   * @param correlationId the caller's correlation id, or {@code null}
   * @param requiredMetadata metadata keys the policy requires on the secret
   */
  public static FetchContext of(
      RunEnvironment environment, String principal, String correlationId, Set<String> requiredMetadata) {
    return new FetchContext(environment, principal, correlationId, requiredMetadata, false);
  }

  /** A context for the given environment with no principal, correlation id or requirements. */
  public static FetchContext of(RunEnvironment environment) {
    return new FetchContext(environment, null, null, Set.of(), false);
  }

  /** The run environment. */
  public RunEnvironment environment() {
    return environment;
  }

  /** Who resolves, when configured. */
  public Optional<String> principal() {
    return Optional.ofNullable(principal);
  }

  /** The caller's correlation id, when there is one. */
  public Optional<String> correlationId() {
    return Optional.ofNullable(correlationId);
  }

  /** Metadata keys the policy requires; providers fetch them only when this is non-empty. */
  public Set<String> requiredMetadata() {
    return requiredMetadata;
  }

  /**
   * Whether this fetch refreshes a value the client holds (a background refresh ahead of expiry,
   * or {@code SecretsClient.refresh}) rather than loading one it lacks (a cache miss).
   */
  public boolean isRefresh() {
    return refresh;
  }

  /** This context, marked as a refresh ({@link #isRefresh()}). */
  public FetchContext asRefresh() {
    return refresh ? this : new FetchContext(environment, principal, correlationId, requiredMetadata, true);
  }

  @Override
  public String toString() {
    return "FetchContext[environment=" + environment + ", principal=" + principal
        + ", correlationId=" + correlationId + (refresh ? ", refresh" : "") + "]";
  }
}
