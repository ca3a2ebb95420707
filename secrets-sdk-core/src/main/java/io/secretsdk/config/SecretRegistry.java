package io.secretsdk.config;

import io.secretsdk.redact.internal.SecretLikeness;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.config.ConfigNode.MapNode;
import io.secretsdk.config.ConfigNode.Member;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The secret registry: which ref each secret name resolves to in each environment, loaded from
 * {@code configs/secrets-registry.yaml}.
 *
 * <p>Format (YAML; refs only, never values):
 * <pre>{@code
 * openai:                                   # secret name: letters, digits, '_' or '-'
 *   dev:                                    # environment key, see below
 *     secret_ref: "kv://openai/dev/api_key" # required; a SecretRef
 *     scope: ["llm:chat"]                   # optional; scope labels handed to the kernel
 *     max_ttl_seconds: 3600                 # optional; 1 to 86400
 *   ci:
 *     secret_ref: "kv://openai/ci/api_key"
 *     max_ttl_seconds: 900
 * }</pre>
 * Environment keys are those of {@link RunEnvironment#registryKeys()}: {@code local},
 * {@code dev}, {@code development} (local runs), {@code ci}, {@code test} (CI), {@code prod},
 * {@code production} (production); one secret may not name the same environment twice.
 *
 * <p>Loading is strict and all-or-nothing: unknown keys, wrong types, a missing
 * {@code secret_ref}, an unparsable ref, a TTL outside 1..86400 seconds, duplicate keys, YAML
 * anchors, aliases and tags, several documents, an empty file, a file over 256 KiB, and anything
 * that looks like a secret value (a known token format anywhere in the file, including comments,
 * or a high-entropy string where a ref or name belongs) each throw a
 * {@link SecretConfigException} naming the file, the line and the dotted field (e.g.
 * {@code openai.ci.secret_ref}). Messages never quote a value from the file.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretRegistry {
  private static final List<String> ENTRY_KEYS = List.of("secret_ref", "scope", "max_ttl_seconds");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/*-]{0,127}");
  private static final SecretRegistry EMPTY = new SecretRegistry(null, Map.of());

  private final String source;
  /** name → environment → entry; both levels in file order, unmodifiable. */
  private final Map<String, Map<RunEnvironment, RegistryEntry>> byName;
  private final List<RegistryEntry> entries;
  private final Set<String> names;

  private SecretRegistry(String source, Map<String, Map<RunEnvironment, RegistryEntry>> byName) {
    this.source = source;
    this.byName = byName;
    List<RegistryEntry> all = new ArrayList<>();
    byName.values().forEach(m -> all.addAll(m.values()));
    this.entries = List.copyOf(all);
    this.names = Collections.unmodifiableSet(new LinkedHashSet<>(byName.keySet()));
  }

  /**
   * Loads a registry file.
   *
   * @param file the YAML file, usually {@code configs/secrets-registry.yaml}
   * @return the complete registry
   * @throws SecretConfigException if the file is missing, not a regular file, unreadable, larger
   *     than 256 KiB, not UTF-8, or not a valid registry (see the class description)
   * @throws NullPointerException if {@code file} is null
   */
  public static SecretRegistry load(Path file) {
    return parse(ConfigText.read(file), file);
  }

  /**
   * Parses registry text.
   *
   * @param yaml the YAML text
   * @param sourceName the name errors report as the file (e.g. a resource name); may be null
   * @return the complete registry
   * @throws SecretConfigException if the text is not a valid registry (see the class description)
   * @throws NullPointerException if {@code yaml} is null
   */
  public static SecretRegistry parse(String yaml, String sourceName) {
    Path source = ConfigText.sourcePath(sourceName);
    return parse(ConfigText.checkSize(yaml, source), source);
  }

  /** A registry with no entries: every {@link #entry} lookup is empty. */
  public static SecretRegistry empty() {
    return EMPTY;
  }

  private static SecretRegistry parse(String text, Path file) {
    ConfigNode root = ConfigTreeReader.parse(text, file, ConfigTreeReader.Format.YAML);
    ConfigFields f = new ConfigFields(file);
    MapNode names = f.nonEmptyMap(root, "registry has no entries");
    Map<String, Map<RunEnvironment, RegistryEntry>> byName = new LinkedHashMap<>();
    for (Member nameMember : names.members().values()) {
      String name = nameMember.key();
      if (!ConfigFields.NAME.matcher(name).matches()) {
        throw f.error(nameMember.keyLine(), nameMember.path(), "secret name must be 1 to 64"
            + " letters, digits, '_' or '-', starting with a letter or digit");
      }
      MapNode envs = f.nonEmptyMap(nameMember.value(),
          "names no environment; expected keys such as dev, ci, prod");
      // file order, for entries(); at most one key per environment
      Map<RunEnvironment, RegistryEntry> perEnv = new LinkedHashMap<>();
      Map<RunEnvironment, Member> envKeys = new EnumMap<>(RunEnvironment.class);
      for (Member envMember : envs.members().values()) {
        RunEnvironment env = environment(f, envMember);
        Member other = envKeys.putIfAbsent(env, envMember);
        if (other != null) {
          throw f.error(envMember.keyLine(), envMember.path(), "names the same environment ("
              + env.name().toLowerCase(Locale.ROOT) + ") as key '" + other.key()
              + "' on line " + other.keyLine());
        }
        perEnv.put(env, entry(f, name, envMember));
      }
      byName.put(name, Collections.unmodifiableMap(perEnv));
    }
    return new SecretRegistry(file == null ? null : file.toString(),
        Collections.unmodifiableMap(byName));
  }

  private static RunEnvironment environment(ConfigFields f, Member envMember) {
    String key = envMember.key();
    for (RunEnvironment e : RunEnvironment.values()) {
      if (e.registryKeys().contains(key)) {
        return e;
      }
    }
    List<String> known = new ArrayList<>();
    for (RunEnvironment e : RunEnvironment.values()) {
      known.addAll(e.registryKeys());
    }
    throw f.error(envMember.keyLine(), envMember.path(),
        "unknown environment key; expected one of " + String.join(", ", known));
  }

  private static RegistryEntry entry(ConfigFields f, String name, Member envMember) {
    MapNode body = f.map(envMember.value());
    f.allowOnly(body, ENTRY_KEYS);
    Member refMember = f.required(body, "secret_ref", envMember.keyLine());
    SecretRef ref = ref(f, refMember.value());
    List<String> scope = List.of();
    Member scopeMember = body.members().get("scope");
    if (scopeMember != null) {
      scope = f.stringList(scopeMember.value(), true, n -> {
        String label = f.string(n);
        if (!SCOPE.matcher(label).matches()) {
          throw f.error(n, "scope label must be 1 to 128 letters, digits or '_.:/*-', starting"
              + " with a letter or digit");
        }
        return label;
      });
    }
    Duration maxTtl = null;
    Member ttlMember = body.members().get("max_ttl_seconds");
    if (ttlMember != null) {
      maxTtl = f.ttlSeconds(ttlMember.value());
    }
    return new RegistryEntry(name, envMember.key(), ref, scope, maxTtl);
  }

  /** Parses a ref field; the parser's message never echoes the ref. */
  static SecretRef ref(ConfigFields f, ConfigNode node) {
    String text = f.string(node);
    SecretRef ref;
    try {
      ref = SecretRef.parse(text);
    } catch (InvalidSecretRefException e) {
      throw f.error(node, e.getMessage());
    }
    if (text.indexOf('%') < 0) {
      return ref; // decoded parts equal the raw text, which the file scan has checked
    }
    // a token percent-encoded into a segment only shows once decoded
    List<String> parts = new ArrayList<>(ref.segments());
    parts.addAll(ref.query().values());
    ref.field().ifPresent(parts::add);
    for (String part : parts) {
      Optional<String> hit = SecretLikeness.detect(part);
      if (hit.isPresent()) {
        throw ConfigTreeReader.secretError(
            f.file(), node.line(), node.path(), "part of the ref", hit.get());
      }
    }
    return ref;
  }

  /**
   * The entry for {@code name} in {@code env}, trying {@link RunEnvironment#registryKeys()} in
   * order ({@link RunEnvironment#LOCAL} answers to {@code local}, {@code dev},
   * {@code development}).
   *
   * @return the entry, or empty when the name is unknown or has no entry for {@code env}
   * @throws NullPointerException if an argument is null
   */
  public Optional<RegistryEntry> entry(String name, RunEnvironment env) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(env, "env");
    Map<RunEnvironment, RegistryEntry> perEnv = byName.get(name);
    return perEnv == null ? Optional.empty() : Optional.ofNullable(perEnv.get(env));
  }

  /** The secret names, in file order. */
  public Set<String> names() {
    return names;
  }

  /** Every entry, in file order. */
  public List<RegistryEntry> entries() {
    return entries;
  }

  /** The entries of one environment, in file order. */
  public List<RegistryEntry> entries(RunEnvironment env) {
    Objects.requireNonNull(env, "env");
    List<RegistryEntry> out = new ArrayList<>();
    for (RegistryEntry e : entries) {
      if (e.environment() == env) {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  /** Whether the registry has no entries. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Where it was loaded from, when known; names and counts. Safe to log. */
  @Override
  public String toString() {
    return "SecretRegistry[" + (source == null ? "" : "source=" + source + ", ") + "names="
        + byName.keySet() + ", entries=" + entries.size() + "]";
  }
}
