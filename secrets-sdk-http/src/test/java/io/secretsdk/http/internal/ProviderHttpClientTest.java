package io.secretsdk.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules {@link ProviderHttpClient} puts on every provider's client, whether built from OkHttp's
 * defaults or derived from a user's: same origin only, no redirects followed by OkHttp, headers set
 * after the user's interceptors, the kit's timeouts, no relaxed hostname verification, and a
 * close() that stops the provider's calls and threads but not the user's client.
 */
@Timeout(30)
final class ProviderHttpClientTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer other = new MockWebServer();
  private final List<OkHttpClient> users = new CopyOnWriteArrayList<>();
  private final List<ProviderHttpClient> kits = new CopyOnWriteArrayList<>();
  private final String credential = Canary.make("kit-token-");

  @AfterEach
  void tearDown() {
    kits.forEach(ProviderHttpClient::close);
    for (OkHttpClient u : users) {
      u.dispatcher().executorService().shutdown();
      u.connectionPool().evictAll();
    }
  }

  private ProviderHttpClient.Builder kit(HttpUrl origin) {
    return ProviderHttpClient.builder("Kit", origin).header("Authorization", "Bearer " + credential);
  }

  private ProviderHttpClient built(ProviderHttpClient.Builder b) {
    ProviderHttpClient k = b.build();
    kits.add(k);
    return k;
  }

  private OkHttpClient user(OkHttpClient.Builder b) {
    OkHttpClient c = b.build();
    users.add(c);
    return c;
  }

  private static Request get(HttpUrl url) {
    return new Request.Builder().url(url).build();
  }

  @Test
  void redirectToAnotherHost_notFollowed_andTheCredentialNeverReachesIt() throws Exception {
    // a user's client that would follow redirects: the kit turns that off
    OkHttpClient follows = user(new OkHttpClient.Builder().followRedirects(true).followSslRedirects(true));
    ProviderHttpClient k = built(kit(server.url("/")).derivedFrom(follows));
    server.enqueue(new MockResponse.Builder().code(307)
        .setHeader("Location", other.url("/v1/moved").toString()).build());

    ProviderHttpClient.Redirect redirect = k.call(get(server.url("/v1/secret")),
        response -> k.redirect(server.url("/v1/secret"), response));

    assertThat(redirect.kind()).isEqualTo(ProviderHttpClient.RedirectKind.OTHER_ORIGIN);
    assertThat(redirect.target().port()).isEqualTo(other.getPort());
    assertThat(other.getRequestCount()).as("requests that reached the other host").isZero();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer " + credential);
  }

  @Test
  void redirectWithinTheOrigin_judgedSameOrigin_andAResponseIsNotARedirect() throws Exception {
    ProviderHttpClient k = built(kit(server.url("/")));
    server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/v1/elsewhere").build());
    server.enqueue(new MockResponse.Builder().code(304).build());
    server.enqueue(new MockResponse.Builder().code(301).build());
    HttpUrl requested = server.url("/v1/secret");

    ProviderHttpClient.Redirect same = k.call(get(requested), r -> k.redirect(requested, r));
    ProviderHttpClient.Redirect notModified = k.call(get(requested), r -> k.redirect(requested, r));
    ProviderHttpClient.Redirect noLocation = k.call(get(requested), r -> k.redirect(requested, r));

    assertThat(same.kind()).isEqualTo(ProviderHttpClient.RedirectKind.SAME_ORIGIN);
    assertThat(same.target()).isEqualTo(server.url("/v1/elsewhere"));
    assertThat(notModified.kind()).isEqualTo(ProviderHttpClient.RedirectKind.NONE);
    assertThat(noLocation.kind()).isEqualTo(ProviderHttpClient.RedirectKind.NO_LOCATION);
  }

  @Test
  void userInterceptorSendingElsewhere_refusedBeforeAnythingIsSent() throws Exception {
    // the origin check runs after the user's interceptors, on what would really be sent
    HttpUrl elsewhere = other.url("/stolen");
    OkHttpClient rewrites = user(new OkHttpClient.Builder()
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().url(elsewhere).build())));
    ProviderHttpClient k = built(kit(server.url("/")).derivedFrom(rewrites));

    assertThatThrownBy(() -> k.call(get(server.url("/v1/secret")), Response::code))
        .isInstanceOf(IOException.class).hasMessageContaining("refusing")
        .hasMessageNotContaining(credential);
    assertThatThrownBy(() -> k.okHttp().newCall(get(other.url("/direct"))).execute())
        .isInstanceOf(IOException.class).hasMessageContaining("refusing");

    assertThat(other.getRequestCount()).isZero();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void otherPortOrScheme_isAnotherOrigin() {
    ProviderHttpClient k = built(kit(HttpUrl.get("https://vault.example.com:8200/")));

    assertThat(k.sameOrigin(HttpUrl.get("https://VAULT.example.com:8200/v1/x"))).isTrue();
    assertThat(k.sameOrigin(HttpUrl.get("https://vault.example.com:8201/v1/x"))).isFalse();
    assertThat(k.sameOrigin(HttpUrl.get("http://vault.example.com:8200/v1/x"))).isFalse();
    assertThat(k.sameOrigin(HttpUrl.get("https://vault.example.com.evil.test:8200/v1/x"))).isFalse();
  }

  @Test
  void userClient_itsInterceptorsAndProxyKept_andTheyNeverSeeTheFinalHeaders() throws Exception {
    List<String> seenByInterceptor = new CopyOnWriteArrayList<>();
    OkHttpClient corporate = user(new OkHttpClient.Builder()
        .proxy(other.getProxyAddress()) // the second server stands in for an HTTP proxy
        .addInterceptor(chain -> {
          seenByInterceptor.add(String.valueOf(chain.request().header("Authorization")));
          return chain.proceed(chain.request().newBuilder().header("X-Trace-Id", "t-1").build());
        }));
    // a host only the proxy knows: the request can only succeed through it
    HttpUrl origin = HttpUrl.get("http://vault.internal.test:8200/");
    ProviderHttpClient k = built(kit(origin).derivedFrom(corporate));
    other.enqueue(new MockResponse.Builder().code(200).body("ok").build());

    int code = k.call(get(origin.resolve("/v1/secret")), Response::code);

    assertThat(code).isEqualTo(200);
    RecordedRequest atProxy = other.takeRequest();
    assertThat(atProxy.getRequestLine()).contains("http://vault.internal.test:8200/v1/secret");
    assertThat(atProxy.getHeaders().get("X-Trace-Id")).isEqualTo("t-1");
    assertThat(atProxy.getHeaders().get("Authorization")).isEqualTo("Bearer " + credential);
    assertThat(seenByInterceptor).containsExactly("null");
    assertThat(k.okHttp().proxy()).isEqualTo(corporate.proxy());
    assertThat(k.okHttp().followRedirects()).isFalse();
    assertThat(k.okHttp().retryOnConnectionFailure()).isFalse();
  }

  @Test
  void timeouts_ofTheKitWinOverTheUsersClient_andTimeOutsAreInterruptedIo() {
    OkHttpClient patient = user(new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5)));
    ProviderHttpClient k = built(kit(server.url("/")).derivedFrom(patient)
        .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofMillis(200))
        .writeTimeout(Duration.ofMillis(300)).callTimeout(Duration.ofSeconds(3)));
    server.enqueue(new MockResponse.Builder().code(200).body("late").headersDelay(10, TimeUnit.SECONDS).build());

    assertThat(k.okHttp().readTimeoutMillis()).isEqualTo(200);
    assertThat(k.okHttp().writeTimeoutMillis()).isEqualTo(300);
    assertThat(k.okHttp().connectTimeoutMillis()).isEqualTo(2000);
    assertThat(k.okHttp().callTimeoutMillis()).isEqualTo(3000);
    assertThatThrownBy(() -> k.call(get(server.url("/v1/slow")), Response::code))
        .isInstanceOf(InterruptedIOException.class);
  }

  @Test
  void callTimeout_boundsAServerThatTricklesItsBody() {
    ProviderHttpClient k = built(kit(server.url("/")).callTimeout(Duration.ofMillis(500)));
    server.enqueue(new MockResponse.Builder().code(200).body("x".repeat(4096))
        .throttleBody(1, 100, TimeUnit.MILLISECONDS).build());

    assertThatThrownBy(() -> k.call(get(server.url("/v1/trickle")), r -> BoundedBody.read(r.body(), 1 << 20)))
        .isInstanceOf(InterruptedIOException.class);
  }

  @Test
  void userClientWithItsOwnHostnameVerifier_refused() {
    OkHttpClient lax = user(new OkHttpClient.Builder().hostnameVerifier((host, session) -> true));

    assertThatThrownBy(() -> built(kit(server.url("/")).derivedFrom(lax)))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("hostname verifier").hasMessageContaining("Kit provider");
  }

  @Test
  void close_userClientKeepsWorking_itsPoolAndThreadsUntouched() throws Exception {
    OkHttpClient mine = user(new OkHttpClient.Builder());
    ProviderHttpClient k = built(kit(server.url("/")).derivedFrom(mine));
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    String body = k.call(get(server.url("/v1/a")), r -> r.body().string());
    assertThat(body).isEqualTo("ok");
    int pooled = mine.connectionPool().connectionCount();

    k.close();

    assertThat(k.okHttp().dispatcher().executorService().isShutdown()).isTrue();
    assertThat(mine.dispatcher().executorService().isShutdown()).isFalse();
    assertThat(mine.connectionPool().connectionCount()).isEqualTo(pooled).isPositive();
    server.enqueue(new MockResponse.Builder().code(200).body("still").build());
    try (Response r = mine.newCall(get(server.url("/ping"))).execute()) {
      assertThat(r.body().string()).isEqualTo("still");
    }
    assertThatThrownBy(() -> k.call(get(server.url("/v1/b")), Response::code))
        .isInstanceOf(IOException.class).hasMessageContaining("Kit provider is closed");
  }

  @Test
  void close_ownClient_emptiesItsPool() throws Exception {
    ProviderHttpClient k = built(kit(server.url("/")));
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    String body = k.call(get(server.url("/v1/a")), r -> r.body().string());
    assertThat(body).isEqualTo("ok");
    assertThat(k.okHttp().connectionPool().connectionCount()).isPositive();

    k.close();
    k.close(); // idempotent

    assertThat(k.okHttp().connectionPool().connectionCount()).isZero();
    assertThat(k.isClosed()).isTrue();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void close_leavesNoThreadOfTheProvidersDispatcher() throws Exception {
    String provider = "Kit-" + Canary.make("");
    // a user's interceptor runs on the thread that carries the call: the provider's dispatcher
    // threads, for calls enqueued on the provider's client
    Set<Thread> carriers = ConcurrentHashMap.newKeySet();
    OkHttpClient mine = user(new OkHttpClient.Builder().addInterceptor(chain -> {
      carriers.add(Thread.currentThread());
      return chain.proceed(chain.request());
    }));
    ProviderHttpClient k = ProviderHttpClient.builder(provider, server.url("/")).derivedFrom(mine).build();
    kits.add(k);
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(200).body("slow").headersDelay(20, TimeUnit.SECONDS).build());
    }
    CountDownLatch failed = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      k.okHttp().newCall(get(server.url("/v1/slow/" + i))).enqueue(new Callback() {
        @Override
        public void onFailure(Call call, IOException e) {
          failed.countDown();
        }

        @Override
        public void onResponse(Call call, Response response) {
          response.close();
        }
      });
    }
    for (int i = 0; i < 3; i++) {
      server.takeRequest(); // each call is in flight, past the interceptor
    }
    assertThat(carriers).hasSize(3).allSatisfy(t -> assertThat(t.isAlive()).isTrue());

    k.close();

    assertThat(failed.await(20, TimeUnit.SECONDS)).as("in-flight calls cancelled").isTrue();
    for (Thread t : carriers) {
      t.join(); // the dispatcher's executor is shut down: its threads end (bounded by the timeout)
    }
    Set<Thread> live = Thread.getAllStackTraces().keySet();
    assertThat(live).as("threads of the provider's dispatcher still alive").doesNotContainAnyElementsOf(carriers);
    assertThat(live).extracting(Thread::getName)
        .noneMatch(name -> name.startsWith(ProviderHttpClient.threadName(provider)));
    assertThat(mine.dispatcher().executorService().isShutdown()).isFalse();
  }

  @Test
  void toString_namesProviderAndOrigin_neverAHeader() {
    ProviderHttpClient k = built(kit(server.url("/")));
    assertThat(k.toString()).contains("Kit", server.getHostName()).doesNotContain(credential);
  }
}
