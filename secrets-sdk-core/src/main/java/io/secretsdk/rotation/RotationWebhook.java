package io.secretsdk.rotation;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.rotation.RotationRejectedException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies signed rotation notifications and refreshes the refs they name at once.
 *
 * <p><b>The notification.</b> An HTTP {@code POST} whose body is a JSON object:
 * <pre>{@code
 * {"secret_id": "vault://secret/stripe#api_key",   // or "name"; mapped to refs, see below
 *  "new_version": "4",                             // string, or an integer
 *  "rotated_from": "3",                            // optional
 *  "timestamp": 1764702000,                        // epoch seconds, or "2025-12-02T19:00:00Z"
 *  "delivery_id": "6f1c0e2a-9b7d-4c1e-8f00-3a5b2c1d0e9f"}
 * }</pre>
 * Other fields are ignored; duplicate keys are refused. {@code timestamp} is preferably an integer
 * of seconds since the epoch; an RFC 3339 date-time with an offset ({@code Z} or {@code +02:00})
 * is accepted too. {@code delivery_id} is 1 to 128 letters, digits and {@code ._:-}.
 *
 * <p><b>The signature</b>, modelled on GitHub's {@code X-Hub-Signature-256}: header
 * {@value #SIGNATURE_HEADER} (any case) carrying {@code sha256=} followed by the 64 hex digits of
 * HMAC-SHA-256 over the <em>raw body bytes</em> as sent, under the shared key. The key is itself a
 * secret: it is resolved through the client from the ref given to {@link #builder}, so it is
 * cached, refreshed and registered for redaction like any value, and never held here as a
 * {@code String}. Every version the client still serves for that ref ({@link
 * SecretsClient#resolveAll}: the current key and, within the rotation grace window, the previous
 * ones) is tried, so rotating the signing key itself does not drop notifications. Tags are
 * compared in constant time ({@link java.security.MessageDigest#isEqual}); key copies are wiped.
 * {@link #sign} computes the header value, for senders and tests.
 *
 * <p><b>Checks</b>, in this order, each refusing with a {@link RotationRejectedException} whose
 * {@link RotationRejectedException.Reason reason} says which: body size (default {@value
 * #DEFAULT_MAX_BODY_BYTES} bytes), signature, JSON and fields, timestamp within the window of this
 * webhook's clock (default ±5 minutes), secret id mapped to at least one ref, delivery id not seen
 * within the window. A refused notification changes nothing: no refresh, and its delivery id is
 * not remembered. Only after all checks pass is the delivery id recorded and each ref
 * {@linkplain SecretsClient#refresh refreshed} (the client's audit sink records each refresh, and
 * a new version fires its change listeners); if a refresh fails, the delivery id is forgotten
 * again so the sender's retry is accepted.
 *
 * <p><b>Mapping.</b> By default a {@code secret_id} that parses as a {@link SecretRef} names that
 * ref, and any other is looked up as a registry name ({@link SecretsClient#refOf}); set {@link
 * Builder#refs} to map vendor ids (an AWS ARN, a Vault path) onto the refs your runner uses.
 *
 * <p><b>Logging.</b> An accepted notification is logged at INFO on this class's logger with the
 * delivery id, the refs and the versions; a refusal after the signature matched at WARN with the
 * reason; a refusal before it (anyone can send those) at DEBUG. No line carries the key, the
 * signature or the body.
 *
 * <p>Thread-safe; build one per endpoint and share it.
 */
public final class RotationWebhook {
  /** The header carrying the signature. */
  public static final String SIGNATURE_HEADER = "X-Secrets-Signature";
  /** Default accepted distance between a notification's timestamp and this webhook's clock. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
  /** Default bound on the body, in bytes. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
  /** Default number of delivery ids remembered within the window. */
  public static final int DEFAULT_MAX_DELIVERY_IDS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(RotationWebhook.class);

  private final SecretsClient client;
  private final SecretRef signingKey;
  private final Duration window;
  private final Clock clock;
  private final int maxBodyBytes;
  private final Function<String, ? extends Collection<SecretRef>> refs;
  private final Consumer<RotationNotice> listener;
  private final DeliveryIds deliveries;

  private RotationWebhook(Builder b) {
    this.client = b.client;
    this.signingKey = b.signingKey;
    this.window = b.window;
    this.clock = b.clock;
    this.maxBodyBytes = b.maxBodyBytes;
    this.refs = b.refs != null ? b.refs : this::defaultRefs;
    this.listener = b.listener;
    this.deliveries = new DeliveryIds(b.maxDeliveryIds);
  }

  /**
   * Starts building a webhook that refreshes through {@code client} and verifies signatures with
   * the key at {@code signingKey}. The client stays the caller's: the webhook does not close it.
   */
  public static Builder builder(SecretsClient client, SecretRef signingKey) {
    return new Builder(client, signingKey);
  }

  /**
   * The {@value #SIGNATURE_HEADER} value for {@code body} under {@code key}: {@code sha256=} and
   * the lower-case hex of HMAC-SHA-256. For senders and tests; neither array is kept or changed.
   */
  public static String sign(byte[] key, byte[] body) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(body, "body");
    byte[] tag = Signatures.hmacSha256(key, body);
    try {
      return Signatures.header(tag);
    } finally {
      Arrays.fill(tag, (byte) 0);
    }
  }

  /**
   * Verifies a notification and, when it passes every check, refreshes its refs.
   *
   * @param signatureHeader the {@value #SIGNATURE_HEADER} value, or {@code null} when absent
   * @param body the raw body bytes as received; not kept
   * @return the accepted notification
   * @throws RotationRejectedException if it is refused; nothing was refreshed and the delivery id
   *     was not remembered
   */
  public RotationNotice accept(String signatureHeader, byte[] body) {
    Objects.requireNonNull(body, "body");
    if (body.length > maxBodyBytes) {
      throw unauthenticated(Reason.BODY_TOO_LARGE);
    }
    if (signatureHeader == null || signatureHeader.isBlank()) {
      throw unauthenticated(Reason.MISSING_SIGNATURE);
    }
    byte[] tag = Signatures.parseHeader(signatureHeader);
    if (tag == null) {
      throw unauthenticated(Reason.BAD_SIGNATURE);
    }
    try {
      if (!signedByKey(tag, body)) {
        throw unauthenticated(Reason.BAD_SIGNATURE);
      }
    } finally {
      Arrays.fill(tag, (byte) 0);
    }
    try {
      return acceptSigned(body);
    } catch (RotationRejectedException e) {
      log.warn("signed rotation notice rejected: {}", e.reason().code());
      throw e;
    }
  }

  /**
   * Handles a request: reads at most one byte more than the bound from {@code body}, finds the
   * signature header (name in any case) and answers as {@link #handle(Map, byte[])} does.
   * Does not close the stream.
   */
  public Response handle(Map<String, List<String>> headers, InputStream body) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    byte[] bytes;
    try {
      bytes = body.readNBytes(maxBodyBytes + 1);
    } catch (IOException e) {
      log.debug("rotation notice body unreadable: {}", e.getClass().getName());
      return Response.rejected(Reason.MALFORMED_BODY);
    }
    return handle(headers, bytes);
  }

  /**
   * Handles a request in any HTTP server: {@code 204} with an empty body when accepted, otherwise
   * the reason's {@linkplain RotationRejectedException.Reason#httpStatus() status} with a body
   * such as {@code {"error":"bad_signature"}}; {@code 500} if something unexpected failed. The
   * request method is the server's to check ({@code POST} only).
   *
   * @param headers the request headers; the signature header is found whatever its case, and
   *     refused as missing if it appears more than once
   */
  public Response handle(Map<String, List<String>> headers, byte[] body) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    try {
      String signature = signatureHeader(headers);
      accept(signature, body);
      return Response.ACCEPTED;
    } catch (RotationRejectedException e) {
      return Response.rejected(e.reason());
    } catch (RuntimeException e) {
      log.error("rotation notice failed: {}", e.getClass().getName());
      return Response.INTERNAL_ERROR;
    }
  }

  /** The header's one value; null when absent or repeated (refused as a missing signature). */
  private static String signatureHeader(Map<String, List<String>> headers) {
    String found = null;
    int count = 0;
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      if (h.getKey() != null && h.getKey().equalsIgnoreCase(SIGNATURE_HEADER) && h.getValue() != null) {
        for (String v : h.getValue()) {
          found = v;
          count++;
        }
      }
    }
    return count == 1 ? found : null;
  }

  /** Whether {@code tag} is the HMAC of {@code body} under any served version of the key. */
  private boolean signedByKey(byte[] tag, byte[] body) {
    List<Secret> keys;
    try {
      keys = client.resolveAll(signingKey);
    } catch (SecretException e) {
      log.warn("rotation notice signing key {} unavailable: {}", signingKey, e.getClass().getSimpleName());
      throw new RotationRejectedException(Reason.KEY_UNAVAILABLE, null, e);
    }
    boolean matched = false;
    try {
      for (Secret key : keys) {
        byte[] expected = key.useBytes(k -> Signatures.hmacSha256(k, body));
        try {
          matched |= Signatures.tagsEqual(expected, tag); // every key is tried: no early exit
        } finally {
          Arrays.fill(expected, (byte) 0);
        }
      }
    } finally {
      keys.forEach(Secret::close);
    }
    return matched;
  }

  private RotationNotice acceptSigned(byte[] body) {
    NoticeFormat.Fields f = NoticeFormat.parse(body);
    Instant now = clock.instant();
    if (f.timestamp.isBefore(now.minus(window))) {
      throw new RotationRejectedException(Reason.STALE_TIMESTAMP);
    }
    if (f.timestamp.isAfter(now.plus(window))) {
      throw new RotationRejectedException(Reason.FUTURE_TIMESTAMP);
    }
    List<SecretRef> targets = mapped(f.secretId);
    if (targets.isEmpty()) {
      throw new RotationRejectedException(Reason.UNKNOWN_SECRET);
    }
    // remembered until the same body would be refused as stale anyway
    Instant expiry = (f.timestamp.isAfter(now) ? f.timestamp : now).plus(window);
    switch (deliveries.claim(f.deliveryId, now, expiry)) {
      case SEEN:
        throw new RotationRejectedException(Reason.REPLAYED);
      case FULL:
        throw new RotationRejectedException(Reason.REPLAY_MEMORY_FULL);
      default:
        break;
    }
    for (SecretRef ref : targets) {
      try {
        client.refresh(ref).close();
      } catch (InvalidSecretRefException e) {
        deliveries.release(f.deliveryId); // no provider serves the ref: retrying will not help
        throw new RotationRejectedException(Reason.UNKNOWN_SECRET, null, e);
      } catch (SecretException e) {
        deliveries.release(f.deliveryId);
        throw new RotationRejectedException(Reason.REFRESH_FAILED, null, e);
      }
    }
    RotationNotice notice = new RotationNotice(f.secretId, f.newVersion, f.rotatedFrom,
        f.timestamp, f.deliveryId, targets);
    log.info("rotation notice {} accepted: refreshed {} ({} -> {})",
        ProviderText.shown(f.deliveryId), targets, ProviderText.shown(f.rotatedFrom),
        ProviderText.shown(f.newVersion));
    if (listener != null) {
      try {
        listener.accept(notice);
      } catch (RuntimeException e) {
        log.warn("rotation notice listener threw {}", e.getClass().getName());
      }
    }
    return notice;
  }

  /** The mapping's refs, de-duplicated; a mapping that throws or returns null maps to none. */
  private List<SecretRef> mapped(String secretId) {
    Collection<SecretRef> found;
    try {
      found = refs.apply(secretId);
    } catch (RuntimeException e) {
      log.warn("rotation notice ref mapping threw {}", e.getClass().getName());
      return List.of();
    }
    if (found == null) {
      return List.of();
    }
    List<SecretRef> out = new ArrayList<>(new LinkedHashSet<>(found));
    out.removeIf(Objects::isNull);
    return out;
  }

  private List<SecretRef> defaultRefs(String secretId) {
    try {
      return List.of(SecretRef.parse(secretId));
    } catch (InvalidSecretRefException notARef) {
      try {
        return List.of(client.refOf(secretId));
      } catch (SecretConfigException notAName) {
        return List.of();
      }
    }
  }

  private static RotationRejectedException unauthenticated(Reason reason) {
    log.debug("rotation notice rejected: {}", reason.code());
    return new RotationRejectedException(reason);
  }

  /** How many delivery ids are remembered now; for tests. */
  int rememberedDeliveries() {
    return deliveries.size();
  }

  @Override
  public String toString() {
    return "RotationWebhook[signingKey=" + signingKey + ", window=" + window + "]";
  }

  /**
   * What a handler answers: a status code, a content type and a short body that never carries
   * request content. Immutable.
   */
  public static final class Response {
    static final Response ACCEPTED = new Response(204, "");
    static final Response INTERNAL_ERROR = new Response(500, "{\"error\":\"internal\"}");

    private final int status;
    private final String body;

    private Response(int status, String body) {
      this.status = status;
      this.body = body;
    }

    static Response rejected(Reason reason) {
      return new Response(reason.httpStatus(), "{\"error\":\"" + reason.code() + "\"}");
    }

    /** The HTTP status code: 204 when accepted. */
    public int status() {
      return status;
    }

    /** The body: empty when accepted, else a JSON object naming the reason. */
    public String body() {
      return body;
    }

    /** {@code application/json}, for a non-empty body. */
    public String contentType() {
      return "application/json";
    }

    @Override
    public String toString() {
      return "Response[" + status + (body.isEmpty() ? "" : " " + body) + "]";
    }
  }

  /**
   * Configures a {@link RotationWebhook}. Every setter checks its argument at once and names the
   * field it rejects. Not thread-safe; build once.
   */
  public static final class Builder {
    private final SecretsClient client;
    private final SecretRef signingKey;
    private Duration window = DEFAULT_WINDOW;
    private Clock clock = Clock.systemUTC();
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxDeliveryIds = DEFAULT_MAX_DELIVERY_IDS;
    private Function<String, ? extends Collection<SecretRef>> refs;
    private Consumer<RotationNotice> listener;

    private Builder(SecretsClient client, SecretRef signingKey) {
      this.client = Objects.requireNonNull(client, "client");
      this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
    }

    /**
     * How far a notification's timestamp may be from this webhook's clock, either way; also how
     * long delivery ids are remembered. Default 5 minutes; at most 1 hour.
     */
    public Builder window(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("window must be positive and at most 1 hour");
      }
      this.window = window;
      return this;
    }

    /** The clock timestamps are checked against; default the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest body accepted, in bytes; default 64 KiB; from 256 bytes to 1 MiB. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 256 || maxBodyBytes > 1024 * 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be in [256, 1048576]");
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * How many delivery ids are remembered within the window; default 10,000. When that many
     * accepted ids are all still within the window, further notifications are refused with
     * {@link RotationRejectedException.Reason#REPLAY_MEMORY_FULL} rather than an id forgotten.
     */
    public Builder maxDeliveryIds(int maxDeliveryIds) {
      if (maxDeliveryIds < 1) {
        throw new IllegalArgumentException("maxDeliveryIds must be positive");
      }
      this.maxDeliveryIds = maxDeliveryIds;
      return this;
    }

    /**
     * Maps a notification's {@code secret_id} to the refs to refresh; an empty collection (or
     * null, or an exception) refuses it as {@link RotationRejectedException.Reason#UNKNOWN_SECRET}.
     * Default: the id parsed as a ref, else the registry name's ref, else none. Called only for
     * notifications whose signature and timestamp are valid; must be fast and thread-safe.
     */
    public Builder refs(Function<String, ? extends Collection<SecretRef>> mapping) {
      this.refs = Objects.requireNonNull(mapping, "refs");
      return this;
    }

    /**
     * Called once for each accepted notification, after its refs were refreshed, on the thread
     * that handled it. Must be fast and should not throw (an exception is logged by type only).
     */
    public Builder onAccepted(Consumer<RotationNotice> listener) {
      this.listener = Objects.requireNonNull(listener, "onAccepted");
      return this;
    }

    /** Builds the webhook. */
    public RotationWebhook build() {
      return new RotationWebhook(this);
    }
  }
}
