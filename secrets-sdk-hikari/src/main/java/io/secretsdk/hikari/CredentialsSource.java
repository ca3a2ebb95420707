package io.secretsdk.hikari;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a username and password come from: one ref whose value is a JSON object with string
 * members {@code username} and {@code password} (Vault's database secrets engine answers in that
 * shape), or two refs, one per field. Immutable.
 */
abstract class CredentialsSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The refs read, for listeners and messages. */
  abstract List<SecretRef> refs();

  /** Reads the current credentials through {@code client}. */
  abstract Resolved read(SecretsClient client);

  /** Reads them after making the client fetch them again from the provider. */
  abstract Resolved refreshAndRead(SecretsClient client);

  /** Credentials as read: the caller turns them into Hikari's {@code Credentials} and drops them. */
  static final class Resolved {
    final String username;
    final String password;
    /** What identifies this pair: versions when the provider has them, else a keyed hash. */
    final String identity;
    /** The lease duration in seconds, when the provider reports one ({@code lease_duration}). */
    final OptionalLong leaseSeconds;

    Resolved(String username, String password, String identity, OptionalLong leaseSeconds) {
      this.username = username;
      this.password = password;
      this.identity = identity;
      this.leaseSeconds = leaseSeconds;
    }

    @Override
    public String toString() {
      return "Resolved[username=" + username + ", password=****]";
    }
  }

  static CredentialsSource json(SecretRef ref) {
    return new Json(ref);
  }

  static CredentialsSource fields(SecretRef usernameRef, SecretRef passwordRef) {
    return new Fields(usernameRef, passwordRef);
  }

  static OptionalLong leaseSeconds(Secret secret) {
    String lease = secret.metadata().get("lease_duration");
    if (lease == null) {
      return OptionalLong.empty();
    }
    try {
      long seconds = Long.parseLong(lease);
      return seconds > 0 ? OptionalLong.of(seconds) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static String identity(Secret secret, Hashing hashing) {
    Optional<String> version = secret.version();
    // a version names the value; without one, a keyed hash of the value does (never the value)
    return version.isPresent() ? "v:" + version.get() : secret.useBytes(hashing::hash);
  }

  /** One ref, value {@code {"username": "...", "password": "..."}}. */
  private static final class Json extends CredentialsSource {
    private final SecretRef ref;
    private final Hashing hashing = new Hashing();

    Json(SecretRef ref) {
      this.ref = ref;
    }

    @Override
    List<SecretRef> refs() {
      return List.of(ref);
    }

    @Override
    Resolved read(SecretsClient client) {
      try (Secret secret = client.resolve(ref)) {
        return parse(secret);
      }
    }

    @Override
    Resolved refreshAndRead(SecretsClient client) {
      try (Secret secret = client.refresh(ref)) {
        return parse(secret);
      }
    }

    private Resolved parse(Secret secret) {
      JsonNode node = secret.useBytes(bytes -> {
        try {
          return JSON.readTree(bytes);
        } catch (IOException e) {
          // Jackson's message quotes the text it read: drop it, and the cause with it
          return null;
        }
      });
      if (node == null || !node.isObject() || !node.path("username").isTextual()
          || !node.path("password").isTextual()) {
        throw new InvalidSecretRefException(ref, "the value of " + ref
            + " is not a JSON object with string members \"username\" and \"password\"");
      }
      String username = node.get("username").asText();
      String password = node.get("password").asText();
      if (username.isEmpty() || password.isEmpty()) {
        throw new InvalidSecretRefException(ref, "the value of " + ref + " has an empty username or password");
      }
      return new Resolved(username, password, identity(secret, hashing), leaseSeconds(secret));
    }

    @Override
    public String toString() {
      return "json(" + ref + ")";
    }
  }

  /** Two refs: one for the username, one for the password (e.g. {@code #username}, {@code #password}). */
  private static final class Fields extends CredentialsSource {
    private final SecretRef usernameRef;
    private final SecretRef passwordRef;
    private final Hashing hashing = new Hashing();

    Fields(SecretRef usernameRef, SecretRef passwordRef) {
      this.usernameRef = usernameRef;
      this.passwordRef = passwordRef;
    }

    @Override
    List<SecretRef> refs() {
      return List.of(usernameRef, passwordRef);
    }

    @Override
    Resolved read(SecretsClient client) {
      try (Secret user = client.resolve(usernameRef); Secret pass = client.resolve(passwordRef)) {
        if (sameSecret() && !user.version().equals(pass.version())) {
          // read across a rotation: fetch both again so the pair is of one version
          return refreshAndRead(client);
        }
        return resolved(user, pass);
      }
    }

    @Override
    Resolved refreshAndRead(SecretsClient client) {
      try (Secret user = client.refresh(usernameRef); Secret pass = client.refresh(passwordRef)) {
        return resolved(user, pass);
      }
    }

    private boolean sameSecret() {
      return usernameRef.withoutField().equals(passwordRef.withoutField());
    }

    private Resolved resolved(Secret user, Secret pass) {
      String username = user.reveal();
      String password = pass.reveal();
      if (username.isEmpty() || password.isEmpty()) {
        throw new InvalidSecretRefException(username.isEmpty() ? usernameRef : passwordRef,
            "the value of " + (username.isEmpty() ? usernameRef : passwordRef) + " is empty");
      }
      String identity = identity(user, hashing) + "/" + identity(pass, hashing);
      OptionalLong lease = leaseSeconds(pass).isPresent() ? leaseSeconds(pass) : leaseSeconds(user);
      return new Resolved(username, password, identity, lease);
    }

    @Override
    public String toString() {
      return "fields(" + usernameRef + ", " + passwordRef + ")";
    }
  }

  /** A keyed hash with a random per-source key: tells values apart without holding them. */
  static final class Hashing {
    private final byte[] key = new byte[32];

    Hashing() {
      new java.security.SecureRandom().nextBytes(key);
    }

    String hash(byte[] value) {
      return "h:" + io.secretsdk.redact.KeyedFingerprints.fingerprint(key, value).substring(12, 44);
    }
  }
}
