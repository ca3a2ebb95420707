package io.secretsdk.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretRef;
import io.secretsdk.http.internal.BoundedBody;
import io.secretsdk.http.internal.ProviderHttpClient;
import io.secretsdk.http.internal.RetryAfter;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.platform.PlatformOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's HTTP layer: every request goes to {@code <base URL>/<path>} with JSON in and out.
 *
 * <p>The OkHttp client comes from the SDK's kit ({@link ProviderHttpClient}): OkHttp never follows
 * redirects and an interceptor after the user's refuses any request to another origin. This
 * transport follows no redirect at all (the API has no reason to send one, and a bearer token must
 * not travel): a 3xx is a {@link ProviderUnavailableException} naming where it pointed only by
 * host. Bodies are read up to {@link PlatformOptions#maxResponseBytes()} ({@link BoundedBody}); a
 * 2xx body that is not JSON is an error whose message never quotes it.
 *
 * <p>Thread-safe.
 */
public final class PlatformTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlatformTransport.class);
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  static final ObjectMapper JSON = new ObjectMapper();

  private final ProviderHttpClient http;
  private final HttpUrl base;
  private final long maxBytes;
  private final Clock clock;

  /** Builds the transport (and its OkHttp client) for {@code options}. */
  public PlatformTransport(PlatformOptions options) {
    this.base = HttpUrl.get(options.baseUrl().toString());
    this.maxBytes = options.maxResponseBytes();
    this.clock = options.clock();
    this.http = ProviderHttpClient.builder("platform Secrets API", base)
        .derivedFrom(options.httpClient().orElse(null))
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.readTimeout())
        .writeTimeout(options.readTimeout())
        .callTimeout(options.callTimeout())
        .build();
  }

  /** The OkHttp client, for tests that check it is shut down. */
  public OkHttpClient okHttp() {
    return http.okHttp();
  }

  /**
   * Sends one request and returns the answer, whatever its status.
   *
   * @param method GET, POST or DELETE
   * @param segments path segments after the base URL, each encoded on its own ({@code /} in a
   *     secret name becomes {@code %2F})
   * @param query query parameters in order, or an empty map
   * @param body a JSON body, or {@code null}; its bytes are wiped once sent
   * @param bearer the access token, or {@code null}
   * @param ref the ref concerned, for exception messages; or {@code null}
   * @param target a safe description of the call for messages ({@code GET /secrets/{name}})
   * @throws ProviderUnavailableException on I/O errors, time-outs, any redirect, a request to
   *     another origin, too large a body, or a 2xx body that is not JSON
   */
  public PlatformResponse send(String method, List<String> segments, Map<String, String> query, JsonNode body,
      String bearer, SecretRef ref, String target) {
    HttpUrl.Builder ub = base.newBuilder();
    for (String s : segments) {
      ub.addPathSegment(s);
    }
    query.forEach(ub::addQueryParameter);
    Request.Builder rb = new Request.Builder().url(ub.build())
        .header("Accept", "application/json")
        .header("User-Agent", "secrets-sdk-platform");
    if (bearer != null) {
      rb.header("Authorization", "Bearer " + bearer);
    }
    byte[] payload = null;
    try {
      if (body != null) {
        payload = JSON.writeValueAsBytes(body);
        rb.method(method, RequestBody.create(payload, JSON_TYPE));
      } else {
        rb.method(method, method.equals("POST") ? RequestBody.create(new byte[0], JSON_TYPE) : null);
      }
      return http.call(rb.build(), response -> {
        int code = response.code();
        if (code >= 300 && code < 400 && code != 304) {
          String location = response.header("Location");
          HttpUrl to = location == null ? null : response.request().url().resolve(location);
          LOG.warn("platform Secrets API at {} redirected {} (to {}); redirects are never followed",
              base.host(), target, to == null ? "no usable Location" : ProviderText.shown(to.host()));
          throw new ProviderUnavailableException(ref, "the platform Secrets API redirected " + target
              + "; not followed, so the token stays with " + base.host() + " (point the base URL at the API itself)");
        }
        return new PlatformResponse(code, readJson(response.body(), code, ref, target), RetryAfter.of(response, clock));
      });
    } catch (ProviderUnavailableException e) {
      throw e;
    } catch (InterruptedIOException e) {
      throw new ProviderUnavailableException(ref, "platform call " + target + " timed out or was interrupted", e);
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref, "platform call " + target + " failed: " + e.getClass().getSimpleName(), e);
    } finally {
      if (payload != null) {
        Arrays.fill(payload, (byte) 0);
      }
    }
  }

  private JsonNode readJson(okhttp3.ResponseBody responseBody, int code, SecretRef ref, String target) throws IOException {
    boolean ok = code >= 200 && code < 300;
    byte[] bytes;
    try {
      bytes = ok ? BoundedBody.read(responseBody, maxBytes) : BoundedBody.readPrefix(responseBody, Math.min(maxBytes, 64 * 1024));
    } catch (BoundedBody.TooLargeException e) {
      throw new ProviderUnavailableException(ref, "platform response to " + target + " exceeds " + maxBytes + " bytes");
    }
    try {
      if (bytes.length == 0) {
        return null;
      }
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        if (ok) {
          // the parser's message may quote the body: drop it
          throw new ProviderUnavailableException(ref, "platform response to " + target + " is not valid JSON");
        }
        return null; // an error page from a proxy: the status alone decides
      }
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Cancels calls in flight, stops the dispatcher's threads and empties the pool. Idempotent. */
  @Override
  public void close() {
    http.close();
  }
}
