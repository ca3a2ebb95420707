package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.vault.auth.ClientAuthentication;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import mockwebserver3.MockWebServer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Real {@link SecretsClient}s over Vault providers against one MockWebServer, with every logger at
 * DEBUG ({@code java.util.logging} bridged): captured both raw and through the redacting encoder.
 * {@link #close()} closes the clients, then fails if any canary (made at run time, see
 * {@link Canaries}) is in either capture, or if a request did not fit the Vault API description.
 */
final class LeakCheckedClient implements AutoCloseable {
  final SpecDispatcher vault = new SpecDispatcher();
  final VaultHarness.FakeTicker ticker = new VaultHarness.FakeTicker();
  final Canaries canaries = new Canaries();
  private final MockWebServer server;
  private final RedactedDebugLog redacted = new RedactedDebugLog();
  private final LogCapture raw = new LogCapture();
  private final Deque<SecretsClient> clients = new ArrayDeque<>();

  LeakCheckedClient(MockWebServer server) {
    this.server = server;
    server.setDispatcher(vault);
    vault.on("POST", "auth/token/revoke-self", "token-revoke-self", 204, null);
  }

  /** Options for this server with the fake ticker, no authentication chosen yet. */
  VaultOptions.Builder options() {
    return VaultOptions.builder().address(server.url("/").toString()).ticker(ticker);
  }

  /** Options authenticating with the literal {@code token}. */
  VaultOptions.Builder options(String token) {
    return options().authentication(tokenAuth(token));
  }

  static ClientAuthentication tokenAuth(String token) {
    return TokenAuthentication.create(TokenAuthenticationOptions.builder().token(token).build());
  }

  /** A client with one Vault provider built from {@code options}; closed by {@link #close()}. */
  SecretsClient client(VaultOptions options) {
    return client(VaultSecretProvider.create(options));
  }

  /** A client over {@code provider}, which it closes; closed by {@link #close()}. */
  SecretsClient client(VaultSecretProvider provider) {
    SecretsClient c = SecretsClient.builder().provider(provider).build();
    clients.push(c);
    return c;
  }

  /** Resolves {@code ref} afresh (the cache dropped first) and returns the value. */
  String resolve(SecretsClient client, String ref) {
    SecretRef r = SecretRef.parse(ref);
    client.invalidate(r);
    try (Secret s = client.resolve(r)) {
      canaries.assertAbsent("Secret.toString", s + " " + s.version() + " " + s.metadata());
      return s.reveal();
    }
  }

  /** What {@code call} throws, checked for canaries in message, causes and trace. */
  Throwable failure(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).as("an exception").isNotNull();
    canaries.assertAbsent(t);
    return t;
  }

  /** {@link #failure} of a fresh resolve of {@code ref}. */
  Throwable resolveFailure(SecretsClient client, String ref) {
    return failure(() -> resolve(client, ref));
  }

  /** Whether a request to {@code path} (after {@code /v1/}) carried {@code token}. */
  boolean sent(String token, String path) {
    return vault.requests().stream().anyMatch(r -> token.equals(r.getHeaders().get("X-Vault-Token"))
        && r.getUrl().encodedPath().equals("/v1/" + path));
  }

  @Override
  public void close() {
    try {
      while (!clients.isEmpty()) {
        clients.pop().close();
      }
    } finally {
      raw.close();
      redacted.close();
    }
    canaries.assertAbsent("the DEBUG log, raw", raw.all());
    canaries.assertAbsent("the DEBUG log, through the redacting encoder", redacted.output());
    assertThat(vault.violations()).as("requests that do not fit the Vault API description").isEmpty();
  }
}
