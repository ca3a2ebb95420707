package io.secretsdk.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Request;
import okio.Buffer;
import okio.GzipSink;
import okio.BufferedSink;
import okio.Okio;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies are read up to the bound and no further, whether the server declares a length, sends
 * chunks, or sends a small gzip body that inflates far past the bound.
 */
@Timeout(30)
final class BoundedBodyTest {
  private static final long LIMIT = 64 * 1024;

  @StartStop private final MockWebServer server = new MockWebServer();
  private ProviderHttpClient kit;

  private byte[] fetch(MockResponse response, long max) throws IOException {
    if (kit == null) {
      kit = ProviderHttpClient.builder("Kit", server.url("/")).build();
    }
    server.enqueue(response);
    return kit.call(new Request.Builder().url(server.url("/v1/body")).build(),
        r -> BoundedBody.read(r.body(), max));
  }

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  private static Buffer gzip(byte[] plain) throws IOException {
    Buffer out = new Buffer();
    try (BufferedSink sink = Okio.buffer(new GzipSink(out))) {
      sink.write(plain);
    }
    return out;
  }

  @Test
  void bodyWithinTheBound_readWhole() throws Exception {
    String value = Canary.make("body-");
    assertThat(new String(fetch(new MockResponse.Builder().body(value).build(), LIMIT), StandardCharsets.UTF_8))
        .isEqualTo(value);
  }

  @Test
  void declaredLengthOverTheBound_typedError_namingTheBoundOnly() {
    String value = Canary.make("big-");
    Throwable t = catchThrowable(() -> fetch(new MockResponse.Builder()
        .body(value + "x".repeat((int) LIMIT)).build(), LIMIT));

    assertThat(t).isInstanceOf(BoundedBody.TooLargeException.class)
        .hasMessageContaining(Long.toString(LIMIT)).hasMessageNotContaining(value);
    assertThat(((BoundedBody.TooLargeException) t).limit()).isEqualTo(LIMIT);
  }

  @Test
  void chunkedBodyOverTheBound_typedError() {
    Throwable t = catchThrowable(() -> fetch(new MockResponse.Builder()
        .chunkedBody(new Buffer().writeUtf8("y".repeat((int) LIMIT * 2)), 1024).build(), LIMIT));

    assertThat(t).isInstanceOf(BoundedBody.TooLargeException.class);
  }

  @Test
  void gzipBodyWithinTheBound_decoded() throws Exception {
    String value = Canary.make("zipped-");
    byte[] got = fetch(new MockResponse.Builder().setHeader("Content-Encoding", "gzip")
        .body(gzip(value.getBytes(StandardCharsets.UTF_8))).build(), LIMIT);

    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(value);
  }

  @Test
  void gzipBombOverTheBoundOnceDecoded_typedError() throws Exception {
    // 64 MiB of zeros compress to about 64 KiB: under the bound on the wire, far over it decoded
    long limit = 1024 * 1024;
    Buffer bomb = gzip(new byte[64 * 1024 * 1024]);
    assertThat(bomb.size()).as("compressed size").isLessThan(limit);

    Throwable t = catchThrowable(() -> fetch(new MockResponse.Builder()
        .setHeader("Content-Encoding", "gzip").body(bomb).build(), limit));

    assertThat(t).isInstanceOf(BoundedBody.TooLargeException.class);
  }

  @Test
  void readPrefix_returnsAtMostTheBound_withoutComplaint() throws Exception {
    server.enqueue(new MockResponse.Builder().code(500).body("z".repeat(10_000)).build());
    kit = ProviderHttpClient.builder("Kit", server.url("/")).build();

    byte[] prefix = kit.call(new Request.Builder().url(server.url("/v1/error")).build(),
        r -> BoundedBody.readPrefix(r.body(), 100));

    assertThat(prefix).hasSize(100);
    assertThat(BoundedBody.read(null, 10)).isEmpty();
    assertThat(BoundedBody.readPrefix(null, 10)).isEmpty();
  }
}
