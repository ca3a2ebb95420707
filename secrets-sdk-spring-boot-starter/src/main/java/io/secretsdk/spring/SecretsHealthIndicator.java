package io.secretsdk.spring;

import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.spi.SecretProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Actuator health of the application's secrets: each registry name of this run environment (or
 * those of {@code secrets.health.names}) is resolved — from the cache while fresh, from its
 * provider otherwise — and the Vault token is checked. Details name providers, registry names,
 * failure types and token states; never a value, a ref or an error message.
 *
 * <pre>{@code
 * {"status":"DOWN","details":{"environment":"PROD",
 *   "providers":{"vault":{"status":"DOWN","names":["openai","stripe"],"failed":{"stripe":"SecretNotFoundException"}}},
 *   "tokens":{"vault":"valid"}}}
 * }</pre>
 */
final class SecretsHealthIndicator implements HealthIndicator {
  private static final String VAULT_PROVIDER = "io.secretsdk.vault.VaultSecretProvider";

  private final ConfiguredSecrets secrets;
  private final List<String> names;

  SecretsHealthIndicator(ConfiguredSecrets secrets, List<String> names) {
    this.secrets = secrets;
    this.names = List.copyOf(names);
  }

  @Override
  public Health health() {
    SecretsClient client = secrets.client();
    RunEnvironment environment = client.environment();
    Map<String, List<String>> namesByScheme = new TreeMap<>();
    Map<String, Map<String, String>> failedByScheme = new TreeMap<>();
    Map<String, String> unknown = new TreeMap<>();
    for (String name : names()) {
      String scheme;
      try {
        scheme = client.refOf(name).scheme();
      } catch (SecretException e) {
        unknown.put(name, e.getClass().getSimpleName());
        continue;
      }
      namesByScheme.computeIfAbsent(scheme, s -> new ArrayList<>()).add(name);
      String failure = check(client, name);
      if (failure != null) {
        failedByScheme.computeIfAbsent(scheme, s -> new TreeMap<>()).put(name, failure);
      }
    }
    Map<String, String> tokens = new TreeMap<>();
    secrets.providers().forEach((scheme, provider) -> tokenState(provider).ifPresent(s -> tokens.put(scheme, s)));

    Map<String, Object> providers = new TreeMap<>();
    for (String scheme : secrets.providers().keySet()) {
      namesByScheme.putIfAbsent(scheme, List.of());
    }
    namesByScheme.forEach((scheme, list) -> {
      Map<String, Object> detail = new LinkedHashMap<>();
      Map<String, String> failed = failedByScheme.getOrDefault(scheme, Map.of());
      String token = tokens.get(scheme);
      boolean down = !failed.isEmpty() || (token != null && !token.equals("valid"));
      detail.put("status", down ? "DOWN" : "UP");
      detail.put("names", List.copyOf(list));
      if (!failed.isEmpty()) {
        detail.put("failed", failed);
      }
      providers.put(scheme, detail);
    });
    boolean down = !unknown.isEmpty() || providers.values().stream()
        .anyMatch(d -> "DOWN".equals(((Map<?, ?>) d).get("status")));
    Health.Builder health = down ? Health.down() : Health.up();
    health.withDetail("environment", environment.name()).withDetail("providers", providers);
    if (!tokens.isEmpty()) {
      health.withDetail("tokens", tokens);
    }
    if (!unknown.isEmpty()) {
      health.withDetail("unknownNames", unknown);
    }
    return health.build();
  }

  private List<String> names() {
    if (!names.isEmpty()) {
      return names;
    }
    RunEnvironment environment = secrets.client().environment();
    return secrets.registry().entries(environment).stream().map(RegistryEntry::name).sorted().toList();
  }

  /** Null when the name resolves; else the failure's type (the message may carry the ref). */
  private static String check(SecretsClient client, String name) {
    try (Secret ignored = client.resolveByName(name)) {
      return null;
    } catch (SecretException e) {
      return e.getClass().getSimpleName();
    } catch (RuntimeException e) {
      return "error";
    }
  }

  private static java.util.Optional<String> tokenState(SecretProvider provider) {
    if (!provider.getClass().getName().equals(VAULT_PROVIDER)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(VaultTokenState.of(provider));
  }
}
