package io.secretsdk.vault.auth;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Uses a token given by configuration: a literal, an environment variable ({@code VAULT_TOKEN}) or
 * a file such as a Vault Agent sink, which is read again whenever it changes.
 *
 * <p>The provider looks the token up ({@code auth/token/lookup-self}) to learn its TTL, renews it
 * when it is renewable, and never revokes it on close (it belongs to whoever issued it).
 *
 * <p>Thread-safe.
 */
public final class TokenAuthentication implements ClientAuthentication {
  private static final int MAX_TOKEN_FILE_BYTES = 16 * 1024;

  private final TokenAuthenticationOptions options;
  private volatile List<Object> loginStamp;

  private TokenAuthentication(TokenAuthenticationOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Token authentication with the given options. */
  public static TokenAuthentication create(TokenAuthenticationOptions options) {
    return new TokenAuthentication(options);
  }

  /**
   * Reads the token from {@code VAULT_TOKEN}.
   *
   * @see TokenAuthenticationOptions#ofDefaults()
   */
  public static TokenAuthentication fromEnvironment() {
    return new TokenAuthentication(TokenAuthenticationOptions.ofDefaults());
  }

  /** The options. */
  public TokenAuthenticationOptions options() {
    return options;
  }

  /**
   * Returns the configured token; does not call Vault.
   *
   * @throws SecretConfigException if the variable is unset or the file is missing, empty or too
   *     large
   * @throws ProviderUnavailableException if the file cannot be read right now
   */
  @Override
  public VaultToken login(VaultLoginClient client) {
    if (options.token().isPresent()) {
      return VaultToken.of(options.token().get());
    }
    if (options.environmentVariable().isPresent()) {
      String name = options.environmentVariable().get();
      String v = options.environment().apply(name);
      if (v == null || v.isBlank()) {
        throw new SecretConfigException(null, 0, name, "not set: no Vault token to use");
      }
      return VaultToken.of(v.strip());
    }
    Path file = options.tokenFile().orElseThrow();
    List<Object> stamp = stamp(file);
    String token = readFile(file);
    loginStamp = stamp;
    return VaultToken.of(token);
  }

  /** For a token file: whether it changed since the last login. */
  @Override
  public boolean credentialsChanged() {
    if (options.tokenFile().isEmpty()) {
      return false;
    }
    List<Object> seen = loginStamp;
    try {
      return seen != null && !seen.equals(stamp(options.tokenFile().get()));
    } catch (RuntimeException e) {
      return true; // gone or unreadable: let the next login report why
    }
  }

  /** Never: the token belongs to whoever issued it. */
  @Override
  public boolean revokeOnClose() {
    return false;
  }

  private static List<Object> stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return Arrays.asList(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
    } catch (NoSuchFileException e) {
      throw new SecretConfigException(file, 0, null, "Vault token file does not exist");
    } catch (IOException e) {
      throw new ProviderUnavailableException(null, "cannot read Vault token file " + file + ": "
          + e.getClass().getSimpleName(), e);
    }
  }

  private static String readFile(Path file) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_TOKEN_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new SecretConfigException(file, 0, null, "Vault token file does not exist");
    } catch (IOException e) {
      throw new ProviderUnavailableException(null, "cannot read Vault token file " + file + ": "
          + e.getClass().getSimpleName(), e);
    }
    try {
      if (bytes.length > MAX_TOKEN_FILE_BYTES) {
        throw new SecretConfigException(file, 0, null, "Vault token file is larger than " + MAX_TOKEN_FILE_BYTES + " bytes");
      }
      String token = new String(bytes, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new SecretConfigException(file, 0, null, "Vault token file is empty");
      }
      if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new SecretConfigException(file, 0, null, "Vault token file holds characters a token cannot have");
      }
      return token;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "TokenAuthentication[" + options + "]";
  }
}
