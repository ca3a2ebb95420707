package io.secretsdk.http.internal;

import io.secretsdk.SecretConfigException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One HTTP provider's OkHttp client, built once from OkHttp's defaults or derived from a client the
 * user gave, with the SDK's rules on top whichever it is:
 *
 * <ul>
 *   <li>redirects are never followed by OkHttp ({@code followRedirects(false)},
 *       {@code followSslRedirects(false)}); a provider that follows one does so itself, after
 *       {@link #redirect} has judged it, so a credential never goes to another origin;
 *   <li>an interceptor added after every interceptor of the given client refuses any request
 *       whose URL is not of the configured origin (scheme, host and port), on what is really
 *       about to be sent, and sets the {@linkplain Builder#header final headers} (a bearer token):
 *       the given client's application interceptors never see them;
 *   <li>the timeouts given here win over the given client's; connection failures are not
 *       retried (the SDK's client retries, with backoff);
 *   <li>a given client whose hostname verifier is not OkHttp's is refused with a
 *       {@link SecretConfigException}: TLS verification is never relaxed;
 *   <li>the client has its own {@link Dispatcher} (threads named
 *       {@code "secrets-sdk <provider> dispatcher <n>"} when idle), so {@link #close()} cancels only this
 *       provider's calls and stops only its threads; the given client's connection pool is its
 *       owner's and is left as it is, the provider's own pool is emptied.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ProviderHttpClient implements AutoCloseable {
  private static final Class<?> DEFAULT_HOSTNAME_VERIFIER =
      new OkHttpClient.Builder().build().hostnameVerifier().getClass();

  private final String provider;
  private final HttpUrl origin;
  private final OkHttpClient http;
  /** Derived from a client the user gave: its connection pool is not ours to empty. */
  private final boolean derived;
  private volatile boolean closed;

  private ProviderHttpClient(Builder b) {
    this.provider = b.provider;
    this.origin = b.origin;
    OkHttpClient given = b.given;
    this.derived = given != null;
    if (given != null && given.hostnameVerifier().getClass() != DEFAULT_HOSTNAME_VERIFIER) {
      throw new SecretConfigException(null, 0, "httpClient", "the given OkHttpClient replaces"
          + " OkHttp's hostname verifier; the " + provider + " provider never relaxes TLS verification");
    }
    OkHttpClient.Builder ob = given == null ? new OkHttpClient.Builder() : given.newBuilder();
    ob.dispatcher(new Dispatcher(executor(provider)))
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false);
    if (b.connectTimeout != null) {
      ob.connectTimeout(b.connectTimeout);
    }
    if (b.readTimeout != null) {
      ob.readTimeout(b.readTimeout);
    }
    if (b.writeTimeout != null) {
      ob.writeTimeout(b.writeTimeout);
    }
    if (b.callTimeout != null) {
      ob.callTimeout(b.callTimeout);
    }
    if (b.socketFactory != null) {
      ob.sslSocketFactory(b.socketFactory, b.trustManager);
    }
    Map<String, String> headers = Map.copyOf(b.headers);
    // added last: runs after every interceptor of a given client, on what is really sent
    ob.addInterceptor(chain -> {
      if (closed) {
        throw new IOException("the " + provider + " provider is closed");
      }
      Request request = chain.request();
      if (!sameOrigin(request.url())) {
        throw new IOException("refusing a request to a host other than the configured "
            + provider + " address");
      }
      if (!headers.isEmpty()) {
        Request.Builder rb = request.newBuilder();
        headers.forEach(rb::header);
        request = rb.build();
      }
      return chain.proceed(request);
    });
    this.http = ob.build();
  }

  private static ExecutorService executor(String provider) {
    AtomicInteger n = new AtomicInteger();
    // OkHttp's own dispatcher executor, with threads that say whose they are (OkHttp renames a
    // thread to the call's redacted URL while it runs one, and restores the name after)
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, threadName(provider) + " " + n.incrementAndGet());
      t.setDaemon(false);
      return t;
    });
  }

  /** The name prefix of the provider's idle dispatcher threads. */
  public static String threadName(String provider) {
    return "secrets-sdk " + provider + " dispatcher";
  }

  /**
   * Starts a client for one provider.
   *
   * @param provider the provider's name as messages show it, e.g. {@code Vault}
   * @param origin the configured address; only its scheme, host and port matter
   */
  public static Builder builder(String provider, HttpUrl origin) {
    return new Builder(provider, origin);
  }

  /** The OkHttp client; calls on it follow every rule above. */
  public OkHttpClient okHttp() {
    return http;
  }

  /** The configured origin. */
  public HttpUrl origin() {
    return origin;
  }

  /** Whether {@code url} has the configured scheme, host and port. */
  public boolean sameOrigin(HttpUrl url) {
    return url.scheme().equals(origin.scheme()) && url.host().equalsIgnoreCase(origin.host())
        && url.port() == origin.port();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** What a provider does with an answer; the response is closed after it returns. */
  @FunctionalInterface
  public interface ResponseHandler<T> {
    /** Reads what is needed from {@code response}. */
    T handle(Response response) throws IOException;
  }

  /**
   * Sends {@code request} synchronously and hands the answer, whatever its status, to
   * {@code handler}. A call that raced {@link #close()} does not leave its connection pooled.
   *
   * @throws IOException on I/O errors and time-outs ({@link java.io.InterruptedIOException}), a
   *     request to another origin, a closed client, or what {@code handler} throws
   */
  public <T> T call(Request request, ResponseHandler<T> handler) throws IOException {
    try (Response response = http.newCall(request).execute()) {
      return handler.handle(response);
    } finally {
      if (closed && !derived) {
        // the connection may have returned to the pool after close() emptied it
        http.connectionPool().evictAll();
      }
    }
  }

  /** What a 3xx answer asks for, judged against the configured origin. */
  public enum RedirectKind {
    /** Not a redirect (304 Not Modified included). */
    NONE,
    /** A redirect without a usable {@code Location}. */
    NO_LOCATION,
    /** A redirect to another scheme, host or port: never to be followed. */
    OTHER_ORIGIN,
    /** A redirect within the configured origin. */
    SAME_ORIGIN
  }

  /** A judged redirect: its kind and, unless {@code NONE} or {@code NO_LOCATION}, its target. */
  public record Redirect(RedirectKind kind, HttpUrl target) {}

  /**
   * Judges {@code response} to a request for {@code requested}: the same-origin redirect rule,
   * for providers that follow redirects within their origin.
   */
  public Redirect redirect(HttpUrl requested, Response response) {
    int code = response.code();
    if (code < 300 || code >= 400 || code == 304) {
      return new Redirect(RedirectKind.NONE, null);
    }
    String location = response.header("Location");
    HttpUrl next = location == null ? null : requested.resolve(location);
    if (next == null) {
      return new Redirect(RedirectKind.NO_LOCATION, null);
    }
    return new Redirect(sameOrigin(next) ? RedirectKind.SAME_ORIGIN : RedirectKind.OTHER_ORIGIN, next);
  }

  /**
   * Refuses further calls, cancels the calls in flight, stops the dispatcher's threads and, for a
   * client not derived from a user's, empties the connection pool. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    // cancel in-flight calls first, or their connections return to the pool after evictAll()
    http.dispatcher().cancelAll();
    http.dispatcher().executorService().shutdown();
    if (!derived) {
      http.connectionPool().evictAll(); // a given client's pool is its owner's
    }
  }

  @Override
  public String toString() {
    return "ProviderHttpClient[" + provider + " " + origin.scheme() + "://" + origin.host() + ":"
        + origin.port() + (derived ? ", derived from a given client" : "") + "]";
  }

  /** Settings of a {@link ProviderHttpClient}; not thread-safe. */
  public static final class Builder {
    private final String provider;
    private final HttpUrl origin;
    private OkHttpClient given;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration writeTimeout;
    private Duration callTimeout;
    private SSLSocketFactory socketFactory;
    private X509TrustManager trustManager;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder(String provider, HttpUrl origin) {
      this.provider = Objects.requireNonNull(provider, "provider");
      this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** The user's client to derive from, or {@code null} for OkHttp's defaults. */
    public Builder derivedFrom(OkHttpClient client) {
      this.given = client;
      return this;
    }

    /** Connect time-out; unset keeps the base client's. */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    /** Read time-out; unset keeps the base client's. */
    public Builder readTimeout(Duration d) {
      this.readTimeout = d;
      return this;
    }

    /** Write time-out; unset keeps the base client's. */
    public Builder writeTimeout(Duration d) {
      this.writeTimeout = d;
      return this;
    }

    /** Whole-call time-out; unset keeps the base client's. */
    public Builder callTimeout(Duration d) {
      this.callTimeout = d;
      return this;
    }

    /** TLS material replacing the base client's (a CA bundle, a client certificate). */
    public Builder tls(SSLSocketFactory socketFactory, X509TrustManager trustManager) {
      this.socketFactory = Objects.requireNonNull(socketFactory, "socketFactory");
      this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
      return this;
    }

    /**
     * A header set on every request after the origin check, so after every application
     * interceptor of a given client (they never see it; its network interceptors do).
     */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws SecretConfigException if the given client replaces OkHttp's hostname verifier
     */
    public ProviderHttpClient build() {
      return new ProviderHttpClient(this);
    }
  }
}
