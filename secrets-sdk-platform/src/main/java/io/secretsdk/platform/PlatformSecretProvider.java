package io.secretsdk.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.http.internal.ServerText;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.platform.internal.Op;
import io.secretsdk.platform.internal.PlatformErrors;
import io.secretsdk.platform.internal.PlatformResponse;
import io.secretsdk.platform.internal.PlatformTransport;
import io.secretsdk.platform.internal.SecretName;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, places, describes and revokes secrets in the platform's own Secrets API for
 * {@code secret://} refs.
 *
 * <p>Refs follow the platform's naming convention {@code <service>/<env>/<secret-name>}:
 * {@code secret://payments/prod/stripe/api-key} reads {@code payments/prod/stripe/api-key} with
 * {@code GET /secrets/{name}?environment=prod} (the name is one path segment, its slashes sent as
 * {@code %2F}); {@code ?version=N} pins a version ({@code &version=N} on the same call). A ref of
 * two segments, {@code secret://payments/api-key}, leaves the environment out: the run
 * environment's ({@link PlatformOptions#environmentFor(RunEnvironment)}) is used. The environment
 * must be one of {@link PlatformOptions#environments()}.
 *
 * <ul>
 *   <li>{@link #write(SecretRef, byte[], PlacementMetadata, String) write}: {@code POST /secrets}
 *       with {@code name}, {@code value}, {@code rotation_days} and {@code metadata} ({@code owner},
 *       {@code source}, {@code workflow}); a write lacking one is refused before anything is sent.
 *   <li>{@link #describe(SecretRef) describe}: {@code GET /secrets/{name}/versions}.
 *   <li>{@link #revoke(SecretRef, RevokeRequest) revoke}: {@code DELETE /secrets/{name}/versions/{id}}.
 *   <li>{@link #audit(SecretRef) audit}: {@code GET /audit?subject=secret}, for the CLI's
 *       {@code describe}.
 * </ul>
 *
 * <p>Every call carries a short-lived bearer token for its environment and scope, obtained as
 * {@link PlatformAuthentication} says and renewed before it expires by one caller while the others
 * go on with the current one; a 401 drops the token and the call is made once more with a fresh
 * one. Tokens are registered for redaction when obtained.
 *
 * <p>Errors map onto the core exceptions: 401/403 → {@link io.secretsdk.SecretAccessDeniedException},
 * 404 → {@link SecretNotFoundException}, 409 → {@link io.secretsdk.SecretVersionConflictException},
 * 400/422 → {@link InvalidSecretRefException}, 408/425/429/5xx, I/O failures, redirects and
 * malformed answers → {@link io.secretsdk.ProviderUnavailableException} (with {@code Retry-After}).
 * The server's error text is scrubbed before it enters a message; strings it supplies that the
 * provider shows (versions, metadata, audit fields) are kept only when short and plain, else
 * fingerprinted. The provider never retries on its own (the client does).
 *
 * <p>Thread-safe. Starts no threads of its own; {@link #close()} cancels calls in flight, stops
 * the HTTP client's threads and empties its connection pool.
 */
public final class PlatformSecretProvider implements SecretProvider {
  /** The scheme served: {@value}, the standard's own ref syntax. */
  public static final String SCHEME = "secret";

  private static final Logger LOG = LoggerFactory.getLogger(PlatformSecretProvider.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final int MAX_METADATA = 64;
  private static final int MAX_VERSIONS = 1000;
  private static final Set<String> RESERVED_METADATA =
      Set.of("version", "platform.name", "platform.environment", "rotation_days");

  private final PlatformOptions options;
  private final PlatformTransport transport;
  private final AccessTokens tokens;
  private final RunEnvironment runEnvironment;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PlatformSecretProvider(PlatformOptions options, RunEnvironment runEnvironment) {
    this.options = Objects.requireNonNull(options, "options");
    this.runEnvironment = runEnvironment;
    this.transport = new PlatformTransport(options);
    this.tokens = new AccessTokens(transport, options);
  }

  /**
   * Creates a provider. Nothing is sent until the first call. Refs without an environment outside
   * a fetch (writes, describe, revoke, audit) take the environment detected from this process
   * ({@link RunEnvironment#detect}) unless {@link PlatformOptions#environment()} is set.
   */
  public static PlatformSecretProvider create(PlatformOptions options) {
    return new PlatformSecretProvider(options, RunEnvironment.detect(System.getenv()));
  }

  static PlatformSecretProvider create(PlatformOptions options, RunEnvironment runEnvironment) {
    return new PlatformSecretProvider(options, runEnvironment);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /** The options this provider was built with. */
  public PlatformOptions options() {
    return options;
  }

  /**
   * Obtains the read token for the default environment now instead of on the first fetch, so that
   * bad credentials or an unreachable server fail at start-up.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if the Secrets API refuses the credentials
   * @throws io.secretsdk.ProviderUnavailableException if it cannot be reached
   * @throws IllegalStateException if the provider is closed
   */
  public void login() {
    checkOpen();
    tokens.token(options.environmentFor(runEnvironment), options.readScope());
  }

  /**
   * Fetches the latest (or pinned) version of the secret at {@code ref}.
   *
   * @throws InvalidSecretRefException if the ref breaks the naming convention or has other
   *     parameters than {@code version}
   * @throws SecretNotFoundException if there is no such secret or version
   * @throws io.secretsdk.SecretAccessDeniedException if the platform denies access
   * @throws io.secretsdk.ProviderUnavailableException on transient failures and malformed answers
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    checkOpen();
    SecretName n = name(ref, options.environmentFor(context.environment()));
    Map<String, String> query = new LinkedHashMap<>();
    query.put("environment", n.environment());
    n.version().ifPresent(v -> query.put("version", v));
    String target = "GET /secrets/{name}";
    PlatformResponse r = call("GET", n.path(), query, null, n, options.readScope(), target);
    if (r.status() == 404) {
      throw new SecretNotFoundException(ref, n.version().map(v -> "no version " + v + " of ").orElse("no secret ")
          + n.display() + " on the platform");
    }
    if (!r.successful()) {
      throw PlatformErrors.map(ref, Op.READ, n.toString(), r, tokens.sensitive());
    }
    JsonNode json = r.json();
    JsonNode value = json.path("value");
    if (!value.isTextual()) {
      throw PlatformErrors.malformed(ref, target, "value", "is missing or not a string");
    }
    checkEcho(json, "name", n.name(), ref, target);
    checkEcho(json, "environment", n.environment(), ref, target);
    String version = versionOf(json.path("version"), ref, target, "version");
    if (n.version().isPresent() && version != null && !version.equals(n.version().get())) {
      throw PlatformErrors.malformed(ref, target, "version", "is not the version the ref pins");
    }
    FetchResult.Builder b = FetchResult.builder(value.asText().getBytes(StandardCharsets.UTF_8));
    if (version != null) {
      b.version(version);
    }
    Instant created = time(json.path("created_at"), ref, target, "created_at");
    if (created != null) {
      b.createdAt(created);
    }
    Instant expires = time(json.path("expires_at"), ref, target, "expires_at");
    if (expires != null) {
      Duration left = Duration.between(options.clock().instant(), expires);
      b.ttl(left.isNegative() ? Duration.ZERO : left);
    }
    Map<String, String> meta = ownMetadata(json, n);
    if (version != null) {
      meta.put("version", version);
    }
    b.metadata(meta);
    return b.build();
  }

  /**
   * Places a new version with the metadata of {@link PlatformOptions#placement()}; see
   * {@link #write(SecretRef, byte[], PlacementMetadata, String)}.
   *
   * @throws PolicyViolationException if the options' placement lacks a required field
   */
  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    return write(ref, value, PlacementMetadata.none(), expectedVersion);
  }

  /**
   * Places (creates or rotates) the secret at {@code ref} with {@code POST /secrets}: body
   * {@code {"name", "value", "rotation_days", "metadata": {"owner", "source", "workflow"}}}, plus
   * {@code "expected_version"} when one is given (the server answers 409 when it is not current).
   *
   * @param value the new value, UTF-8 text; the provider does not keep the array
   * @param metadata this write's metadata; each field it lacks comes from
   *     {@link PlatformOptions#placement()}
   * @param expectedVersion the version the caller last saw, or {@code null} for no check
   * @return the new version id
   * @throws PolicyViolationException if {@code owner}, {@code source}, {@code workflow} or
   *     {@code rotation_days} is still missing (nothing was sent)
   * @throws InvalidSecretRefException if the ref breaks the naming convention or pins a version
   * @throws IllegalArgumentException if {@code value} is not UTF-8 text or {@code expectedVersion}
   *     is not a version id
   * @throws io.secretsdk.SecretVersionConflictException if the server answers 409
   * @throws io.secretsdk.SecretAccessDeniedException if the platform refuses the placement
   */
  public String write(SecretRef ref, byte[] value, PlacementMetadata metadata, String expectedVersion) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(metadata, "metadata");
    checkOpen();
    SecretName n = name(ref, options.environmentFor(runEnvironment));
    if (n.version().isPresent()) {
      throw new InvalidSecretRefException(ref, "a write cannot pin a version; pass the expected version instead");
    }
    PlacementMetadata m = metadata.orElse(options.placement());
    List<String> missing = m.missing();
    if (!missing.isEmpty()) {
      throw new PolicyViolationException(ref, "the platform requires " + String.join(", ", missing)
          + " on every placement; " + n.display() + " was not written (set them on PlacementMetadata, the options'"
          + " placement, or the factory's owner/source/workflow/rotation_days options)");
    }
    if (expectedVersion != null && !VERSION.matcher(expectedVersion).matches()) {
      throw new IllegalArgumentException("expectedVersion must be a platform version id");
    }
    String text = utf8(value);
    ObjectNode body = JSON.createObjectNode();
    body.put("name", n.name());
    body.put("value", text);
    body.put("rotation_days", m.rotationDays().orElseThrow());
    ObjectNode meta = body.putObject("metadata");
    meta.put("owner", m.owner().orElseThrow());
    meta.put("source", m.source().orElseThrow());
    meta.put("workflow", m.workflow().orElseThrow());
    if (expectedVersion != null) {
      body.put("expected_version", expectedVersion);
    }
    String target = "POST /secrets";
    PlatformResponse r = call("POST", List.of("secrets"), Map.of(), body, n, options.writeScope(), target, true);
    if (!r.successful()) {
      List<String> known = new ArrayList<>(tokens.sensitive());
      known.add(text);
      throw PlatformErrors.map(ref, Op.WRITE, n.display(), r, known);
    }
    String version = versionOf(r.json().path("version"), ref, target, "version");
    if (version == null) {
      throw PlatformErrors.malformed(ref, target, "version", "is missing, though the placement was accepted (look at"
          + " the secret's versions before writing again)");
    }
    LOG.debug("platform placement of {} made version {}", n.display(), version);
    return version;
  }

  /**
   * Describes the secret at {@code ref} from {@code GET /secrets/{name}/versions}: versions newest
   * first, the current one, and the secret's metadata; never a value.
   *
   * @throws SecretNotFoundException if there is no such secret
   * @throws io.secretsdk.SecretAccessDeniedException if the platform denies access
   * @throws io.secretsdk.ProviderUnavailableException on transient failures and malformed answers
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    checkOpen();
    SecretName n = name(ref, options.environmentFor(runEnvironment));
    String target = "GET /secrets/{name}/versions";
    PlatformResponse r = call("GET", n.path("versions"), Map.of(), null, n, options.readScope(), target);
    if (r.status() == 404) {
      throw new SecretNotFoundException(ref, "no secret " + n.display() + " on the platform");
    }
    if (!r.successful()) {
      throw PlatformErrors.map(ref, Op.VERSIONS, n.display(), r, tokens.sensitive());
    }
    JsonNode json = r.json();
    JsonNode list = json.isArray() ? json : json.path("versions");
    if (!list.isArray()) {
      throw PlatformErrors.malformed(ref, target, "versions", "is missing or not an array");
    }
    List<SecretVersionInfo> versions = new ArrayList<>();
    int i = 0;
    for (JsonNode v : list) {
      if (i == MAX_VERSIONS) {
        break;
      }
      String field = "versions[" + i + "]";
      JsonNode idNode = v.has("id") ? v.path("id") : v.path("version");
      String id = versionOf(idNode, ref, target, field + ".id");
      if (id == null) {
        throw PlatformErrors.malformed(ref, target, field + ".id", "is missing");
      }
      Instant expires = time(v.path("expires_at"), ref, target, field + ".expires_at");
      Instant revoked = time(v.path("revoked_at"), ref, target, field + ".revoked_at");
      versions.add(new SecretVersionInfo(id, stages(v), state(v, revoked, ref, target, field),
          time(v.path("created_at"), ref, target, field + ".created_at"), revoked != null ? revoked : expires));
      i++;
    }
    String current = json.isObject() ? versionOf(json.path("current_version"), ref, target, "current_version") : null;
    if (current == null) {
      current = versions.stream().filter(v -> v.state() == SecretVersionInfo.State.ENABLED)
          .map(SecretVersionInfo::version).findFirst().orElse(null);
    }
    return new SecretDescription(ref, current, versions, ownMetadata(json, n));
  }

  /**
   * Revokes one version with {@code DELETE /secrets/{name}/versions/{id}}: the request's version,
   * else the ref's pin, else the current one (looked up with {@link #describe}). Only
   * {@link RevokeRequest.Mode#DISABLE} exists on the platform (its history is immutable).
   *
   * @throws UnsupportedOperationException for {@code DESTROY} or {@code SCHEDULE_DELETION}
   * @throws SecretNotFoundException if there is no such secret or version, or no current version
   * @throws io.secretsdk.SecretAccessDeniedException if the platform refuses
   * @throws IllegalArgumentException if the request's version is not a version id
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    SecretName n = name(ref, options.environmentFor(runEnvironment));
    if (request.mode() != RevokeRequest.Mode.DISABLE) {
      throw new UnsupportedOperationException("the platform Secrets API revokes versions (DISABLE) only; it cannot "
          + request.mode() + " " + n.display());
    }
    List<String> steps = new ArrayList<>();
    String version = request.targetVersion().or(n::version).orElse(null);
    if (version == null) {
      version = describe(ref).current().orElseThrow(() ->
          new SecretNotFoundException(ref, n.display() + " has no current version to revoke"));
      steps.add("looked up the current version of " + n.display() + ": " + version);
    }
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("the version to revoke must be a platform version id");
    }
    String target = "DELETE /secrets/{name}/versions/{id}";
    PlatformResponse r = call("DELETE", n.path("versions", version), Map.of(), null, n, options.writeScope(), target,
        true);
    if (r.status() == 404) {
      throw new SecretNotFoundException(ref, "no version " + version + " of " + n.display() + " on the platform");
    }
    if (!r.successful()) {
      throw PlatformErrors.map(ref, Op.REVOKE, n.display() + " version " + version, r, tokens.sensitive());
    }
    steps.add("revoked version " + version + " of " + n.display());
    LOG.debug("platform revoked version {} of {}", version, n.display());
    return new RevokeResult(version, steps);
  }

  /**
   * The platform's audit events about the secret at {@code ref}, from
   * {@code GET /audit?subject=secret&name=<name>}; events the answer carries for other secrets are
   * dropped, and at most {@link PlatformOptions#maxAuditEvents()} are returned, in the server's
   * order.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if the platform denies the audit scope
   * @throws io.secretsdk.ProviderUnavailableException on transient failures and malformed answers
   * @throws IllegalStateException if the provider is closed
   */
  public List<PlatformAuditEvent> audit(SecretRef ref) {
    checkOpen();
    SecretName n = name(ref, options.environmentFor(runEnvironment));
    Map<String, String> query = new LinkedHashMap<>();
    query.put("subject", "secret");
    query.put("name", n.name());
    String target = "GET /audit";
    PlatformResponse r = call("GET", List.of("audit"), query, null, n, options.auditScope(), target);
    if (!r.successful()) {
      throw PlatformErrors.map(ref, Op.AUDIT, n.display(), r, tokens.sensitive());
    }
    JsonNode json = r.json();
    JsonNode list = json.isArray() ? json : json.path("events");
    if (!list.isArray()) {
      throw PlatformErrors.malformed(ref, target, "events", "is missing or not an array");
    }
    List<PlatformAuditEvent> out = new ArrayList<>();
    int i = 0;
    for (JsonNode e : list) {
      String field = "events[" + i++ + "]";
      if (!e.isObject()) {
        throw PlatformErrors.malformed(ref, target, field, "is not an object");
      }
      String secret = text(e, "secret", "name");
      if (secret != null && !secret.equals(n.name())) {
        continue; // a server that ignored the filter: another secret's event is not this one's
      }
      out.add(new PlatformAuditEvent(shown(text(e, "id")), time(e.path("time"), ref, target, field + ".time"),
          shown(text(e, "action")), described(text(e, "actor", "principal")), shown(secret),
          shown(versionText(e.path("version"))), shown(text(e, "environment")), shown(text(e, "outcome"))));
      if (out.size() == options.maxAuditEvents()) {
        break;
      }
    }
    return List.copyOf(out);
  }

  /** Forgets the tokens, cancels calls in flight and shuts the HTTP client down. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      tokens.close();
      PlatformAuthentication auth = options.authentication();
      if (auth.ownsSource() && auth.tokenSource().orElse(null) instanceof AutoCloseable) {
        try {
          ((AutoCloseable) auth.tokenSource().get()).close();
        } catch (Exception e) {
          LOG.debug("closing the identity token source failed: {}", e.getClass().getSimpleName());
        }
      }
    } finally {
      transport.close();
    }
  }

  @Override
  public String toString() {
    return "PlatformSecretProvider[baseUrl=" + options.baseUrl() + ", " + options.authentication() + "]";
  }

  // --- for tests in this package ---

  PlatformTransport transport() {
    return transport;
  }

  // --- helpers ---

  private PlatformResponse call(String method, List<String> path, Map<String, String> query, JsonNode body,
      SecretName n, String scope, String target) {
    return call(method, path, query, body, n, scope, target, false);
  }

  /**
   * One authenticated call; after a 401 the token is dropped and the call made once more with a
   * fresh one. For a call that {@code changes} something, a transport failure (the request may
   * have been applied) says that the outcome is unknown; a failure obtaining the token does not
   * (nothing was sent).
   */
  private PlatformResponse call(String method, List<String> path, Map<String, String> query, JsonNode body,
      SecretName n, String scope, String target, boolean changes) {
    String token = tokens.token(n.environment(), scope);
    PlatformResponse r = send(method, path, query, body, token, n, target, changes);
    if (r.status() == 401) {
      tokens.rejected(n.environment(), scope, token);
      String fresh = tokens.token(n.environment(), scope);
      if (!fresh.equals(token)) {
        r = send(method, path, query, body, fresh, n, target, changes);
      }
    }
    return r;
  }

  private PlatformResponse send(String method, List<String> path, Map<String, String> query, JsonNode body,
      String token, SecretName n, String target, boolean changes) {
    try {
      return transport.send(method, path, query, body, token, n.ref(), target);
    } catch (ProviderUnavailableException e) {
      if (!changes) {
        throw e;
      }
      throw new ProviderUnavailableException(n.ref(), e.getMessage() + " (" + n.display() + "); " + PlatformErrors.UNKNOWN,
          e, e.retryAfter().orElse(null));
    }
  }

  private SecretName name(SecretRef ref, String environment) {
    Objects.requireNonNull(ref, "ref");
    return SecretName.of(ref, SCHEME, options.environments(), environment);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the platform provider is closed");
    }
  }

  /** A field the server echoes must be what was asked, or the answer is about something else. */
  private static void checkEcho(JsonNode json, String field, String expected, SecretRef ref, String target) {
    JsonNode v = json.path(field);
    if (!v.isMissingNode() && !v.isNull() && !(v.isTextual() && v.asText().equals(expected))) {
      throw PlatformErrors.malformed(ref, target, field, "is not the one asked for");
    }
  }

  /** A version id (string or integer), checked; null when absent. */
  private static String versionOf(JsonNode v, SecretRef ref, String target, String field) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    String text = versionText(v);
    if (text == null || !VERSION.matcher(text).matches()) {
      throw PlatformErrors.malformed(ref, target, field, "is not a version id (letters, digits, '.', '_', '-'; at most 64)");
    }
    return text;
  }

  private static String versionText(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    return v.isIntegralNumber() ? v.asText() : null;
  }

  private static Instant time(JsonNode v, SecretRef ref, String target, String field) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(v.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw PlatformErrors.malformed(ref, target, field, "is not an RFC 3339 time");
    }
  }

  private static Set<String> stages(JsonNode v) {
    JsonNode s = v.path("stages");
    if (!s.isArray()) {
      return v.path("current").asBoolean(false) ? Set.of("current") : Set.of();
    }
    Set<String> out = new java.util.LinkedHashSet<>();
    for (JsonNode x : s) {
      if (x.isTextual() && out.size() < 16) {
        out.add(shown(x.asText()));
      }
    }
    return out;
  }

  private static SecretVersionInfo.State state(JsonNode v, Instant revoked, SecretRef ref, String target, String field) {
    JsonNode s = v.path("state");
    if (s.isMissingNode() || s.isNull()) {
      return revoked != null ? SecretVersionInfo.State.DISABLED : SecretVersionInfo.State.ENABLED;
    }
    switch (s.asText().toLowerCase(Locale.ROOT)) {
      case "active":
      case "enabled":
      case "current":
        return SecretVersionInfo.State.ENABLED;
      case "revoked":
      case "disabled":
      case "expired":
        return SecretVersionInfo.State.DISABLED;
      case "destroyed":
      case "deleted":
        return SecretVersionInfo.State.DESTROYED;
      default:
        throw PlatformErrors.malformed(ref, target, field + ".state",
            "is not one of active, revoked, expired, destroyed");
    }
  }

  /**
   * The metadata a fetch or describe reports: {@code platform.name}, {@code platform.environment},
   * {@code rotation_days}, then the secret's {@code metadata} object under its own keys
   * ({@code owner}, {@code source}, {@code workflow}: what a policy's {@code required_metadata}
   * names), each key and value checked, at most {@value #MAX_METADATA}; a server key never
   * stands for one of the provider's ({@code version} included).
   */
  private static Map<String, String> ownMetadata(JsonNode json, SecretName n) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("platform.name", n.name());
    out.put("platform.environment", n.environment());
    JsonNode rotation = json.path("rotation_days");
    if (rotation.isIntegralNumber() && rotation.canConvertToInt()) {
      out.put("rotation_days", String.valueOf(rotation.asInt()));
    }
    JsonNode meta = json.path("metadata");
    if (!meta.isObject()) {
      return out;
    }
    int count = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = meta.properties().iterator(); it.hasNext() && count < MAX_METADATA; count++) {
      Map.Entry<String, JsonNode> e = it.next();
      if (RESERVED_METADATA.contains(e.getKey())) {
        continue;
      }
      JsonNode val = e.getValue();
      out.putIfAbsent(shown(e.getKey()), described(val.isTextual() ? val.asText() : val.toString()));
    }
    return out;
  }

  private static String text(JsonNode node, String... fields) {
    for (String f : fields) {
      JsonNode v = node.path(f);
      if (v.isTextual()) {
        return v.asText();
      }
    }
    return null;
  }

  private static String shown(String s) {
    return s == null ? null : ProviderText.shown(s);
  }

  /**
   * A descriptive string from the server (metadata value, audit actor) as shown: as
   * {@link #shown(String)}, and also fingerprinted when the server-text scrubber would mask any of
   * it (a token format, a token-like run of letters and digits): such text is no description.
   */
  private static String described(String s) {
    if (s == null) {
      return null;
    }
    String plain = ProviderText.shown(s);
    if (!plain.equals(s) || !ServerText.scrub(s, Integer.MAX_VALUE, List.of(), null).equals(s)) {
      return ProviderText.fingerprint(s);
    }
    return s;
  }

  private static String utf8(byte[] value) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("a platform secret value must be UTF-8 text");
    }
  }
}
