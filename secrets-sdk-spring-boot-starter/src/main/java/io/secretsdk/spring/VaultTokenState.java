package io.secretsdk.spring;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.vault.VaultSecretProvider;

/**
 * The Vault token's state, in its own class so the starter loads Vault's types only when a Vault
 * provider is configured (the Vault module is an optional dependency).
 */
final class VaultTokenState {
  private VaultTokenState() {}

  /**
   * {@code valid} (the provider holds a token Vault accepted and that has not expired, logging in
   * or looking it up first when it must), {@code refused}, {@code unreachable},
   * {@code not configured} or {@code closed}.
   */
  static String of(SecretProvider provider) {
    try {
      ((VaultSecretProvider) provider).login();
      return "valid";
    } catch (SecretAccessDeniedException e) {
      return "refused";
    } catch (ProviderUnavailableException e) {
      return "unreachable";
    } catch (SecretConfigException e) {
      return "not configured";
    } catch (IllegalStateException e) {
      return "closed";
    } catch (RuntimeException e) {
      return "error";
    }
  }
}
