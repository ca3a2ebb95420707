package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretRef;
import io.secretsdk.http.internal.BoundedBody;
import io.secretsdk.http.internal.ProviderHttpClient;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.vault.VaultOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's HTTP layer over OkHttp: every request goes to {@code <address>/v1/...} with
 * {@code X-Vault-Request: true}, the namespace header and (when given) {@code X-Vault-Token}.
 *
 * <p>The OkHttp client comes from the SDK's kit ({@link ProviderHttpClient}): OkHttp never follows
 * redirects, and an interceptor after the user's refuses any request to another origin. A redirect
 * to the same origin (scheme, host and port) is followed here, up to three times; a redirect
 * anywhere else is refused, so the token never reaches another host. Bodies are read up to
 * {@link VaultOptions#maxResponseBytes()} ({@link BoundedBody}).
 *
 * <p>Thread-safe.
 */
public final class VaultTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VaultTransport.class);
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final int MAX_REDIRECTS = 3;
  private static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);
  static final ObjectMapper JSON = new ObjectMapper();

  private final ProviderHttpClient http;
  private final HttpUrl base;
  private final String namespace;
  private final long maxBytes;

  public VaultTransport(VaultOptions options) {
    this.base = HttpUrl.get(options.address().toString());
    this.namespace = options.namespace().orElse(null);
    this.maxBytes = options.maxResponseBytes();
    ProviderHttpClient.Builder b = ProviderHttpClient.builder("Vault", base)
        .derivedFrom(options.httpClient().orElse(null))
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.readTimeout())
        .writeTimeout(options.readTimeout())
        .callTimeout(options.callTimeout());
    TlsSupport.Material tls = TlsSupport.build(options.caCertificate().orElse(null),
        options.clientCertificate().orElse(null), options.clientKey().orElse(null));
    if (tls != null) {
      b.tls(tls.context.getSocketFactory(), tls.trustManager);
    }
    this.http = b.build();
  }

  /** The OkHttp client, for tests that check it is shut down. */
  public OkHttpClient okHttp() {
    return http.okHttp();
  }

  /** The base URL. */
  public HttpUrl base() {
    return base;
  }

  /**
   * Sends one request and returns the answer, whatever its status.
   *
   * @param method GET, POST, PUT or DELETE
   * @param segments path segments after {@code /v1/}, each encoded on its own
   * @param query query parameters, or an empty map
   * @param body a JSON body, or {@code null}
   * @param token the {@code X-Vault-Token}, or {@code null}
   * @param ref the ref concerned, for exception messages; or {@code null}
   * @throws ProviderUnavailableException on I/O errors, time-outs, a redirect to another origin,
   *     too large a body, or a 2xx body that is not JSON
   */
  public VaultResponse send(String method, List<String> segments, Map<String, String> query,
      JsonNode body, String token, SecretRef ref) {
    HttpUrl.Builder ub = base.newBuilder().addPathSegment("v1");
    for (String s : segments) {
      ub.addPathSegment(s);
    }
    query.forEach(ub::addQueryParameter);
    HttpUrl url = ub.build();
    String target = "/v1/" + String.join("/", segments);
    Request.Builder rb = new Request.Builder()
        .header("X-Vault-Request", "true")
        .header("Accept", "application/json")
        .header("User-Agent", "secrets-sdk-vault");
    if (namespace != null) {
      rb.header("X-Vault-Namespace", namespace);
    }
    if (token != null) {
      rb.header("X-Vault-Token", token);
    }
    byte[] payload = null;
    if (body != null) {
      try {
        payload = JSON.writeValueAsBytes(body);
      } catch (IOException e) {
        throw new IllegalStateException("cannot serialize request body", e);
      }
    }
    try {
      for (int hop = 0; ; hop++) {
        Request request = rb.url(url).method(method, payload == null
            ? (method.equals("POST") || method.equals("PUT") ? RequestBody.create(new byte[0], JSON_TYPE) : null)
            : RequestBody.create(payload, JSON_TYPE)).build();
        HttpUrl requested = url;
        Object answer = http.call(request, response -> {
          ProviderHttpClient.Redirect redirect = http.redirect(requested, response);
          return redirect.kind() == ProviderHttpClient.RedirectKind.NONE
              ? new VaultResponse(response.code(), readJson(response, ref, target), retryAfter(response))
              : redirect;
        });
        if (answer instanceof VaultResponse) {
          return (VaultResponse) answer;
        }
        ProviderHttpClient.Redirect redirect = (ProviderHttpClient.Redirect) answer;
        if (redirect.kind() == ProviderHttpClient.RedirectKind.NO_LOCATION) {
          throw new ProviderUnavailableException(ref, "Vault answered a redirect without a usable Location for " + target);
        }
        if (redirect.kind() == ProviderHttpClient.RedirectKind.OTHER_ORIGIN) {
          LOG.warn("Vault at {} redirected {} to another host ({}); not followed so the token stays with {}",
              base.host(), target, ProviderText.shown(redirect.target().host()), base.host());
          throw new ProviderUnavailableException(ref, "Vault redirected " + target
              + " to another host; not followed (point the address at the active node or its load balancer)");
        }
        if (hop >= MAX_REDIRECTS) {
          throw new ProviderUnavailableException(ref, "too many redirects for " + target);
        }
        url = redirect.target();
      }
    } catch (InterruptedIOException e) {
      throw new ProviderUnavailableException(ref, "Vault call " + target + " timed out or was interrupted", e);
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref, "Vault call " + target + " failed: " + e.getClass().getSimpleName(), e);
    } finally {
      if (payload != null) {
        java.util.Arrays.fill(payload, (byte) 0);
      }
    }
  }

  private JsonNode readJson(Response response, SecretRef ref, String target) throws IOException {
    byte[] bytes;
    try {
      bytes = BoundedBody.read(response.body(), maxBytes);
    } catch (BoundedBody.TooLargeException e) {
      throw new ProviderUnavailableException(ref, "Vault response for " + target + " exceeds " + maxBytes + " bytes");
    }
    try {
      if (bytes.length == 0) {
        return null;
      }
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        if (response.code() >= 200 && response.code() < 300) {
          // the parser's message may quote the body: drop it
          throw new ProviderUnavailableException(ref, "Vault response for " + target + " is not valid JSON", null);
        }
        return null; // error pages from proxies: status alone decides
      }
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  /** {@code Retry-After} in seconds or as an HTTP date, bounded to {@code 0..MAX_RETRY_AFTER}. */
  private static Duration retryAfter(Response response) {
    String v = response.header("Retry-After");
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      long s = Long.parseLong(v.trim());
      return s >= 0 ? Duration.ofSeconds(Math.min(s, MAX_RETRY_AFTER.getSeconds())) : null;
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
      } catch (RuntimeException ignored) {
        return null;
      }
    }
  }

  /** Shuts the dispatcher down and evicts pooled connections. Idempotent. */
  @Override
  public void close() {
    http.close();
  }
}
