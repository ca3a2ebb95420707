package io.secretsdk.aws.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpEntityEnclosingRequestBase;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.DefaultManagedHttpClientConnection;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.impl.conn.SystemDefaultRoutePlanner;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The HTTP client of the SDK clients: Apache HttpClient 4.5, built so that it cannot log what it
 * sends or receives, and so that a call which does not end cleanly closes its connection.
 *
 * <p>Why not the AWS SDK's own clients: the url-connection client cannot close the socket of a
 * response that timed out mid-body (the JDK hands it to its keep-alive cleaner, which keeps
 * reading for as long as the server trickles bytes), and the SDK's Apache client creates
 * Apache's logging connections, which write every header ({@code x-amz-security-token}) and
 * every byte of every body (the secret value) to {@code org.apache.http.headers} and
 * {@code org.apache.http.wire} at DEBUG. Here connections are plain
 * {@link DefaultManagedHttpClientConnection}s, which hold no logger, whatever the logging
 * configuration says; cookies, authentication, redirects, retries and compression are off.
 *
 * <p>A call is aborted — its connection shut down, never returned to the pool — when sending or
 * reading fails (a read timeout mid-body, a reset), when its body is closed before its end, when
 * the SDK aborts it (API call timeouts), and when this client is closed. Proxies come from the
 * JVM's {@link ProxySelector} ({@code https.proxyHost} and the like). No thread is started.
 *
 * <p>Thread-safe.
 */
final class QuietApacheHttpClient implements SdkHttpClient {
  /** Set by Apache from the request itself; copying them would send them twice or fail. */
  private static final Set<String> SET_BY_APACHE = Set.of("host", "content-length", "transfer-encoding");
  private static final AtomicLong CONNECTIONS = new AtomicLong();

  private final CloseableHttpClient client;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();

  QuietApacheHttpClient(Duration connectTimeout, Duration readTimeout) {
    PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(
        RegistryBuilder.<ConnectionSocketFactory>create()
            .register("http", PlainConnectionSocketFactory.getSocketFactory())
            .register("https", SSLConnectionSocketFactory.getSystemSocketFactory())
            .build(),
        (route, config) -> new DefaultManagedHttpClientConnection(
            "aws-" + CONNECTIONS.incrementAndGet(), 8 * 1024));
    connections.setDefaultSocketConfig(SocketConfig.custom()
        .setSoTimeout(millis(readTimeout)).setTcpNoDelay(true).build());
    connections.setDefaultMaxPerRoute(50);
    connections.setMaxTotal(50);
    this.client = HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(RequestConfig.custom()
            .setConnectTimeout(millis(connectTimeout))
            .setConnectionRequestTimeout(millis(connectTimeout))
            .setSocketTimeout(millis(readTimeout))
            .setRedirectsEnabled(false)
            .setExpectContinueEnabled(false)
            .build())
        .setRoutePlanner(new SystemDefaultRoutePlanner(ProxySelector.getDefault()))
        .disableCookieManagement()
        .disableAuthCaching()
        .disableAutomaticRetries()
        .disableRedirectHandling()
        .disableContentCompression()
        .disableConnectionState()
        .disableDefaultUserAgent()
        .build();
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    return new Call(request);
  }

  @Override
  public String clientName() {
    return "ApacheQuiet";
  }

  /** Aborts the calls in flight and closes every pooled connection. */
  @Override
  public void close() {
    for (Call c : List.copyOf(inFlight)) {
      c.abort();
    }
    try {
      client.close();
    } catch (IOException ignored) {
      // the connections are shut down either way
    }
  }

  /** An Apache request with the SDK request's method. */
  private static final class Request extends HttpEntityEnclosingRequestBase {
    private final String method;

    Request(SdkHttpRequest sdk) {
      this.method = sdk.method().name();
      setURI(sdk.getUri());
    }

    @Override
    public String getMethod() {
      return method;
    }
  }

  private final class Call implements ExecutableHttpRequest {
    private final Request request;

    Call(HttpExecuteRequest execute) {
      SdkHttpRequest sdk = execute.httpRequest();
      request = new Request(sdk);
      request.addHeader("Host", SdkHttpUtils.isUsingStandardPort(sdk.protocol(), sdk.port())
          ? sdk.host() : sdk.host() + ":" + sdk.port()); // the value the SDK signed
      sdk.forEachHeader((name, values) -> {
        if (!SET_BY_APACHE.contains(name.toLowerCase(Locale.ROOT))) {
          values.forEach(v -> request.addHeader(name, v));
        }
      });
      execute.contentStreamProvider().ifPresent(body -> request.setEntity(new InputStreamEntity(
          body.newStream(), sdk.firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(-1L))));
    }

    @Override
    public HttpExecuteResponse call() throws IOException {
      inFlight.add(this);
      CloseableHttpResponse response;
      try {
        response = client.execute(request);
      } catch (IOException | RuntimeException | Error e) {
        abort();
        throw e;
      }
      SdkHttpResponse.Builder head = SdkHttpResponse.builder()
          .statusCode(response.getStatusLine().getStatusCode())
          .statusText(response.getStatusLine().getReasonPhrase());
      for (Header h : response.getAllHeaders()) {
        head.appendHeader(h.getName(), h.getValue());
      }
      HttpEntity entity = response.getEntity();
      if (entity == null) {
        inFlight.remove(this);
        response.close();
        return HttpExecuteResponse.builder().response(head.build()).build();
      }
      return HttpExecuteResponse.builder().response(head.build())
          .responseBody(AbortableInputStream.create(new Body(entity.getContent()), this::abort))
          .build();
    }

    @Override
    public void abort() {
      inFlight.remove(this);
      request.abort();
    }

    /** The response body: a failed read, or a close before the end, aborts the call. */
    private final class Body extends FilterInputStream {
      private boolean ended;

      Body(InputStream in) {
        super(in);
      }

      @Override
      public int read() throws IOException {
        try {
          int b = super.read();
          ended |= b < 0;
          return b;
        } catch (IOException | RuntimeException e) {
          abort();
          throw e;
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          int n = super.read(b, off, len);
          ended |= n < 0;
          return n;
        } catch (IOException | RuntimeException e) {
          abort();
          throw e;
        }
      }

      @Override
      public void close() throws IOException {
        inFlight.remove(Call.this);
        if (ended) {
          super.close(); // releases the connection to the pool
          return;
        }
        abort(); // else Apache would read the rest, for as long as the server sends it
        try {
          super.close();
        } catch (IOException afterAbort) {
          // the connection is shut down: nothing left to release
        }
      }
    }
  }
}
