package io.secretsdk.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.vault.internal.Kv2Lifecycle;
import io.secretsdk.vault.internal.LeaseRegistry;
import io.secretsdk.vault.internal.MountResolver;
import io.secretsdk.vault.internal.Op;
import io.secretsdk.vault.internal.ServerDurations;
import io.secretsdk.vault.internal.SessionManager;
import io.secretsdk.vault.internal.VaultClient;
import io.secretsdk.vault.internal.VaultResponse;
import io.secretsdk.vault.internal.VaultTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads (and writes) secrets in HashiCorp Vault or OpenBao for {@code vault://} refs.
 *
 * <p>Ref syntax: {@code vault://<mount>/<path>[?version=N][#field]}, e.g.
 * {@code vault://secret/openai/ci#api_key}. The mount and its kind come from configuration or are
 * detected ({@code sys/internal/ui/mounts}):
 * <ul>
 *   <li><b>KV v2</b>: {@code GET <mount>/data/<path>[?version=N]}. Metadata {@code version},
 *       {@code created_time} and {@code custom_metadata.<key>} are returned as
 *       {@link FetchResult#metadata()}; a destroyed version, or one whose {@code deletion_time} has
 *       passed, is not found whatever data the answer carries (a {@code deletion_time} still ahead
 *       caps the TTL). Writes use check-and-set. {@link #describe} reads
 *       {@code GET <mount>/metadata/<path>}; {@link #revoke} deletes a version
 *       ({@code POST <mount>/delete/<path>}, restorable) or destroys it
 *       ({@code PUT <mount>/destroy/<path>}).
 *   <li><b>KV v1</b>: {@code GET <mount>/<path>}.
 *   <li><b>Other engines</b> ({@code database/creds/<role>}): a plain read; a lease is held, renewed
 *       ({@code sys/leases/renew}) when the value is fetched again in the second half of its lease,
 *       replaced when renewal is refused or the max TTL is near, and revoked on {@link #close()}.
 * </ul>
 * Without {@code #field} the value is the secret's whole {@code data} object as JSON; with it, the
 * field's text (other JSON types as JSON text).
 *
 * <p>Refs address secrets engines only: a ref under one of Vault's own top-level paths
 * ({@code auth/}, {@code sys/}, {@code identity/}, {@code cubbyhole/}, {@code token/},
 * {@code audit/}), or on a mount detected as one of them, is an {@link InvalidSecretRefException}
 * before anything is read, unless {@link VaultOptions.Builder#allowMount(String)} names its path.
 * Durations from Vault (lease, token and wrapping TTLs) are clamped to 0..365 days; negative or
 * unreadable ones count as none.
 *
 * <p>Errors map onto the core exceptions: 403 → {@link io.secretsdk.SecretAccessDeniedException}
 * (after one fresh login), 404 → {@link SecretNotFoundException}, 400 → {@link
 * InvalidSecretRefException} or {@link SecretVersionConflictException} for check-and-set, 412/429/5xx
 * and I/O failures → {@link ProviderUnavailableException} with {@code Retry-After}. Vault's error
 * text is scrubbed (registered values and credentials, token formats) before it is cut and enters
 * a message. Strings Vault supplies that the provider shows — versions, lease ids, times, metadata
 * keys and values, a {@code deletion_time} — are data: each is shown as it is only when short and
 * plain and matching no registered value or token format, else as a keyed fingerprint
 * {@code fp:<12 hex>}. The provider never retries on its own.
 *
 * <p>Thread-safe. Starts no threads of its own; {@link #close()} revokes held leases and a token it
 * logged in for, and shuts down its HTTP client.
 */
public final class VaultSecretProvider implements SecretProvider {
  /** The scheme served: {@value}. */
  public static final String SCHEME = "vault";

  private static final Logger LOG = LoggerFactory.getLogger(VaultSecretProvider.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> QUERY_PARAMS = Set.of("version");

  private final VaultOptions options;
  private final VaultTransport transport;
  private final SessionManager sessions;
  private final VaultClient client;
  private final MountResolver mounts;
  private final Kv2Lifecycle kv2;
  private final LeaseRegistry leases = new LeaseRegistry();
  private final AtomicBoolean closed = new AtomicBoolean();

  private VaultSecretProvider(VaultOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.transport = new VaultTransport(options);
    this.sessions = new SessionManager(transport, options);
    this.client = new VaultClient(transport, sessions);
    this.mounts = new MountResolver(options);
    this.kv2 = new Kv2Lifecycle(client, options.clock());
  }

  /**
   * Creates a provider. Nothing is sent to Vault until the first fetch.
   *
   * @throws io.secretsdk.SecretConfigException if the TLS files are missing or unusable
   */
  public static VaultSecretProvider create(VaultOptions options) {
    return new VaultSecretProvider(options);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /** The options this provider was built with. */
  public VaultOptions options() {
    return options;
  }

  /**
   * Logs in now (or looks the configured token up with {@code auth/token/lookup-self}) instead of on
   * the first fetch, so that bad credentials or an unreachable server fail at start-up.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if Vault refuses the credentials or token
   * @throws ProviderUnavailableException if Vault cannot be reached
   * @throws io.secretsdk.SecretConfigException if the credentials are not configured
   * @throws IllegalStateException if the provider is closed
   */
  public void login() {
    checkOpen();
    sessions.token();
  }

  /**
   * Fetches the value at {@code ref}.
   *
   * @throws InvalidSecretRefException if the ref has unknown parameters, a bad version, names only a
   *     mount, pins a version on a mount without versions, or addresses one of Vault's own paths
   * @throws SecretNotFoundException if there is no secret, version or field at the ref, or the
   *     version was deleted or destroyed
   * @throws io.secretsdk.SecretAccessDeniedException if Vault denies access or the login fails
   * @throws ProviderUnavailableException on transient failures
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    checkOpen();
    checkRef(ref);
    MountResolver.Mount mount = mounts.resolve(ref, client);
    switch (mount.kind) {
      case KV_V2:
        return readKv2(ref, mount);
      case KV_V1:
        noVersion(ref, "KV v1 secrets have no versions");
        return readKv1(ref, mount);
      default:
        noVersion(ref, "only KV v2 secrets have versions");
        return readLeased(ref, mount);
    }
  }

  private FetchResult readKv2(SecretRef ref, MountResolver.Mount mount) {
    Map<String, String> query = ref.queryParam("version").map(v -> Map.of("version", String.valueOf(version(ref, v))))
        .orElse(Map.of());
    List<String> segs = kv2Path(ref, mount, "data");
    VaultResponse r = client.call("GET", segs, query, null, ref);
    JsonNode data = r.data().path("data");
    JsonNode meta = r.data().path("metadata");
    Instant now = options.clock().instant();
    Instant deletion = deletionTime(meta);
    boolean gone = meta.path("destroyed").asBoolean(false) || (deletion != null && !deletion.isAfter(now));
    if (r.status() == 404 || (r.successful() && ((!data.isObject() && meta.isObject()) || gone))) {
      // a destroyed or deleted version is not found, whatever data the answer carries
      throw notFoundKv2(ref, meta);
    }
    if (!r.successful()) {
      throw client.error(ref, Op.READ, ref.withoutField().toString(), r);
    }
    if (!data.isObject()) {
      throw malformed(ref, "data.data is not an object");
    }
    FetchResult.Builder b = FetchResult.builder(select(ref, data));
    if (deletion != null) {
      // deletion scheduled (delete_version_after): the value is good until then, not after
      b.ttl(ServerDurations.clamp(Duration.between(now, deletion)));
    }
    b.metadata("vault.mount", mount.path).metadata("vault.kv_version", "2");
    if (meta.isObject()) {
      JsonNode v = meta.path("version");
      if (v.canConvertToLong()) {
        String version = shown(String.valueOf(v.asLong()));
        b.version(version).metadata("version", version);
      }
      String created = meta.path("created_time").asText("");
      if (!created.isEmpty()) {
        b.metadata("created_time", shown(created));
        Instant at = instant(created);
        if (at != null) {
          b.createdAt(at);
        }
      }
      Kv2Lifecycle.customMetadata(meta, b::metadata);
    }
    return b.build();
  }

  private static SecretNotFoundException notFoundKv2(SecretRef ref, JsonNode meta) {
    String which = ref.queryParam("version").map(v -> "version " + v + " of ").orElse("the latest version of ");
    if (meta.path("destroyed").asBoolean(false)) {
      return new SecretNotFoundException(ref, which + ref.withoutField() + " was destroyed");
    }
    JsonNode deleted = meta.path("deletion_time");
    if (isSet(deleted)) {
      return new SecretNotFoundException(ref, which + ref.withoutField() + " was deleted"
          + (deleted.isTextual() ? " at " + shown(deleted.asText()) : ""));
    }
    return new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
  }

  /**
   * When a KV v2 version is (to be) deleted: its {@code deletion_time}, or {@link Instant#MIN} when
   * that is set but unreadable (taken as deleted); null when not set.
   */
  private static Instant deletionTime(JsonNode meta) {
    JsonNode deleted = meta.path("deletion_time");
    if (!isSet(deleted)) {
      return null;
    }
    Instant at = deleted.isTextual() ? instant(deleted.asText()) : null;
    return at != null ? at : Instant.MIN;
  }

  /** Whether a metadata member is there with a value: not missing, null or an empty string. */
  private static boolean isSet(JsonNode node) {
    return !node.isMissingNode() && !node.isNull() && !(node.isTextual() && node.asText().isBlank());
  }

  private FetchResult readKv1(SecretRef ref, MountResolver.Mount mount) {
    List<String> segs = new ArrayList<>(mount.segments());
    segs.addAll(MountResolver.rest(ref, mount));
    VaultResponse r = client.call("GET", segs, Map.of(), null, ref);
    if (r.status() == 404) {
      throw new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
    }
    if (!r.successful()) {
      throw client.error(ref, Op.READ, ref.withoutField().toString(), r);
    }
    JsonNode data = r.data();
    if (!data.isObject()) {
      throw malformed(ref, "data is not an object");
    }
    FetchResult.Builder b = FetchResult.builder(select(ref, data))
        .metadata("vault.mount", mount.path).metadata("vault.kv_version", "1");
    Duration lease = ServerDurations.seconds(r.json().get("lease_duration"));
    if (!lease.isZero()) {
      b.ttl(lease);
    }
    return b.build();
  }

  private FetchResult readLeased(SecretRef ref, MountResolver.Mount mount) {
    MountResolver.rest(ref, mount);
    String key = ref.path();
    synchronized (leases.lockFor(key)) {
      long now = options.ticker().read();
      LeaseRegistry.Lease held = leases.current(key);
      if (held != null && !held.expired(now)) {
        long remaining = held.expiresAt - now;
        long min = options.minLeaseTtl().toNanos();
        if (remaining >= held.duration.toNanos() / 2 && remaining >= min) {
          return leasedResult(ref, mount, held, now);
        }
        if (held.renewable) {
          LeaseRegistry.Lease renewed = renew(ref, held, now, remaining >= min);
          if (renewed != null) {
            leases.renewed(key, renewed);
            return leasedResult(ref, mount, renewed, now);
          }
        } else if (remaining >= min) {
          return leasedResult(ref, mount, held, now);
        }
      }
      VaultResponse r = client.call("GET", ref.segments(), Map.of(), null, ref);
      if (r.status() == 404) {
        throw new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
      }
      if (!r.successful()) {
        throw client.error(ref, Op.READ, ref.withoutField().toString(), r);
      }
      JsonNode data = r.data();
      if (!data.isObject()) {
        throw malformed(ref, "data is not an object");
      }
      String leaseId = r.json().path("lease_id").asText("");
      Duration duration = ServerDurations.seconds(r.json().get("lease_duration"));
      if (leaseId.isEmpty()) {
        FetchResult.Builder b = FetchResult.builder(select(ref, data)).metadata("vault.mount", mount.path);
        if (!duration.isZero()) {
          b.ttl(duration);
        }
        return b.build();
      }
      byte[] json = bytes(data);
      LeaseRegistry.Lease lease = new LeaseRegistry.Lease(leaseId, r.json().path("renewable").asBoolean(false),
          duration, now + duration.toNanos(), json);
      leases.hold(key, lease, now);
      LOG.debug("Vault lease obtained for {} (duration={})", ref.withoutField(), duration);
      return leasedResult(ref, mount, lease, now);
    }
  }

  /** Renews {@code held}; null when a new lease is needed instead. */
  private LeaseRegistry.Lease renew(SecretRef ref, LeaseRegistry.Lease held, long now, boolean stillUsable) {
    ObjectNode body = JSON.createObjectNode();
    body.put("lease_id", held.id);
    body.put("increment", Math.max(1, held.duration.toSeconds()) + "s");
    VaultResponse r;
    try {
      r = client.call("POST", List.of("sys", "leases", "renew"), Map.of(), body, ref);
    } catch (ProviderUnavailableException e) {
      if (stillUsable) {
        LOG.debug("Vault lease renewal for {} failed transiently; serving the held lease", ref.withoutField());
        return held;
      }
      throw e;
    }
    if (r.successful()) {
      Duration granted = ServerDurations.seconds(r.json().get("lease_duration"));
      if (granted.compareTo(options.minLeaseTtl()) >= 0 && !granted.isZero()) {
        boolean capped = granted.compareTo(held.duration) < 0;
        LOG.debug("Vault lease for {} renewed ({} s)", ref.withoutField(), granted.toSeconds());
        return held.renewed(granted, options.ticker().read(), r.json().path("renewable").asBoolean(true) && !capped);
      }
      LOG.debug("Vault lease for {} is near its max TTL; obtaining a new one", ref.withoutField());
      return null;
    }
    if ((r.status() == 429 || r.status() >= 500) && stillUsable) {
      return held;
    }
    if (r.status() == 429 || r.status() >= 500) {
      throw client.error(ref, Op.LEASE, "sys/leases/renew", r);
    }
    LOG.debug("Vault refused to renew the lease for {} (HTTP {}); obtaining a new one", ref.withoutField(), r.status());
    return null;
  }

  private FetchResult leasedResult(SecretRef ref, MountResolver.Mount mount, LeaseRegistry.Lease lease, long now) {
    byte[] json = lease.data();
    try {
      JsonNode data = JSON.readTree(json);
      long remaining = Math.max(0, lease.expiresAt - now);
      return FetchResult.builder(select(ref, data))
          .version(shown(lease.id))
          .ttl(Duration.ofNanos(remaining))
          .metadata("vault.mount", mount.path)
          .metadata("lease_id", shown(lease.id))
          .metadata("lease_duration", String.valueOf(lease.duration.toSeconds()))
          .metadata("lease_renewable", String.valueOf(lease.renewable))
          .build();
    } catch (IOException e) {
      throw malformed(ref, "held lease data is unreadable");
    } finally {
      java.util.Arrays.fill(json, (byte) 0);
    }
  }

  /**
   * Writes a new version of a KV v2 secret with check-and-set.
   *
   * <p>With {@code #field}, the current version is read, the field set to {@code value} (UTF-8
   * text) and the result written with {@code cas} = the version read, so nothing another writer did
   * meanwhile is lost. Without a field, {@code value} must be a JSON object of the whole secret.
   *
   * @param expectedVersion the version the caller last saw; {@code "0"} to create only; {@code null}
   *     for no check (a field write still checks against the version it read)
   * @return the new version number
   * @throws SecretVersionConflictException if the current version is not {@code expectedVersion}
   * @throws UnsupportedOperationException if the ref is not on a KV v2 mount
   * @throws IllegalArgumentException if {@code expectedVersion} is not a non-negative integer, or
   *     {@code value} is not UTF-8 text (field) or a JSON object (no field)
   * @throws InvalidSecretRefException if the ref pins a version or addresses one of Vault's own paths
   */
  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    Objects.requireNonNull(value, "value");
    checkOpen();
    checkRef(ref);
    noVersion(ref, "a write cannot pin a version; pass the expected version instead");
    Long expected = null;
    if (expectedVersion != null) {
      try {
        expected = Long.parseLong(expectedVersion);
      } catch (NumberFormatException e) {
        expected = -1L;
      }
      if (expected < 0) {
        throw new IllegalArgumentException("expectedVersion must be a non-negative integer");
      }
    }
    MountResolver.Mount mount = mounts.resolve(ref, client);
    if (mount.kind != MountKind.KV_V2) {
      throw new UnsupportedOperationException("Vault writes are supported on KV v2 mounts only; "
          + ref.withoutField() + " is on a " + mount.kind + " mount");
    }
    List<String> segs = kv2Path(ref, mount, "data");
    List<String> known = new ArrayList<>();
    ObjectNode data;
    Long cas = expected;
    if (ref.field().isPresent()) {
      String text = utf8(value);
      known.add(text);
      VaultResponse cur = client.call("GET", segs, Map.of(), null, ref);
      long current;
      if (cur.status() == 404 || (cur.successful() && !cur.data().path("data").isObject())) {
        data = JSON.createObjectNode();
        current = cur.data().path("metadata").path("version").asLong(0);
      } else if (cur.successful()) {
        data = ((ObjectNode) cur.data().path("data")).deepCopy();
        current = cur.data().path("metadata").path("version").asLong(0);
      } else {
        throw client.error(ref, Op.READ, ref.withoutField().toString(), cur);
      }
      if (expected != null && expected != current) {
        throw new SecretVersionConflictException(ref, "expected version " + expected + " of "
            + ref.withoutField() + " but the current version is " + current);
      }
      cas = current;
      data.put(ref.field().get(), text);
    } else {
      JsonNode parsed;
      try {
        parsed = JSON.readTree(value);
      } catch (IOException e) {
        parsed = null;
      }
      if (parsed == null || !parsed.isObject()) {
        throw new IllegalArgumentException("without a #field the value must be a JSON object of the whole secret");
      }
      data = (ObjectNode) parsed;
      parsed.properties().forEach(e -> known.add(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    }
    ObjectNode body = JSON.createObjectNode();
    if (cas != null) {
      body.putObject("options").put("cas", cas);
    }
    body.set("data", data);
    VaultResponse r = client.call("POST", segs, Map.of(), body, ref);
    if (!r.successful()) {
      throw client.error(ref, Op.WRITE, ref.withoutField().toString(), r, known);
    }
    JsonNode v = r.data().path("version");
    if (!v.canConvertToLong()) {
      throw malformed(ref, "write answer has no version");
    }
    return String.valueOf(v.asLong());
  }

  /**
   * Describes a KV v2 secret from {@code GET <mount>/metadata/<path>}: {@code current_version}, each
   * version newest first (at most 256) with its {@code created_time}, and its state —
   * {@code destroyed} → {@link io.secretsdk.spi.SecretVersionInfo.State#DESTROYED}, a
   * {@code deletion_time} passed → {@code DISABLED}, one still ahead ({@code delete_version_after})
   * → {@code ENABLED} with that time as expiry. Vault's KV versions have no stages. Metadata: the
   * secret's settings ({@code max_versions}, {@code cas_required}, {@code delete_version_after},
   * times) and {@code custom_metadata.<key>}, every string shown through {@link ProviderText}. A
   * {@code #field} is ignored (versions belong to the whole secret).
   *
   * @throws InvalidSecretRefException if the ref pins a version, has unknown parameters or
   *     addresses one of Vault's own paths
   * @throws SecretNotFoundException if there is no secret at the ref
   * @throws io.secretsdk.SecretAccessDeniedException if Vault denies reading the metadata
   * @throws ProviderUnavailableException on transient failures or a malformed answer
   * @throws UnsupportedOperationException on a KV v1 mount (no versions, no metadata endpoint) or
   *     another engine (dynamic secrets are leases, not versions)
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    checkOpen();
    checkRef(ref);
    noVersion(ref, "describe covers every version; drop the 'version' parameter");
    return kv2.describe(ref, kv2Mount(ref, "describe"));
  }

  /**
   * Revokes one version of a KV v2 secret at the source. The metadata is read first, so an unknown
   * version fails before anything changes and one already deleted or destroyed is reported rather
   * than sent again.
   * <ul>
   *   <li>{@link RevokeRequest.Mode#DISABLE}: KV v2 delete of the version
   *       ({@code POST <mount>/delete/<path> {"versions":[n]}}); reads of it are then not found, and
   *       {@code vault kv undelete} restores it. Deleting the current version does not make an older
   *       one current: plain reads of the secret fail until a new version is written.
   *   <li>{@link RevokeRequest.Mode#DESTROY}: {@code PUT <mount>/destroy/<path>}; the data is gone.
   *   <li>{@link RevokeRequest.Mode#SCHEDULE_DELETION}: unsupported (KV v2 has no whole-secret
   *       deletion with a recovery window).
   * </ul>
   * The version is the request's, else the ref's {@code ?version=}, else {@code current_version}.
   * A {@code #field} does not narrow it: KV v2 versions hold the whole secret, so every field of
   * the version stops being served.
   *
   * @throws IllegalArgumentException if the request's version is not a positive integer, or
   *     differs from the ref's {@code ?version=}
   * @throws SecretNotFoundException if there is no secret or no such version
   * @throws io.secretsdk.SecretAccessDeniedException if Vault denies the metadata read or the
   *     delete/destroy (nothing was changed)
   * @throws ProviderUnavailableException on transient failures (nothing was changed)
   * @throws UnsupportedOperationException for {@code SCHEDULE_DELETION}, a KV v1 mount or another
   *     engine
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen();
    checkRef(ref);
    if (request.mode() == RevokeRequest.Mode.SCHEDULE_DELETION) {
      throw new UnsupportedOperationException("Vault KV v2 cannot schedule deletion of a secret with a recovery"
          + " window; revoke with DISABLE (delete the version, restorable) or DESTROY (permanent)");
    }
    Long version = ref.queryParam("version").map(v -> version(ref, v)).orElse(null);
    if (request.targetVersion().isPresent()) {
      long asked = positive(request.targetVersion().get());
      if (version != null && version != asked) {
        throw new IllegalArgumentException("the request names version " + asked + " but the ref pins version "
            + version);
      }
      version = asked;
    }
    return kv2.revoke(ref, kv2Mount(ref, "revoke"), version, request.mode());
  }

  /** The KV v2 mount of {@code ref}; anything else cannot be described or revoked. */
  private MountResolver.Mount kv2Mount(SecretRef ref, String what) {
    MountResolver.Mount mount = mounts.resolve(ref, client);
    if (mount.kind == MountKind.KV_V1) {
      throw new UnsupportedOperationException("Vault " + what + " is supported on KV v2 mounts only; "
          + ref.withoutField() + " is on KV v1 mount '" + mount.path + "', which keeps no versions or metadata");
    }
    if (mount.kind != MountKind.KV_V2) {
      throw new UnsupportedOperationException("Vault " + what + " is supported on KV v2 mounts only; "
          + ref.withoutField() + " is on mount '" + mount.path + "' (dynamic secrets are leases: they end when"
          + " the provider closes or with 'vault lease revoke')");
    }
    return mount;
  }

  private static long positive(String raw) {
    try {
      long v = Long.parseLong(raw);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("a Vault KV v2 version must be a positive integer");
  }

  /**
   * Revokes held leases and a token the provider logged in for (unless
   * {@link VaultOptions#revokeOnClose()} is off), then shuts down the HTTP client. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      List<LeaseRegistry.Lease> held = leases.drain();
      if (options.revokeOnClose()) {
        long now = options.ticker().read();
        for (LeaseRegistry.Lease lease : held) {
          if (lease.expired(now)) {
            continue;
          }
          try {
            ObjectNode body = JSON.createObjectNode().put("lease_id", lease.id);
            VaultResponse r = client.call("POST", List.of("sys", "leases", "revoke"), Map.of(), body, null);
            if (!r.successful()) {
              LOG.warn("Vault lease revocation on close answered HTTP {}", r.status());
            }
          } catch (SecretException | IllegalStateException e) {
            LOG.warn("Vault lease revocation on close failed: {}", e.getClass().getSimpleName());
          }
        }
      }
      sessions.close(options.revokeOnClose());
    } finally {
      transport.close();
    }
  }

  @Override
  public String toString() {
    return "VaultSecretProvider[address=" + options.address() + ", namespace=" + options.namespace().orElse(null)
        + ", leases=" + leases.size() + "]";
  }

  // --- for tests in this package ---

  VaultTransport transport() {
    return transport;
  }

  SessionManager sessions() {
    return sessions;
  }

  LeaseRegistry leases() {
    return leases;
  }

  // --- helpers ---

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the Vault provider is closed");
    }
  }

  private static void checkRef(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    if (!SCHEME.equals(ref.scheme())) {
      throw new InvalidSecretRefException(ref, "the Vault provider serves vault:// refs only");
    }
    for (String p : ref.query().keySet()) {
      if (!QUERY_PARAMS.contains(p)) {
        throw new InvalidSecretRefException(ref, "vault refs take only the 'version' parameter");
      }
    }
  }

  private static void noVersion(SecretRef ref, String why) {
    if (ref.queryParam("version").isPresent()) {
      throw new InvalidSecretRefException(ref, why);
    }
  }

  private static long version(SecretRef ref, String raw) {
    try {
      long v = Long.parseLong(raw);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new InvalidSecretRefException(ref, "vault ref parameter 'version' must be a positive integer");
  }

  private static List<String> kv2Path(SecretRef ref, MountResolver.Mount mount, String op) {
    List<String> segs = new ArrayList<>(mount.segments());
    segs.add(op);
    segs.addAll(MountResolver.rest(ref, mount));
    return segs;
  }

  private static byte[] select(SecretRef ref, JsonNode data) {
    if (ref.field().isEmpty()) {
      return bytes(data);
    }
    JsonNode v = data.get(ref.field().get());
    if (v == null || v.isNull()) {
      throw new SecretNotFoundException(ref, "no field '" + ref.field().get() + "' in " + ref.withoutField());
    }
    return v.isTextual() ? v.asText().getBytes(StandardCharsets.UTF_8) : bytes(v);
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize JSON", e);
    }
  }

  private static String utf8(byte[] value) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("a field value must be UTF-8 text");
    }
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A string from Vault as the provider shows it (version, lease id, time, metadata key or value):
   * itself when short and plain, else a keyed fingerprint; see {@link ProviderText#shown(String)}.
   */
  private static String shown(String s) {
    return ProviderText.shown(s);
  }

  private static ProviderUnavailableException malformed(SecretRef ref, String what) {
    return new ProviderUnavailableException(ref, "malformed Vault response for " + ref.withoutField() + ": " + what);
  }
}
