package io.secretsdk.platform.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code secret://} ref read against the platform's naming convention
 * {@code <service>/<env>/<secret-name>}: {@code secret://payments/prod/stripe/api-key} is service
 * {@code payments}, environment {@code prod}, secret {@code stripe/api-key}, and the platform name
 * {@code payments/prod/stripe/api-key}. A ref of two segments, {@code secret://payments/api-key},
 * leaves the environment out: the run environment fills it in. The only query parameter is
 * {@code version}; a {@code #field} is refused (a platform secret holds one value).
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretName {
  /** Service and environment: lower-case letters, digits, {@code -}, {@code _}, {@code .}. */
  private static final Pattern LOWER_SEGMENT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  /** Secret-name segments may also use upper case ({@code OPENAI_API_KEY}). */
  private static final Pattern NAME_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  /** Platform version ids as the provider accepts them in a pin. */
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final int MAX_NAME_LENGTH = 512;

  private final SecretRef ref;
  private final String service;
  private final String environment;
  private final String secret;
  private final String version;

  private SecretName(SecretRef ref, String service, String environment, String secret, String version) {
    this.ref = ref;
    this.service = service;
    this.environment = environment;
    this.secret = secret;
    this.version = version;
  }

  /**
   * Reads {@code ref}.
   *
   * @param scheme the scheme the provider serves
   * @param environments the environment names the platform knows
   * @param runEnvironment the environment of a ref that leaves it out
   * @throws InvalidSecretRefException naming what breaks the convention
   */
  public static SecretName of(SecretRef ref, String scheme, Set<String> environments, String runEnvironment) {
    if (!scheme.equals(ref.scheme())) {
      throw new InvalidSecretRefException(ref, "the platform provider serves " + scheme + ":// refs only");
    }
    for (String p : ref.query().keySet()) {
      if (!p.equals("version")) {
        throw new InvalidSecretRefException(ref, "platform refs take only the 'version' parameter");
      }
    }
    if (ref.field().isPresent()) {
      throw new InvalidSecretRefException(ref, "a platform secret holds one value; a ref has no #field");
    }
    List<String> segs = ref.segments();
    if (segs.size() < 2) {
      throw new InvalidSecretRefException(ref, "a platform ref reads " + scheme
          + "://<service>/<env>/<secret-name> (naming convention <service>/<env>/<secret-name>)");
    }
    String service = segs.get(0);
    if (!LOWER_SEGMENT.matcher(service).matches()) {
      throw new InvalidSecretRefException(ref, "the service segment must be lower-case letters, digits,"
          + " '-', '_' or '.' (naming convention <service>/<env>/<secret-name>)");
    }
    String env;
    List<String> rest;
    if (segs.size() == 2) {
      if (environments.contains(segs.get(1))) {
        throw new InvalidSecretRefException(ref, "the ref names service and environment but no secret: "
            + scheme + "://<service>/<env>/<secret-name>");
      }
      env = runEnvironment;
      rest = segs.subList(1, 2);
    } else {
      env = segs.get(1);
      if (!environments.contains(env)) {
        throw new InvalidSecretRefException(ref, "'" + (LOWER_SEGMENT.matcher(env).matches() ? env : "?")
            + "' in the environment place is not an environment the platform knows " + environments
            + " (naming convention <service>/<env>/<secret-name>)");
      }
      rest = segs.subList(2, segs.size());
    }
    if (!environments.contains(env)) {
      throw new InvalidSecretRefException(ref, "the run environment '" + env + "' is not one the platform knows "
          + environments + "; write the environment into the ref");
    }
    for (String s : rest) {
      if (!NAME_SEGMENT.matcher(s).matches()) {
        throw new InvalidSecretRefException(ref, "secret-name segments must be letters, digits, '-', '_' or '.'");
      }
    }
    String secret = String.join("/", rest);
    if (service.length() + env.length() + secret.length() + 2 > MAX_NAME_LENGTH) {
      throw new InvalidSecretRefException(ref, "the platform name is longer than " + MAX_NAME_LENGTH + " characters");
    }
    String version = ref.queryParam("version").orElse(null);
    if (version != null && !VERSION.matcher(version).matches()) {
      throw new InvalidSecretRefException(ref, "the 'version' parameter must be a platform version id"
          + " (letters, digits, '-', '_', '.'; at most 64)");
    }
    return new SecretName(ref, service, env, secret, version);
  }

  /** The ref as written. */
  public SecretRef ref() {
    return ref;
  }

  /** The service, first segment of the convention. */
  public String service() {
    return service;
  }

  /** The environment: the ref's, or the run environment's when the ref leaves it out. */
  public String environment() {
    return environment;
  }

  /** The secret name within service and environment ({@code stripe/api-key}). */
  public String secret() {
    return secret;
  }

  /** The platform name, {@code <service>/<env>/<secret-name>}. */
  public String name() {
    return service + "/" + environment + "/" + secret;
  }

  /** The pinned version, when the ref pins one. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** The ref without its version pin, for messages about the secret as a whole. */
  public String display() {
    return ref.scheme() + "://" + name();
  }

  /** Path segments of {@code /secrets/{name}}: the name is one segment, its slashes encoded. */
  public List<String> path(String... more) {
    List<String> p = new ArrayList<>();
    p.add("secrets");
    p.add(name());
    p.addAll(List.of(more));
    return p;
  }

  @Override
  public String toString() {
    return display() + (version == null ? "" : "?version=" + version);
  }
}
