package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.Ticker;
import io.secretsdk.vault.VaultOptions;
import io.secretsdk.vault.auth.ClientAuthentication;
import io.secretsdk.vault.auth.KubernetesAuthentication;
import io.secretsdk.vault.auth.VaultLoginClient;
import io.secretsdk.vault.auth.VaultToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the provider's Vault token: logs in once for all concurrent callers, looks up a token whose
 * lifetime is unknown ({@code auth/token/lookup-self}), renews it ahead of expiry
 * ({@code auth/token/renew-self}), logs in again when renewal is refused or would not reach past
 * the renewal window (max TTL), when the credentials changed, or after a 403 with the current
 * token, and revokes a logged-in token on close.
 *
 * <p>Every credential that passes through here is registered with {@link RedactionIndex#global()}
 * before it is sent or used, so any library's log line written through the redacting encoder masks
 * it: the token any {@link ClientAuthentication} returns (configured or logged in), the
 * {@code client_token} of every login answer and of a renewal, the values of a login body (AppRole
 * secret_id, JWT/OIDC and Kubernetes tokens; not the role or role_id), the response-wrapping token
 * and the secret it unwraps. The same strings are also masked by value in Vault's error text.
 *
 * <p>Every TTL Vault gives is clamped ({@link ServerDurations}) and counted from before the request
 * that reported it. A renewal that says nothing of the new TTL (204, {@code {}}) is followed by a
 * {@code lookup-self}, and by a login when that gives no TTL either; a token once known to expire is
 * never taken for one that does not, and is never sent after its expiry. A wrapping token is looked
 * up ({@code sys/wrapping/lookup}) and checked for its creation path and TTL before it is unwrapped.
 *
 * <p>Readers take the current token without locking. While one thread renews, the others keep using
 * the still-valid token; only when there is no valid token do callers wait for the one login.
 *
 * <p>Thread-safe.
 */
public final class SessionManager implements VaultLoginClient, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
  private static final long NEVER = Long.MAX_VALUE;
  private static final List<String> LOOKUP_SELF = List.of("auth", "token", "lookup-self");
  /** The longest response-wrapping TTL accepted: a wrapped secret_id is meant for a short hand-off. */
  static final Duration MAX_WRAP_TTL = Duration.ofHours(24);

  private final VaultTransport transport;
  private final ClientAuthentication auth;
  private final Ticker ticker;
  private final long renewAheadNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<String> sensitive = ConcurrentHashMap.newKeySet();
  /** The token registered last: the same token coming back (a configured one) is not registered again. */
  private volatile String registeredToken;
  private final AtomicInteger logins = new AtomicInteger();
  private volatile Session session;
  /** The last token seen to expire: never sent again, whatever the authentication returns. */
  private volatile String expiredToken;
  private volatile boolean closed;

  public SessionManager(VaultTransport transport, VaultOptions options) {
    this.transport = transport;
    this.auth = options.authentication();
    this.ticker = options.ticker();
    this.renewAheadNanos = options.tokenRenewAhead().toNanos();
  }

  private static final class Session {
    final String token;
    final Duration ttl;
    final long expiresAt;   // ticker nanos, NEVER when the token does not expire
    final long refreshAt;   // when to renew or replace; NEVER for no refresh
    final boolean renewable;
    final boolean loggedIn; // obtained by a login method (revocable on close)

    Session(String token, Duration ttl, long expiresAt, long refreshAt, boolean renewable, boolean loggedIn) {
      this.token = token;
      this.ttl = ttl;
      this.expiresAt = expiresAt;
      this.refreshAt = refreshAt;
      this.renewable = renewable;
      this.loggedIn = loggedIn;
    }

    boolean expired(long now) {
      return expiresAt != NEVER && now - expiresAt >= 0;
    }

    boolean due(long now) {
      return refreshAt != NEVER && now - refreshAt >= 0;
    }
  }

  /** How many logins happened (for tests and metrics). */
  public int loginCount() {
    return logins.get();
  }

  /** Tokens and credentials seen, to mask in Vault's error text. */
  public Collection<String> sensitive() {
    return sensitive;
  }

  /**
   * A valid token, logging in or renewing first when needed; {@code null} in agent mode.
   *
   * @throws SecretException the login's failure when there is no valid token
   */
  public String token() {
    if (closed) {
      throw new IllegalStateException("the Vault provider is closed");
    }
    if (auth instanceof io.secretsdk.vault.auth.AgentAuthentication) {
      return null; // the agent adds its own token
    }
    Session s = session;
    long now = ticker.read();
    boolean changed = s != null && auth.credentialsChanged();
    if (s != null && !changed && !s.due(now)) {
      return s.token;
    }
    if (s != null && !changed && !s.expired(now)) {
      // due for renewal but still valid: one thread refreshes, the others carry on with it
      if (lock.tryLock()) {
        try {
          if (session == s) {
            refresh(s);
          }
        } catch (SecretException e) {
          LOG.warn("Vault token renewal failed ({}); the current token stays in use until it expires",
              e.getClass().getSimpleName());
          postpone(s);
        } finally {
          lock.unlock();
        }
      }
      Session current = session;
      return current != null ? current.token : s.token;
    }
    lock.lock();
    try {
      Session again = session;
      long now2 = ticker.read();
      if (again != null && again != s && !again.expired(now2)) {
        return again.token;
      }
      if (again != null && again == s && !again.expired(now2) && !auth.credentialsChanged() && !again.due(now2)) {
        return again.token;
      }
      if (again != null && again.expired(now2)) {
        expiredToken = again.token;
      }
      return login().token;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Vault answered 403 to a request made with {@code token}: drop it if it is still current, so the
   * next {@link #token()} logs in again (once, however many callers saw the 403). The caller then
   * retries once if {@link #token()} gives a different token.
   */
  public void rejected(String token) {
    lock.lock();
    try {
      Session s = session;
      if (s != null && s.token.equals(token)) {
        session = null;
      }
    } finally {
      lock.unlock();
    }
  }

  private Session login() {
    long started = ticker.read();
    VaultToken t;
    try {
      t = auth.login(this);
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      // a user-supplied authentication or token source failed: its message may hold a credential
      throw new ProviderUnavailableException(null, "Vault authentication " + auth.getClass().getSimpleName()
          + " failed: " + e.getClass().getName());
    }
    if (t == null) {
      throw new ProviderUnavailableException(null, "Vault authentication " + auth.getClass().getSimpleName()
          + " returned no token");
    }
    if (t.reveal().equals(expiredToken)) {
      // a configured token past the expiry Vault told us: sending it would only put it on the wire
      throw new SecretAccessDeniedException(null, "the Vault token has expired and " + auth.getClass().getSimpleName()
          + " gave the same token again; provide a new token");
    }
    logins.incrementAndGet();
    registerToken(t.reveal());
    boolean loggedIn = t.ttl().isPresent();
    Duration ttl;
    boolean renewable;
    if (t.ttl().isPresent()) {
      ttl = t.ttl().get();
      renewable = t.renewable();
    } else {
      started = ticker.read();
      VaultResponse r = transport.send("GET", LOOKUP_SELF, Map.of(), null, t.reveal(), null);
      if (!r.successful()) {
        SecretException e = VaultErrors.map(null, Op.TOKEN, "auth/token/lookup-self", r, sensitive);
        if (e instanceof SecretAccessDeniedException) {
          throw new SecretAccessDeniedException(null, "Vault rejected the configured token: " + e.getMessage());
        }
        throw e;
      }
      JsonNode data = r.data();
      ttl = ServerDurations.seconds(data.get("ttl"));
      renewable = data.path("renewable").asBoolean(false);
    }
    Session s = session(t.reveal(), ttl, renewable, loggedIn, started);
    session = s;
    LOG.debug("Vault login succeeded (ttl={}, renewable={})", ttl, renewable);
    return s;
  }

  /**
   * A session for {@code token} valid for {@code ttl} from {@code since}: the ticker reading taken
   * before the request that reported the TTL, so that the expiry counted here is never later than
   * Vault's. The TTL is clamped ({@link ServerDurations#clamp}); zero means no expiry.
   */
  private Session session(String token, Duration ttl, boolean renewable, boolean loggedIn, long since) {
    ttl = ServerDurations.clamp(ttl);
    if (ttl.isZero()) {
      return new Session(token, ttl, NEVER, NEVER, false, loggedIn);
    }
    long ttlNanos = ttl.toNanos();
    long expiresAt = since + ttlNanos;
    // refresh when the renewal window starts, or two thirds into a TTL shorter than three windows
    long refreshAt = expiresAt - Math.min(renewAheadNanos, ttlNanos / 3);
    return new Session(token, ttl, expiresAt, refreshAt, renewable, loggedIn);
  }

  /** After a failed refresh, try again halfway to expiry (at most 30 s later), not on every call. */
  private void postpone(Session s) {
    if (session != s) {
      return;
    }
    long now = ticker.read();
    long wait = Math.min(Duration.ofSeconds(30).toNanos(), Math.max(0, s.expiresAt - now) / 2);
    session = new Session(s.token, s.ttl, s.expiresAt, now + wait, s.renewable, s.loggedIn);
  }

  private void refresh(Session s) {
    if (s.renewable) {
      long increment = Math.max(1, s.ttl.toSeconds());
      ObjectNode body = VaultTransport.JSON.createObjectNode();
      body.put("increment", increment + "s");
      long sentAt = ticker.read();
      VaultResponse r = transport.send("POST", List.of("auth", "token", "renew-self"), Map.of(), body, s.token, null);
      if (r.status() == 429 || r.status() >= 500) {
        throw VaultErrors.map(null, Op.TOKEN, "auth/token/renew-self", r, sensitive);
      }
      if (r.successful()) {
        JsonNode a = r.json().path("auth");
        String renewed = a.path("client_token").asText("");
        if (!renewed.isBlank() && !renewed.equals(s.token)) {
          // Vault renews the token it was sent; whatever else comes back is a credential all the same
          registerToken(renewed);
        }
        Duration granted = ServerDurations.seconds(a.get("lease_duration"));
        if (!granted.isZero()) {
          // less than asked for: the token reached its max TTL, so the next refresh is a login
          boolean capped = granted.toSeconds() < increment;
          session = session(s.token, granted, a.path("renewable").asBoolean(false) && !capped, s.loggedIn, sentAt);
          LOG.debug("Vault token renewed (ttl={}s, capped={})", granted.toSeconds(), capped);
          return;
        }
        // 204 or {}: renewed for how long? Ask, rather than take the token as one that never expires
        Session looked = lookedUp(s);
        if (looked != null) {
          session = looked;
          LOG.debug("Vault token renewal gave no TTL; lookup-self gave ttl={}s", looked.ttl.toSeconds());
          return;
        }
        LOG.debug("Vault token renewal and lookup-self gave no usable TTL; logging in again");
      } else {
        LOG.debug("Vault token renewal refused (HTTP {}); logging in again", r.status());
      }
    }
    String before = s.token;
    Session next = login();
    if (next.token.equals(before)) {
      // the same token again (a configured token): nothing more to renew until it expires; and a
      // token once known to expire is never taken for one that does not
      long expiresAt = next.expiresAt == NEVER ? s.expiresAt : next.expiresAt;
      session = new Session(next.token, next.ttl, expiresAt, expiresAt, false, next.loggedIn);
    }
  }

  /** {@code s} as {@code auth/token/lookup-self} describes it now; null when it gives no usable TTL. */
  private Session lookedUp(Session s) {
    long sentAt = ticker.read();
    VaultResponse r = transport.send("GET", LOOKUP_SELF, Map.of(), null, s.token, null);
    if (r.status() == 429 || r.status() >= 500) {
      throw VaultErrors.map(null, Op.TOKEN, "auth/token/lookup-self", r, sensitive);
    }
    if (!r.successful()) {
      return null;
    }
    Duration ttl = ServerDurations.seconds(r.data().get("ttl"));
    return ttl.isZero() ? null : session(s.token, ttl, r.data().path("renewable").asBoolean(false), s.loggedIn, sentAt);
  }

  @Override
  public VaultToken login(String path, Map<String, String> body) {
    ObjectNode json = VaultTransport.JSON.createObjectNode();
    body.forEach((k, v) -> {
      if (v != null && !k.equals("role") && !k.equals("role_id")) {
        register(loginCredentialKind(k), v);
      }
      json.put(k, v);
    });
    List<String> segments = new ArrayList<>(List.of(path.split("/")));
    VaultResponse r = transport.send("POST", segments, Map.of(), json, null, null);
    if (!r.successful()) {
      throw VaultErrors.map(null, Op.LOGIN, path, r, sensitive);
    }
    JsonNode a = r.json().path("auth");
    String token = a.path("client_token").asText("");
    if (token.isBlank()) {
      throw new ProviderUnavailableException(null, "Vault login at " + path + " returned no client_token");
    }
    registerToken(token);
    return VaultToken.of(token, ServerDurations.seconds(a.get("lease_duration")), a.path("renewable").asBoolean(false));
  }

  @Override
  public String unwrap(String wrappingToken, String field, String expectedCreationPath) {
    register("vault/wrapping-token", wrappingToken);
    checkWrapping(wrappingToken, expectedCreationPath);
    VaultResponse r = transport.send("POST", List.of("sys", "wrapping", "unwrap"), Map.of(), null, wrappingToken, null);
    if (!r.successful()) {
      throw VaultErrors.map(null, Op.UNWRAP, "sys/wrapping/unwrap", r, sensitive);
    }
    JsonNode v = r.data().path(field);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new SecretAccessDeniedException(null, "the unwrapped response has no '" + field + "'");
    }
    String unwrapped = v.asText();
    register(field.equals("secret_id") ? "vault/secret-id" : "vault/wrapped-secret", unwrapped);
    return unwrapped;
  }

  /**
   * Looks the wrapping token up ({@code sys/wrapping/lookup}, which does not use it up) and refuses
   * one that was not made by {@code expectedCreationPath} or whose TTL is missing or above
   * {@link #MAX_WRAP_TTL}: someone else may have made it, so it is not unwrapped.
   */
  private void checkWrapping(String wrappingToken, String expectedCreationPath) {
    ObjectNode body = VaultTransport.JSON.createObjectNode().put("token", wrappingToken);
    VaultResponse r = transport.send("POST", List.of("sys", "wrapping", "lookup"), Map.of(), body, null, null);
    if (!r.successful()) {
      throw VaultErrors.map(null, Op.UNWRAP, "sys/wrapping/lookup", r, sensitive);
    }
    JsonNode path = r.data().path("creation_path");
    String creationPath = path.isTextual() ? path.asText() : "";
    if (!creationPathMatches(expectedCreationPath, creationPath)) {
      throw new SecretAccessDeniedException(null, "the response-wrapping token was created by "
          + (creationPath.isEmpty() ? "an unknown path" : "'" + ProviderText.shown(creationPath) + "'")
          + ", not by " + expectedCreationPath + "; it was not unwrapped");
    }
    Duration ttl = ServerDurations.seconds(r.data().get("creation_ttl"));
    if (ttl.isZero() || ttl.compareTo(MAX_WRAP_TTL) > 0) {
      throw new SecretAccessDeniedException(null, "the response-wrapping token has "
          + (ttl.isZero() ? "no TTL" : "a TTL above " + MAX_WRAP_TTL.toHours() + " h") + "; it was not unwrapped");
    }
  }

  /** Whether {@code actual} is {@code expected}, where a {@code *} segment of it stands for any one segment. */
  private static boolean creationPathMatches(String expected, String actual) {
    String[] want = expected.split("/", -1);
    String[] got = actual.split("/", -1);
    if (want.length != got.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (got[i].isEmpty() || !(want[i].equals("*") || want[i].equals(got[i]))) {
        return false;
      }
    }
    return true;
  }

  /** The mask kind of a login parameter. */
  private String loginCredentialKind(String key) {
    switch (key) {
      case "secret_id":
        return "vault/secret-id";
      case "jwt":
        return auth instanceof KubernetesAuthentication ? "vault/kubernetes-jwt" : "vault/jwt";
      case "password":
        return "vault/password";
      default:
        return "vault/login-credential";
    }
  }

  private void registerToken(String token) {
    if (!token.equals(registeredToken)) {
      register("vault/token", token);
      registeredToken = token;
    }
  }

  /** Registers a credential for redaction and for masking in Vault's error text, before its first use. */
  private void register(String kind, String value) {
    if (value.isBlank()) {
      return;
    }
    RedactionIndex.global().registerCredential(kind, value);
    sensitive.add(value);
  }

  /** Revokes a token this manager logged in for, when asked to. Idempotent; best effort. */
  public void close(boolean revoke) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      Session s = session;
      if (revoke && s != null && s.loggedIn && auth.revokeOnClose() && !s.expired(ticker.read())) {
        try {
          VaultResponse r = transport.send("POST", List.of("auth", "token", "revoke-self"), Map.of(), null, s.token, null);
          if (!r.successful()) {
            LOG.warn("Vault token revocation on close answered HTTP {}", r.status());
          }
        } catch (SecretException e) {
          LOG.warn("Vault token revocation on close failed: {}", e.getClass().getSimpleName());
        }
      }
      session = null;
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    close(true);
  }

  @Override
  public String toString() {
    return "SessionManager[auth=" + auth + ", logins=" + logins.get() + "]";
  }
}
