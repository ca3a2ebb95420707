package io.secretsdk.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code secrets.*} settings the starter builds its {@link io.secretsdk.SecretsClient} from.
 * They hold file locations, refs, names and provider options, never values: credentials come from
 * the variables and files each provider reads, as with {@code SecretsClient.fromEnvironment()}.
 *
 * <pre>{@code
 * secrets:
 *   registry: configs/secrets-registry.yaml
 *   policy: configs/secrets-policy.json
 *   environment: prod
 *   providers:
 *     vault:
 *       address: https://vault.example.com:8200
 *       auth: kubernetes
 *       role: payments
 *     env: {enabled: true}
 * }</pre>
 */
@ConfigurationProperties(prefix = SecretsProperties.PREFIX)
public class SecretsProperties {
  /** The prefix of every setting: {@value}. */
  public static final String PREFIX = "secrets";

  /** Path of the registry file (names to refs per environment), or classpath:...; none means an empty registry. */
  private String registry;
  /** Path of the policy file, or classpath:...; none means the permissive policy. */
  private String policy;
  /** Run environment: local, ci or prod (or dev, test, production); none means detected from SECRETS_SDK_ENV and CI. */
  private String environment;
  /** Providers by scheme, each with its factory's options as the factory names them (address, ca_cert, allowedRoots...); enabled: true for a provider without options, enabled: false to leave one out. None configured means env and file. */
  private Map<String, Map<String, String>> providers = new LinkedHashMap<>();
  /** Alias schemes mapped to provider schemes, e.g. kv: vault. */
  private Map<String, String> aliases = new LinkedHashMap<>();
  /** Class names of custom provider factories to allow besides the SDK's own. */
  private List<String> allowedFactories = new ArrayList<>();
  /** Who resolves, recorded in audit events; default spring.application.name. */
  private String principal;
  /** Why this process needs secrets (ticket, job), recorded in audit events. */
  private String justification;
  /** TTL of values whose provider gives none; default the environment cap. */
  private Duration defaultTtl;
  /** How long past its TTL a value may be served while its provider is down; default zero. */
  private Duration maxStale;
  private final Logging logging = new Logging();
  private final Health health = new Health();

  /** Creates the settings with their defaults. */
  public SecretsProperties() {}

  /** Path of the registry file (names to refs per environment); none means an empty registry. */
  public String getRegistry() {
    return registry;
  }

  /** @param registry path of the registry file */
  public void setRegistry(String registry) {
    this.registry = registry;
  }

  /** Path of the policy file; none means the permissive policy. */
  public String getPolicy() {
    return policy;
  }

  /** @param policy path of the policy file */
  public void setPolicy(String policy) {
    this.policy = policy;
  }

  /** {@code local}, {@code ci} or {@code prod} (or a registry alias of one); none means detected. */
  public String getEnvironment() {
    return environment;
  }

  /** @param environment the run environment key */
  public void setEnvironment(String environment) {
    this.environment = environment;
  }

  /**
   * Providers by scheme, each with the options of its factory, named as the factory documents
   * them ({@code address}, {@code ca_cert}, {@code allowedRoots}); {@code {enabled: true}} for
   * a provider without options (YAML drops an empty map), {@code enabled: false} to leave one out.
   * None configured means {@code env} and {@code file}, as {@code SecretsClient.fromEnvironment()}
   * does.
   */
  public Map<String, Map<String, String>> getProviders() {
    return providers;
  }

  /** @param providers options by provider scheme */
  public void setProviders(Map<String, Map<String, String>> providers) {
    this.providers = providers;
  }

  /** Alias schemes mapped to provider schemes, e.g. {@code kv: vault}. */
  public Map<String, String> getAliases() {
    return aliases;
  }

  /** @param aliases alias to scheme */
  public void setAliases(Map<String, String> aliases) {
    this.aliases = aliases;
  }

  /** Class names of custom provider factories to allow besides the SDK's own. */
  public List<String> getAllowedFactories() {
    return allowedFactories;
  }

  /** @param allowedFactories fully qualified class names */
  public void setAllowedFactories(List<String> allowedFactories) {
    this.allowedFactories = allowedFactories;
  }

  /** Who resolves, recorded in audit events; default {@code spring.application.name}. */
  public String getPrincipal() {
    return principal;
  }

  /** @param principal the service or runner name */
  public void setPrincipal(String principal) {
    this.principal = principal;
  }

  /** Why this process needs secrets, recorded in audit events. */
  public String getJustification() {
    return justification;
  }

  /** @param justification ticket or job */
  public void setJustification(String justification) {
    this.justification = justification;
  }

  /** TTL of values whose provider gives none; default the environment cap. */
  public Duration getDefaultTtl() {
    return defaultTtl;
  }

  /** @param defaultTtl a positive duration */
  public void setDefaultTtl(Duration defaultTtl) {
    this.defaultTtl = defaultTtl;
  }

  /** How long past its TTL a value may be served while its provider is down; default zero. */
  public Duration getMaxStale() {
    return maxStale;
  }

  /** @param maxStale a non-negative duration */
  public void setMaxStale(Duration maxStale) {
    this.maxStale = maxStale;
  }

  /** Log redaction settings. */
  public Logging getLogging() {
    return logging;
  }

  /** Health indicator settings. */
  public Health getHealth() {
    return health;
  }

  /** {@code secrets.logging.*}. */
  public static class Logging {
    /** Whether Boot's Logback appenders write through the SDK's RedactingEncoder. */
    private boolean redact = true;

    /** Creates the defaults. */
    public Logging() {}

    /**
     * Whether every Logback appender Boot configured writes through the SDK's
     * {@code RedactingEncoder} ({@code secrets.logging.redact}, default {@code true}).
     */
    public boolean isRedact() {
      return redact;
    }

    /** @param redact whether to wrap the appenders' encoders */
    public void setRedact(boolean redact) {
      this.redact = redact;
    }
  }

  /** {@code secrets.health.*}. */
  public static class Health {
    /** Registry names the health indicator resolves; empty means every name of the run environment. */
    private List<String> names = new ArrayList<>();

    /** Creates the defaults. */
    public Health() {}

    /** Registry names the health indicator resolves; empty (default) means all of this environment. */
    public List<String> getNames() {
      return names;
    }

    /** @param names registry names */
    public void setNames(List<String> names) {
      this.names = names;
    }
  }
}
