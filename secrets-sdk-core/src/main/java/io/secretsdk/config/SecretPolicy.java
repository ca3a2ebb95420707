package io.secretsdk.config;

import io.secretsdk.redact.internal.SecretLikeness;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.config.ConfigNode.IntNode;
import io.secretsdk.config.ConfigNode.MapNode;
import io.secretsdk.config.ConfigNode.Member;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a client may resolve, and how: loaded from {@code configs/secrets-policy.json}.
 *
 * <p>Format (JSON, one object; every key but {@code version} and {@code allowed_secrets} is
 * optional):
 * <pre>{@code
 * {
 *   "version": 1,
 *   "allowed_secrets": ["openai", "stripe"],      // registry names that may be resolved
 *   "allowed_refs": ["mem://samples/*", "env://OPENAI_API_KEY"],
 *                                                 // refs resolved directly, not by name
 *   "required_prefix": ["vault://secret/", "mem://"],
 *                                                 // a string or a list: every ref starts so
 *   "environments": ["dev", "ci", "prod"],        // run environments allowed (default: all)
 *   "required_metadata": ["owner", "source"],     // metadata keys every secret must carry
 *   "max_ttl_seconds": 900,                       // cache cap on top of the others, 1..86400
 *   "no_logging": true,                           // default true
 *   "no_persistence": true,                       // default true
 *   "strict_ttl": false                           // default false
 * }
 * }</pre>
 *
 * <p>Rules, checked by {@link #check} before any provider is called:
 * <ul>
 *   <li>{@code environments}: the run environment must be listed (registry keys such as
 *       {@code dev}, {@code local}, {@code ci}, {@code test}, {@code prod}).
 *   <li>{@code allowed_secrets}: a secret resolved by registry name must be listed. An empty list
 *       allows no names.
 *   <li>{@code allowed_refs}: a ref resolved directly (no registry name) must match one pattern.
 *       Patterns are canonical refs where {@code *} matches within one path segment (no
 *       {@code /}, {@code ?}, {@code #}, {@code &}) and {@code **} matches anything; the scheme
 *       is always literal. Omitted or empty: direct refs are denied.
 *   <li>{@code required_prefix}: every ref, by name or direct, must start with one of the
 *       prefixes. A prefix is matched against the canonical ref ({@link SecretRef#toString()}),
 *       scheme included, and only on a boundary: {@code vault://secret/openai} admits
 *       {@code vault://secret/openai/ci} and {@code vault://secret/openai#key} but not
 *       {@code vault://secret/openai-old}. It applies to the whole ref rather than the path
 *       because the scheme picks the backend: a path-only prefix {@code secret/openai/} would
 *       let {@code mem://secret/openai/x} or {@code env://…} refs through and so bypass the
 *       store the policy meant to pin. The canonical form makes it immune to percent-encoding
 *       and query-order tricks. Pass refs as written (before scheme-alias mapping): a prefix on
 *       {@code kv://} then means exactly what the registry says.
 *   <li>{@code required_metadata}: {@link #checkMetadata} fails when a fetched secret's
 *       metadata lacks one of these keys (or holds a blank value for it).
 * </ul>
 * Flags for the client: {@code no_logging} (no value-derived data, such as keyed fingerprints,
 * in logs or audit events), {@code no_persistence} (resolved values never written to disk: no
 * file-backed caches or write-back), {@code strict_ttl} (a cached value is never served past its
 * TTL, so no stale window when a refresh fails, and every registry entry used must state
 * {@code max_ttl_seconds}, which {@link #check(RegistryEntry, RunEnvironment)} enforces). {@code max_ttl_seconds} caps the cache TTL in every environment.
 *
 * <p>Loading is strict and all-or-nothing, with the same guarantees as
 * {@link SecretRegistry}: unknown keys, wrong types, duplicate keys or entries, invalid names,
 * patterns or prefixes, out-of-range numbers, and secret-looking strings each throw a
 * {@link SecretConfigException} naming the file, the line and the field, never quoting a value.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretPolicy {
  /** The only {@code version} understood. */
  public static final int FORMAT_VERSION = 1;

  private static final List<String> KEYS = List.of("version", "allowed_secrets", "allowed_refs",
      "required_prefix", "environments", "required_metadata", "max_ttl_seconds", "no_logging",
      "no_persistence", "strict_ttl");
  private static final Pattern SCHEME_PREFIX = Pattern.compile("[a-z][a-z0-9+.-]{0,31}://");
  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final SecretPolicy PERMISSIVE = new SecretPolicy(null, null, null, List.of(),
      EnumSet.allOf(RunEnvironment.class), Set.of(), null, false, false, false, true);

  private final String source;
  /** Null: any name. */
  private final Set<String> allowedSecrets;
  /** Null: any direct ref. */
  private final List<RefPattern> allowedRefs;
  private final List<String> requiredPrefixes;
  private final Set<RunEnvironment> environments;
  private final Set<String> requiredMetadata;
  private final Duration maxTtl;
  private final boolean noLogging;
  private final boolean noPersistence;
  private final boolean strictTtl;
  private final boolean permissive;

  private SecretPolicy(String source, Set<String> allowedSecrets, List<RefPattern> allowedRefs,
      List<String> requiredPrefixes, Set<RunEnvironment> environments,
      Set<String> requiredMetadata, Duration maxTtl, boolean noLogging, boolean noPersistence,
      boolean strictTtl, boolean permissive) {
    this.source = source;
    this.allowedSecrets = allowedSecrets;
    this.allowedRefs = allowedRefs;
    this.requiredPrefixes = requiredPrefixes;
    this.environments = Collections.unmodifiableSet(EnumSet.copyOf(environments));
    this.requiredMetadata = requiredMetadata;
    this.maxTtl = maxTtl;
    this.noLogging = noLogging;
    this.noPersistence = noPersistence;
    this.strictTtl = strictTtl;
    this.permissive = permissive;
  }

  /**
   * Loads a policy file.
   *
   * @param file the JSON file, usually {@code configs/secrets-policy.json}
   * @return the complete policy
   * @throws SecretConfigException if the file is missing, not a regular file, unreadable, larger
   *     than 256 KiB, not UTF-8, or not a valid policy (see the class description)
   * @throws NullPointerException if {@code file} is null
   */
  public static SecretPolicy load(Path file) {
    return parse(ConfigText.read(file), file);
  }

  /**
   * Parses policy text.
   *
   * @param json the JSON text
   * @param sourceName the name errors report as the file; may be null
   * @return the complete policy
   * @throws SecretConfigException if the text is not a valid policy (see the class description)
   * @throws NullPointerException if {@code json} is null
   */
  public static SecretPolicy parse(String json, String sourceName) {
    Path source = ConfigText.sourcePath(sourceName);
    return parse(ConfigText.checkSize(json, source), source);
  }

  /**
   * The policy of a client configured without one: every name, every ref, every environment;
   * no required prefix or metadata, no cap, all flags false.
   */
  public static SecretPolicy permissive() {
    return PERMISSIVE;
  }

  private static SecretPolicy parse(String text, Path file) {
    ConfigNode root = ConfigTreeReader.parse(text, file, ConfigTreeReader.Format.JSON);
    ConfigFields f = new ConfigFields(file);
    MapNode map = f.map(root);
    f.allowOnly(map, KEYS);
    Map<String, Member> m = map.members();

    ConfigNode version = f.required(map, "version", map.line()).value();
    if (!(version instanceof IntNode)
        || !((IntNode) version).value().equals(BigInteger.valueOf(FORMAT_VERSION))) {
      throw f.error(version, "must be " + FORMAT_VERSION + " (the only policy format version)");
    }

    Set<String> allowedSecrets = Collections.unmodifiableSet(new LinkedHashSet<>(f.stringList(
        f.required(map, "allowed_secrets", map.line()).value(), true, n -> f.name(n, "secret name"))));

    List<RefPattern> allowedRefs = List.of();
    if (m.containsKey("allowed_refs")) {
      List<RefPattern> patterns = new ArrayList<>();
      f.stringList(m.get("allowed_refs").value(), true, n -> {
        RefPattern p = RefPattern.compile(f, n);
        patterns.add(p);
        return p.text;
      });
      allowedRefs = List.copyOf(patterns);
    }

    List<String> prefixes = List.of();
    if (m.containsKey("required_prefix")) {
      ConfigNode node = m.get("required_prefix").value();
      prefixes = node instanceof ConfigNode.ListNode
          ? f.stringList(node, false, n -> prefix(f, n))
          : List.of(prefix(f, node));
    }

    Set<RunEnvironment> environments = EnumSet.allOf(RunEnvironment.class);
    if (m.containsKey("environments")) {
      Set<RunEnvironment> listed = EnumSet.noneOf(RunEnvironment.class);
      f.stringList(m.get("environments").value(), false, n -> {
        String key = f.string(n);
        RunEnvironment env = environmentKey(f, n, key);
        if (!listed.add(env)) {
          throw f.error(n, "names an environment already listed ("
              + env.name().toLowerCase(Locale.ROOT) + ")");
        }
        return key;
      });
      environments = listed;
    }

    Set<String> metadata = Set.of();
    if (m.containsKey("required_metadata")) {
      metadata = Collections.unmodifiableSet(new TreeSet<>(f.stringList(
          m.get("required_metadata").value(), true, n -> {
            String key = f.string(n);
            if (!METADATA_KEY.matcher(key).matches()) {
              throw f.error(n, "metadata key must be 1 to 64 letters, digits, '_', '.' or '-',"
                  + " starting with a letter or digit");
            }
            return key;
          })));
    }

    Duration maxTtl = m.containsKey("max_ttl_seconds")
        ? f.ttlSeconds(m.get("max_ttl_seconds").value()) : null;
    boolean noLogging = !m.containsKey("no_logging") || f.bool(m.get("no_logging").value());
    boolean noPersistence =
        !m.containsKey("no_persistence") || f.bool(m.get("no_persistence").value());
    boolean strictTtl = m.containsKey("strict_ttl") && f.bool(m.get("strict_ttl").value());

    return new SecretPolicy(file == null ? "<policy>" : file.toString(), allowedSecrets,
        allowedRefs, prefixes, environments, metadata, maxTtl, noLogging, noPersistence,
        strictTtl, false);
  }

  private static RunEnvironment environmentKey(ConfigFields f, ConfigNode n, String key) {
    for (RunEnvironment e : RunEnvironment.values()) {
      if (e.registryKeys().contains(key)) {
        return e;
      }
    }
    throw f.error(n, "unknown environment; expected one of local, dev, development, ci, test,"
        + " prod, production");
  }

  /** Validates a required prefix: a scheme and '://', then the start of a canonical ref. */
  private static String prefix(ConfigFields f, ConfigNode n) {
    String p = f.string(n);
    java.util.regex.Matcher scheme = SCHEME_PREFIX.matcher(p);
    if (!scheme.lookingAt()) {
      throw f.error(n, "prefix must start with a lower-case scheme and '://', e.g. vault://");
    }
    if (scheme.end() < p.length()) {
      // complete it to a ref and check it parses to exactly itself (canonical form)
      String probe = p.endsWith("/") ? p + "x" : p;
      canonical(f, n, probe, "prefix");
    }
    return p;
  }

  private static void canonical(ConfigFields f, ConfigNode n, String probe, String what) {
    String parsed;
    try {
      parsed = SecretRef.parse(probe).toString();
    } catch (InvalidSecretRefException e) {
      throw f.error(n, what + " is not the start of a valid ref: " + e.getMessage());
    }
    if (!parsed.equals(probe)) {
      throw f.error(n, what + " is not in canonical form (as SecretRef.toString() writes it:"
          + " query parameters sorted, percent-escapes upper-case and only where needed)");
    }
  }

  /**
   * Checks that {@code ref} may be resolved in {@code env}.
   *
   * @param registryNameOrNull the registry name the ref came from, or {@code null} when the caller
   *     passed the ref directly
   * @param ref the ref as written (before any scheme-alias mapping)
   * @param env the run environment
   * @throws PolicyViolationException naming the rule that denied it
   * @throws NullPointerException if {@code ref} or {@code env} is null
   */
  public void check(String registryNameOrNull, SecretRef ref, RunEnvironment env) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(env, "env");
    if (permissive) {
      return;
    }
    if (!environments.contains(env)) {
      throw deny(ref, "environments", "run environment " + lower(env) + " is not allowed"
          + " (allowed: " + lowerAll(environments) + ")");
    }
    if (registryNameOrNull != null) {
      if (!allowedSecrets.contains(registryNameOrNull)) {
        // a caller may pass anything as a name, even a value by mistake: echo plain names only
        String shown = ConfigFields.NAME.matcher(registryNameOrNull).matches()
            && SecretLikeness.detect(registryNameOrNull).isEmpty()
            ? "'" + registryNameOrNull + "'" : "(not shown: not a plain name)";
        throw deny(ref, "allowed_secrets", "secret name " + shown + " is not allowed");
      }
    } else if (!matchesAny(ref.toString())) {
      throw deny(ref, "allowed_refs", allowedRefs.isEmpty()
          ? "refs resolved directly (not by registry name) are not allowed"
          : "ref matches no allowed_refs pattern");
    }
    if (!requiredPrefixes.isEmpty() && !hasRequiredPrefix(ref.toString())) {
      throw deny(ref, "required_prefix", "ref does not start with "
          + (requiredPrefixes.size() == 1 ? requiredPrefixes.get(0)
              : "any of " + requiredPrefixes));
    }
  }

  /**
   * Checks a registry entry: {@link #check(String, SecretRef, RunEnvironment)} with its name and
   * ref, plus, under {@code strict_ttl}, that the entry states {@code max_ttl_seconds}.
   *
   * @param entry the registry entry about to be resolved
   * @param env the run environment
   * @throws PolicyViolationException naming the rule that denied it
   * @throws NullPointerException if an argument is null
   */
  public void check(RegistryEntry entry, RunEnvironment env) {
    Objects.requireNonNull(entry, "entry");
    check(entry.name(), entry.ref(), env);
    if (strictTtl && entry.maxTtl().isEmpty()) {
      throw deny(entry.ref(), "strict_ttl", "registry entry " + entry.name() + "/"
          + entry.environmentKey() + " states no max_ttl_seconds");
    }
  }

  /**
   * Checks that a secret's metadata carries every {@link #requiredMetadata()} key with a
   * non-blank value.
   *
   * @param ref the secret's ref, for the message
   * @param metadata its metadata (non-secret; values are never read into messages)
   * @throws PolicyViolationException naming the missing keys
   * @throws NullPointerException if an argument is null
   */
  public void checkMetadata(SecretRef ref, Map<String, String> metadata) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(metadata, "metadata");
    List<String> missing = new ArrayList<>();
    for (String key : requiredMetadata) {
      String value = metadata.get(key);
      if (value == null || value.isBlank()) {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      throw deny(ref, "required_metadata", "secret lacks required metadata " + missing);
    }
  }

  private boolean matchesAny(String canonical) {
    for (RefPattern p : allowedRefs) {
      if (p.regex.matcher(canonical).matches()) {
        return true;
      }
    }
    return false;
  }

  private boolean hasRequiredPrefix(String canonical) {
    for (String p : requiredPrefixes) {
      if (canonical.startsWith(p) && (p.endsWith("/") || canonical.length() == p.length()
          || "/?#".indexOf(canonical.charAt(p.length())) >= 0)) {
        return true;
      }
    }
    return false;
  }

  private PolicyViolationException deny(SecretRef ref, String rule, String detail) {
    return new PolicyViolationException(ref,
        "policy " + source + " denies " + ref + ": rule '" + rule + "': " + detail);
  }

  private static String lower(RunEnvironment env) {
    return env.name().toLowerCase(Locale.ROOT);
  }

  private static String lowerAll(Set<RunEnvironment> envs) {
    List<String> out = new ArrayList<>();
    envs.forEach(e -> out.add(lower(e)));
    return String.join(", ", out);
  }

  /** Registry names that may be resolved; empty when the policy allows any name. */
  public Optional<Set<String>> allowedSecrets() {
    return Optional.ofNullable(allowedSecrets);
  }

  /** The required prefixes (any one suffices); empty when there is no such rule. */
  public List<String> requiredPrefixes() {
    return requiredPrefixes;
  }

  /** Metadata keys every secret must carry, sorted. */
  public Set<String> requiredMetadata() {
    return requiredMetadata;
  }

  /** The policy's cache TTL cap, when set. */
  public Optional<Duration> maxTtl() {
    return Optional.ofNullable(maxTtl);
  }

  /** Whether value-derived data (e.g. fingerprints) must stay out of logs and audit events. */
  public boolean noLogging() {
    return noLogging;
  }

  /** Whether resolved values must never be written to disk. */
  public boolean noPersistence() {
    return noPersistence;
  }

  /** Whether TTLs are hard (no stale serving) and registry entries must state a TTL. */
  public boolean strictTtl() {
    return strictTtl;
  }

  /** The run environments allowed. */
  public Set<RunEnvironment> environments() {
    return environments;
  }

  /** Source and rule summary; safe to log. */
  @Override
  public String toString() {
    if (permissive) {
      return "SecretPolicy[permissive]";
    }
    return "SecretPolicy[source=" + source + ", allowedSecrets=" + allowedSecrets
        + ", allowedRefs=" + allowedRefs.size() + " patterns, requiredPrefixes=" + requiredPrefixes
        + ", environments=" + lowerAll(environments) + ", requiredMetadata=" + requiredMetadata
        + (maxTtl == null ? "" : ", maxTtl=" + maxTtl.getSeconds() + "s")
        + ", noLogging=" + noLogging + ", noPersistence=" + noPersistence + ", strictTtl="
        + strictTtl + "]";
  }

  /** An {@code allowed_refs} glob compiled to a regular expression over canonical refs. */
  private static final class RefPattern {
    private final String text;
    private final Pattern regex;

    private RefPattern(String text, Pattern regex) {
      this.text = text;
      this.regex = regex;
    }

    static RefPattern compile(ConfigFields f, ConfigNode n) {
      String text = f.string(n);
      java.util.regex.Matcher scheme = SCHEME_PREFIX.matcher(text);
      if (!scheme.lookingAt() || scheme.end() == text.length()) {
        throw f.error(n, "pattern must be a ref with a literal lower-case scheme, e.g."
            + " mem://samples/*");
      }
      if (text.contains("***")) {
        throw f.error(n, "pattern may use '*' and '**', not '***'");
      }
      canonical(f, n, text.replace("**", "x").replace("*", "x"), "pattern");
      StringBuilder regex = new StringBuilder();
      int i = 0;
      while (i < text.length()) {
        int star = text.indexOf('*', i);
        if (star < 0) {
          regex.append(Pattern.quote(text.substring(i)));
          break;
        }
        if (star > i) {
          regex.append(Pattern.quote(text.substring(i, star)));
        }
        if (star + 1 < text.length() && text.charAt(star + 1) == '*') {
          regex.append(".*");
          i = star + 2;
        } else {
          regex.append("[^/?#&]*");
          i = star + 1;
        }
      }
      return new RefPattern(text, Pattern.compile(regex.toString()));
    }
  }
}
