package io.secretsdk.cli;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.internal.ExceptionExit;
import io.secretsdk.internal.ProviderDiscovery;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The backends one run of the command line talks to, set up the way
 * {@link SecretsClient.Builder#fromEnvironment} sets up a client: the same variables
 * ({@code SECRETS_SDK_PROVIDERS}, {@code SECRETS_SDK_FACTORIES}, {@code SECRETS_SDK_ALIASES},
 * {@code SECRETS_SDK_REGISTRY}, {@code SECRETS_SDK_POLICY}, {@code SECRETS_SDK_ENV}) and the same
 * allowlisted factories found with {@link java.util.ServiceLoader}; {@code local://} uses the
 * store options. A provider is built the first time a ref needs its scheme, so a backend the
 * command does not touch needs no configuration.
 *
 * <p>Not thread-safe; one per run.
 */
final class Backends implements AutoCloseable {
  /** Supplies providers in place of the factories (tests: a shared {@code mem://} backend). */
  @FunctionalInterface
  interface Overrides {
    /** A provider for {@code scheme}, or empty to use the factory; the caller closes it. */
    Optional<SecretProvider> open(String scheme);
  }

  static final Overrides NONE = scheme -> Optional.empty();

  private final CliIo io;
  private final GlobalOptions global;
  private final Overrides overrides;
  private final RunEnvironment environment;
  private final Set<String> userFactories = new LinkedHashSet<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private final Optional<Set<String>> listedSchemes;
  private final Map<String, SecretProvider> open = new LinkedHashMap<>();
  private final Map<String, String> unavailable = new TreeMap<>();
  private final Set<String> inProcessOnly = new LinkedHashSet<>();
  private SecretRegistry registry;
  private SecretPolicy policy;

  Backends(CliIo io, GlobalOptions global, Overrides overrides) {
    this.io = io;
    this.global = global;
    this.overrides = overrides;
    this.environment = global.environment(io.env());
    for (String name : csv(io.env().get("SECRETS_SDK_FACTORIES"))) {
      userFactories.add(name);
    }
    for (String pair : csv(io.env().get("SECRETS_SDK_ALIASES"))) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new UsageException("$SECRETS_SDK_ALIASES: each alias must read alias=scheme");
      }
      aliases.put(pair.substring(0, eq).trim().toLowerCase(Locale.ROOT),
          pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT));
    }
    String listed = io.env().get("SECRETS_SDK_PROVIDERS");
    listedSchemes = listed == null || listed.isBlank() ? Optional.empty()
        : Optional.of(Set.copyOf(csv(listed.toLowerCase(Locale.ROOT))));
  }

  /** Whether output is to be JSON ({@code --format json}). */
  boolean json() {
    return global.json();
  }

  RunEnvironment environment() {
    return environment;
  }

  String environmentName() {
    return environment.name().toLowerCase(Locale.ROOT);
  }

  /** Whether a registry is given ({@code --registry} or {@code $SECRETS_SDK_REGISTRY}). */
  boolean hasRegistry() {
    return registryFile().isPresent();
  }

  Optional<Path> registryFile() {
    return global.get("--registry").or(() -> Optional.ofNullable(io.env().get("SECRETS_SDK_REGISTRY"))
        .filter(s -> !s.isBlank())).map(Path::of);
  }

  /**
   * The registry.
   *
   * @throws UsageException if none is given, or its file does not exist
   */
  SecretRegistry registry() {
    if (registry == null) {
      Path file = registryFile().orElseThrow(() -> new UsageException("no registry: pass"
          + " --registry FILE or set $SECRETS_SDK_REGISTRY"));
      registry = SecretRegistry.load(existing(file, "registry", "--registry"));
    }
    return registry;
  }

  /** The policy ({@code --policy} or {@code $SECRETS_SDK_POLICY}), else permissive. */
  SecretPolicy policy() {
    if (policy == null) {
      Optional<Path> file = global.get("--policy").or(() -> Optional.ofNullable(
          io.env().get("SECRETS_SDK_POLICY")).filter(s -> !s.isBlank())).map(Path::of);
      policy = file.map(f -> SecretPolicy.load(existing(f, "policy", "--policy")))
          .orElse(SecretPolicy.permissive());
    }
    return policy;
  }

  private static Path existing(Path file, String what, String option) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("the " + what + " file " + file + " does not exist; check "
          + option + " (or its environment variable)");
    }
    return file;
  }

  /**
   * What a command word names: a ref ({@code vault://kv/app#key}), else a registry name for this
   * environment when a registry is given, else a {@code local://} store name.
   *
   * @throws UsageException if it is neither
   */
  Target target(String word) {
    if (word.contains("://")) {
      try {
        return new Target(null, SecretRef.parse(word));
      } catch (InvalidSecretRefException e) {
        throw new UsageException("not a valid ref: " + e.getMessage());
      }
    }
    if (hasRegistry()) {
      SecretRegistry r = registry();
      Optional<RegistryEntry> entry = r.entry(word, environment);
      if (entry.isEmpty()) {
        throw new UsageException(r.names().contains(word)
            ? "registry name " + word + " has no entry for " + environmentName()
                + "; pick another --env or add one to " + registryFile().get()
            : "no name " + shown(word) + " in the registry " + registryFile().get()
                + "; give a registered name (secrets check lists them) or a ref");
      }
      return new Target(word, entry.get().ref());
    }
    try {
      return new Target(null, SecretRef.parse(LocalSecretProvider.SCHEME + "://" + word));
    } catch (InvalidSecretRefException e) {
      throw new UsageException("not a valid name: " + e.getMessage());
    }
  }

  /**
   * A word the user typed, for an error message: shown when it reads as a name, withheld when it
   * could be a value pasted in the wrong place (a known token format, or not name-like).
   */
  static String shown(String word) {
    boolean nameLike = word.matches("[A-Za-z0-9][A-Za-z0-9._/-]{0,63}");
    boolean token = !RedactionIndex.create().redact(word).equals(word);
    return nameLike && !token ? word : "(the word given, not shown: it may be a value)";
  }

  /** The scheme a ref's scheme stands for, after {@code $SECRETS_SDK_ALIASES}. */
  String realScheme(String scheme) {
    String s = scheme.toLowerCase(Locale.ROOT);
    return aliases.getOrDefault(s, s);
  }

  /** The ref with its alias scheme replaced, as the provider sees it. */
  SecretRef providerRef(SecretRef ref) {
    String real = realScheme(ref.scheme());
    return real.equals(ref.scheme()) ? ref : ref.withScheme(real);
  }

  /**
   * The provider for {@code scheme}, built once per run.
   *
   * @throws NoProviderException if no provider can be built for it
   */
  SecretProvider provider(String scheme) {
    String real = realScheme(scheme);
    SecretProvider p = open.get(real);
    if (p != null) {
      return p;
    }
    String reason = unavailable.get(real);
    if (reason != null) {
      throw new NoProviderException(real, reason);
    }
    try {
      p = build(real);
    } catch (NoProviderException e) {
      unavailable.put(real, e.reason());
      throw e;
    }
    open.put(real, p);
    return p;
  }

  /** Why {@code scheme} has no provider here, or empty when it has one. */
  Optional<String> unavailableReason(String scheme) {
    try {
      provider(scheme);
      return Optional.empty();
    } catch (NoProviderException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * Whether values of {@code scheme} live only in one process's memory ({@code mem://} from its
   * factory): this tool, a separate process, cannot see the application's.
   */
  boolean inProcessOnly(String scheme) {
    return inProcessOnly.contains(realScheme(scheme));
  }

  /** The local store, as configured by {@code --store}/{@code --key-file} and the environment. */
  LocalSecretProvider local() {
    SecretProvider p = provider(LocalSecretProvider.SCHEME);
    if (p instanceof LocalSecretProvider local) {
      return local;
    }
    throw new UsageException("this command works on the local:// store only");
  }

  LocalStoreOptions localOptions() {
    LocalStoreOptions.Builder b = LocalStoreOptions.builder().environment(io.env()::get);
    global.get("--store").ifPresent(s -> b.storeFile(Path.of(s)));
    global.get("--key-file").ifPresent(s -> b.keyFile(Path.of(s)));
    return b.build();
  }

  /**
   * Fails with a usage error when the local store file does not exist: a mistyped
   * {@code --store} must not read as an empty store.
   */
  void requireStore() {
    Path store = localOptions().storeFile();
    if (!Files.isRegularFile(store)) {
      throw new UsageException("the store file " + store + " does not exist; check --store or $"
          + LocalStoreOptions.STORE_VARIABLE + " ('secrets put NAME' creates it)");
    }
    requireKey();
  }

  /**
   * Fails with a usage error when the store's key is to come from a key file that does not exist
   * (no {@value LocalStoreOptions#KEY_VARIABLE}): a mistyped {@code --key-file} is named.
   */
  void requireKey() {
    String fromEnv = io.env().get(LocalStoreOptions.KEY_VARIABLE);
    Path keyFile = localOptions().keyFile();
    if ((fromEnv == null || fromEnv.isBlank()) && !Files.exists(keyFile)) {
      throw new UsageException("the key file " + keyFile + " does not exist; check --key-file or $"
          + LocalStoreOptions.KEY_FILE_VARIABLE + ", set $" + LocalStoreOptions.KEY_VARIABLE
          + ", or create it with 'secrets init'");
    }
  }

  /**
   * A client over this run's providers for {@code schemes} (which must have providers), with the
   * registry, policy and environment; closing it leaves the providers open.
   */
  SecretsClient client(Collection<String> schemes, String principal) {
    SecretsClient.Builder b = baseBuilder(principal);
    Set<String> done = new LinkedHashSet<>();
    for (String s : schemes) {
      String real = realScheme(s);
      if (done.add(real)) {
        b.provider(new UnclosedProvider(provider(real)));
      }
    }
    addAliases(b, done);
    return b.build();
  }

  /**
   * A client with a newly built provider for {@code ref}'s scheme, sharing nothing with this run's
   * providers and caches: what an application starting now would see.
   */
  SecretsClient freshClient(SecretRef ref, String principal) {
    String real = realScheme(ref.scheme());
    SecretsClient.Builder b = baseBuilder(principal).provider(build(real));
    addAliases(b, Set.of(real));
    return b.build();
  }

  private SecretsClient.Builder baseBuilder(String principal) {
    SecretsClient.Builder b = SecretsClient.builder().environment(environment)
        .policy(policy()).principal(principal).negativeTtl(Duration.ZERO)
        .retry(2, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10));
    if (hasRegistry()) {
      b.registry(registry());
    }
    return b;
  }

  private void addAliases(SecretsClient.Builder b, Set<String> registered) {
    aliases.forEach((alias, real) -> {
      if (registered.contains(real) && !registered.contains(alias)) {
        b.alias(alias, real);
      }
    });
  }

  /**
   * Factories whose configuration name differs from the scheme of the refs their provider serves:
   * {@code SECRETS_SDK_PROVIDERS=platform} gives {@code secret://}.
   */
  private static final Map<String, String> FACTORY_OF_SCHEME = Map.of("secret", "platform");

  private SecretProvider build(String scheme) {
    Optional<SecretProvider> override = overrides.open(scheme);
    if (override.isPresent()) {
      return override.get();
    }
    if (scheme.equals(LocalSecretProvider.SCHEME)) {
      return LocalSecretProvider.create(localOptions());
    }
    String factory = FACTORY_OF_SCHEME.getOrDefault(scheme, scheme);
    if (listedSchemes.isPresent() && !listedSchemes.get().contains(factory)) {
      throw new NoProviderException(scheme, "'" + factory + "' is not listed in"
          + " $SECRETS_SDK_PROVIDERS (" + String.join(",",
              new java.util.TreeSet<>(listedSchemes.get())) + ")");
    }
    try {
      SecretProvider p = ProviderDiscovery.create(factory, ProviderSettings.of(Map.of(),
          io.env()::get), Backends.class.getClassLoader(), userFactories);
      if (p instanceof MemSecretProvider) {
        inProcessOnly.add(scheme);
      }
      return p;
    } catch (SecretConfigException | IllegalArgumentException e) {
      throw new NoProviderException(scheme, ExceptionExit.scrub((RuntimeException) e).getMessage());
    }
  }

  /** Closes every provider built in this run. */
  @Override
  public void close() {
    List<SecretProvider> providers = new ArrayList<>(open.values());
    open.clear();
    for (SecretProvider p : providers) {
      try {
        p.close();
      } catch (RuntimeException e) {
        // closing is best effort; the process is about to end
      }
    }
  }

  private static List<String> csv(String text) {
    List<String> out = new ArrayList<>();
    if (text != null) {
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  /**
   * What a command word names.
   *
   * @param name the registry name, or {@code null} when a ref or a store name was given
   * @param ref the ref it maps to
   */
  record Target(String name, SecretRef ref) {
    /** How to show it: {@code name (ref)} or the ref. */
    String label() {
      return name == null ? ref.toString() : name + " (" + ref + ")";
    }
  }

  /** No provider can be built for a scheme in this run; the message says why. */
  static final class NoProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    NoProviderException(String scheme, String reason) {
      super("no provider for scheme '" + scheme + "': " + reason, null, false, false);
      this.reason = reason;
    }

    String reason() {
      return reason;
    }
  }
}
