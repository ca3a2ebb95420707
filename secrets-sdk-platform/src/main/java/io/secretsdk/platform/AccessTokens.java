package io.secretsdk.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.platform.internal.Op;
import io.secretsdk.platform.internal.PlatformErrors;
import io.secretsdk.platform.internal.PlatformResponse;
import io.secretsdk.platform.internal.PlatformTransport;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's short-lived access tokens, one per environment and scope (the platform binds a
 * token to both), each obtained with {@code POST /auth/oidc/exchange} or
 * {@code POST /auth/service-token}.
 *
 * <p>Single flight: when a token is due for renewal (its renewal point is
 * {@link PlatformOptions#tokenRenewBefore()} before expiry, at most half its life) exactly one
 * caller renews it while every other caller goes on with the current token; a failed renewal is
 * retried no sooner than {@value #RENEW_RETRY_SECONDS} s later while the current token lasts. Only
 * when there is no valid token do callers wait, all on the one exchange in flight, for at most
 * twice the call time-out. No thread of its own: the exchange runs on a caller's thread.
 *
 * <p>Every credential is registered with {@link RedactionIndex#global()} before it is used: the
 * identity token before it is sent ({@code credential://platform/identity-token}; a source of the
 * SDK has registered it already, a user's may not have), and each access token the moment it is
 * read from the answer ({@code credential://platform/access-token}). The same strings are masked
 * in the server's error text.
 *
 * <p>Thread-safe.
 */
final class AccessTokens {
  static final String TOKEN_KIND = "platform/access-token";
  static final String IDENTITY_KIND = "platform/identity-token";
  static final long RENEW_RETRY_SECONDS = 5;
  /** The lifetime assumed when the answer states none: the seed's shortest (15 minutes). */
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);
  static final Duration MAX_LIFETIME = Duration.ofHours(24);
  private static final int MAX_SENSITIVE = 64;
  private static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final Pattern TOKEN_CHARS = Pattern.compile("[\\x21-\\x7e]+");
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokens.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PlatformTransport transport;
  private final PlatformOptions options;
  private final Ticker ticker;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** Credentials sent or received lately, masked in server text (bounded, newest kept). */
  private final Deque<String> sensitive = new ArrayDeque<>();
  private volatile boolean closed;

  AccessTokens(PlatformTransport transport, PlatformOptions options) {
    this.transport = transport;
    this.options = options;
    this.ticker = options.ticker();
    if (options.authentication().kind() == PlatformAuthentication.Kind.SERVICE_TOKEN) {
      remember(options.authentication().serviceKey());
    }
  }

  /** A valid token for {@code environment} and {@code scope}, exchanging one when needed. */
  String token(String environment, String scope) {
    if (closed) {
      throw new IllegalStateException("the platform provider is closed");
    }
    return sessions.computeIfAbsent(environment + " " + scope, k -> new Session(environment, scope)).token();
  }

  /** The server refused {@code token}: drop it if current, so the next caller exchanges anew. */
  void rejected(String environment, String scope, String token) {
    Session s = sessions.get(environment + " " + scope);
    if (s != null) {
      s.rejected(token);
    }
  }

  /** Credentials to mask in server text. */
  Collection<String> sensitive() {
    synchronized (sensitive) {
      return List.copyOf(sensitive);
    }
  }

  /** Forgets every token; later calls fail. */
  void close() {
    closed = true;
    for (Session s : sessions.values()) {
      s.current = null;
    }
    sessions.clear();
  }

  private void remember(String credential) {
    synchronized (sensitive) {
      if (sensitive.contains(credential)) {
        return;
      }
      sensitive.addLast(credential);
      while (sensitive.size() > MAX_SENSITIVE) {
        sensitive.removeFirst();
      }
    }
  }

  private static final class Issued {
    final String value;
    final long renewAt;
    final long expiresAt;

    Issued(String value, long renewAt, long expiresAt) {
      this.value = value;
      this.renewAt = renewAt;
      this.expiresAt = expiresAt;
    }
  }

  /** One environment and scope's token. */
  private final class Session {
    final String environment;
    final String scope;
    volatile Issued current;
    final AtomicReference<CompletableFuture<Issued>> inFlight = new AtomicReference<>();
    /** No renewal before this tick (after a failed one); ticks compare by difference, never by value. */
    volatile long renewNotBefore;

    Session(String environment, String scope) {
      this.environment = environment;
      this.scope = scope;
      this.renewNotBefore = ticker.read();
    }

    String token() {
      Issued t = current;
      long now = ticker.read();
      if (t != null && now - t.renewAt < 0) {
        return t.value; // fresh: the common case, no lock, no allocation
      }
      if (t != null && now - t.expiresAt < 0) {
        // due for renewal but still valid: one caller renews, the others keep the current token
        if (now - renewNotBefore < 0) {
          return t.value;
        }
        CompletableFuture<Issued> mine = new CompletableFuture<>();
        if (!inFlight.compareAndSet(null, mine)) {
          return t.value;
        }
        try {
          return run(mine).value;
        } catch (SecretException | IllegalStateException e) {
          renewNotBefore = ticker.read() + TimeUnit.SECONDS.toNanos(RENEW_RETRY_SECONDS);
          LOG.debug("platform token renewal for environment {} failed ({}); the current token serves until it expires",
              environment, e.getClass().getSimpleName());
          Issued still = current;
          if (still != null && ticker.read() - still.expiresAt < 0) {
            return still.value;
          }
          throw e;
        }
      }
      // none, or expired: every caller waits on the one exchange in flight
      while (true) {
        CompletableFuture<Issued> f = inFlight.get();
        if (f == null) {
          CompletableFuture<Issued> mine = new CompletableFuture<>();
          if (inFlight.compareAndSet(null, mine)) {
            Issued again = current; // another caller may have finished just now
            if (again != null && ticker.read() - again.expiresAt < 0) {
              inFlight.set(null);
              mine.complete(again);
              return again.value;
            }
            return run(mine).value;
          }
          continue;
        }
        return await(f).value;
      }
    }

    private Issued run(CompletableFuture<Issued> mine) {
      try {
        Issued issued = issue(environment, scope);
        current = issued;
        renewNotBefore = ticker.read();
        mine.complete(issued);
        return issued;
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      } finally {
        inFlight.compareAndSet(mine, null);
      }
    }

    private Issued await(CompletableFuture<Issued> f) {
      Duration bound = options.callTimeout().multipliedBy(2);
      try {
        return f.get(bound.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProviderUnavailableException(null, "interrupted while waiting for the platform token exchange");
      } catch (TimeoutException e) {
        throw new ProviderUnavailableException(null, "waited " + bound.toSeconds()
            + " s for the platform token exchange another caller started; it has not finished");
      } catch (ExecutionException e) {
        throw fresh(e.getCause());
      }
    }

    void rejected(String token) {
      Issued t = current;
      if (t != null && t.value.equals(token)) {
        current = null;
      }
    }
  }

  /** A new exception for each waiter (one instance per failure), of the type the exchange threw. */
  private static RuntimeException fresh(Throwable c) {
    String m = c.getMessage();
    if (c instanceof SecretConfigException) {
      return new SecretConfigException(null, 0, ((SecretConfigException) c).field().orElse(null),
          ((SecretConfigException) c).problem());
    }
    if (c instanceof SecretAccessDeniedException) {
      return new SecretAccessDeniedException(null, m, c);
    }
    if (c instanceof ProviderUnavailableException) {
      return new ProviderUnavailableException(null, m, c, ((ProviderUnavailableException) c).retryAfter().orElse(null));
    }
    if (c instanceof SecretNotFoundException) {
      return new SecretNotFoundException(null, m, c);
    }
    if (c instanceof SecretVersionConflictException) {
      return new SecretVersionConflictException(null, m, c);
    }
    if (c instanceof PolicyViolationException) {
      return new PolicyViolationException(null, m, c);
    }
    if (c instanceof InvalidSecretRefException || c instanceof SecretException) {
      return new SecretException(null, m, c);
    }
    return new IllegalStateException("the platform token exchange failed: " + c.getClass().getSimpleName(), c);
  }

  /** One exchange: the request the seed shows, the answer read strictly. */
  private Issued issue(String environment, String scope) {
    PlatformAuthentication auth = options.authentication();
    ObjectNode body = JSON.createObjectNode();
    List<String> path;
    String target;
    if (auth.kind() == PlatformAuthentication.Kind.OIDC_EXCHANGE) {
      IdentityToken identity = auth.tokenSource().orElseThrow().token();
      String input = identity.reveal();
      if (input == null || input.isBlank()) {
        throw new SecretAccessDeniedException(null, "the identity token source gave an empty token");
      }
      RedactionIndex.global().registerCredential(IDENTITY_KIND, input);
      remember(input);
      body.put("provider", auth.oidcProvider().orElseThrow());
      body.put("token", input);
      body.put("scope", scope);
      body.put("environment", environment);
      path = List.of("auth", "oidc", "exchange");
      target = "POST /auth/oidc/exchange";
    } else {
      body.put("client_id", auth.serviceAccount().orElseThrow());
      body.put("client_secret", auth.serviceKey());
      body.put("scope", scope);
      body.put("environment", environment);
      path = List.of("auth", "service-token");
      target = "POST /auth/service-token";
    }
    long sentAt = ticker.read();
    PlatformResponse r = transport.send("POST", path, Map.of(), body, null, null, target);
    if (!r.successful()) {
      throw PlatformErrors.map(null, Op.LOGIN, target + " (environment " + environment + ", scope " + scope + ")", r,
          sensitive());
    }
    JsonNode json = r.json();
    JsonNode tokenNode = json.path("access_token").isMissingNode() ? json.path("token") : json.path("access_token");
    if (!tokenNode.isTextual() || tokenNode.asText().isBlank()) {
      throw PlatformErrors.malformed(null, target, "access_token", "is missing or not a string");
    }
    String token = tokenNode.asText();
    // registered before anything else can fail or log
    RedactionIndex.global().registerCredential(TOKEN_KIND, token);
    remember(token);
    if (token.length() > MAX_TOKEN_LENGTH || !TOKEN_CHARS.matcher(token).matches()) {
      throw PlatformErrors.malformed(null, target, "access_token", "is longer than " + MAX_TOKEN_LENGTH
          + " characters or holds characters a bearer token cannot have");
    }
    JsonNode type = json.path("token_type");
    if (!type.isMissingNode() && !(type.isTextual() && type.asText().equalsIgnoreCase("bearer"))) {
      throw PlatformErrors.malformed(null, target, "token_type", "is not 'Bearer'");
    }
    Duration lifetime = lifetime(json, target);
    long life = lifetime.toNanos();
    long renewBefore = Math.min(options.tokenRenewBefore().toNanos(), life / 2);
    LOG.debug("platform token obtained for environment {} scope {} (lifetime {} s)", environment, scope,
        lifetime.toSeconds());
    return new Issued(token, sentAt + life - renewBefore, sentAt + life);
  }

  private Duration lifetime(JsonNode json, String target) {
    JsonNode in = json.path("expires_in");
    if (!in.isMissingNode() && !in.isNull()) {
      if (!in.isNumber() && !(in.isTextual() && in.asText().matches("\\d{1,9}"))) {
        throw PlatformErrors.malformed(null, target, "expires_in", "is not a number of seconds");
      }
      long s = in.isNumber() ? in.asLong() : Long.parseLong(in.asText());
      if (s <= 0) {
        throw PlatformErrors.malformed(null, target, "expires_in", "is not positive");
      }
      return Duration.ofSeconds(Math.min(s, MAX_LIFETIME.toSeconds()));
    }
    JsonNode at = json.path("expires_at");
    if (!at.isMissingNode() && !at.isNull()) {
      Instant when;
      try {
        when = OffsetDateTime.parse(at.asText()).toInstant();
      } catch (DateTimeParseException e) {
        throw PlatformErrors.malformed(null, target, "expires_at", "is not an RFC 3339 time");
      }
      Duration d = Duration.between(options.clock().instant(), when);
      if (d.isNegative() || d.isZero()) {
        throw PlatformErrors.malformed(null, target, "expires_at", "is not in the future");
      }
      return d.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : d;
    }
    return DEFAULT_LIFETIME;
  }
}
