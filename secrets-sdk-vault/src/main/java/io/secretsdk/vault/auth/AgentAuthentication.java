package io.secretsdk.vault.auth;

import io.secretsdk.SecretConfigException;

/**
 * No token at all: requests go to a Vault Agent or Vault Proxy with auto-auth
 * ({@code use_auto_auth_token}), which adds its own token, so the runner process holds no Vault
 * credential and every runner of a node shares the agent's token and cache. Chosen from the
 * environment by {@code VAULT_AGENT_ADDR} (see {@code VaultSecretProviderFactory}); the provider
 * never logs in, renews or revokes, and a 403 is final.
 *
 * <p>Thread-safe; stateless.
 */
public final class AgentAuthentication implements ClientAuthentication {
  private static final AgentAuthentication INSTANCE = new AgentAuthentication();

  private AgentAuthentication() {}

  /** The agent mode. */
  public static AgentAuthentication create() {
    return INSTANCE;
  }

  /**
   * Never called: the provider sends no token in agent mode.
   *
   * @throws SecretConfigException always
   */
  @Override
  public VaultToken login(VaultLoginClient client) {
    throw new SecretConfigException(null, 0, "auth",
        "agent mode has no login: the Vault Agent authenticates the requests");
  }

  @Override
  public boolean revokeOnClose() {
    return false;
  }

  @Override
  public String toString() {
    return "AgentAuthentication";
  }
}
