package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Regression test for the socket of a response that timed out mid-body being left open (the
 * url-connection client handed it to the JDK's keep-alive cleaner, which kept reading for as long
 * as the server trickled bytes). A server answers with its headers and the start of a body, then
 * one byte at a time for as long as the client listens: slower than the read timeout (the read
 * times out), or faster but never done (the SDK's API call timeout aborts the call). Each attempt
 * must end with its connection closed by the client, and after {@code close()} no thread may be
 * left. Through a real {@link SecretsClient} with retries, every logger up and the output
 * redacted.
 */
@Timeout(60)
final class SlowBodyConnectionTest {
  private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
  private static final int ATTEMPTS = 3;

  private TricklingServer server;
  private RedactedLogs logs;
  private Canaries canaries;
  private Set<Thread> threadsBefore;

  @BeforeEach
  void setUp() throws IOException {
    threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
    server = new TricklingServer();
    logs = new RedactedLogs();
    canaries = new Canaries();
  }

  @AfterEach
  void tearDown() throws Exception {
    logs.close();
    canaries.assertAbsent("output through the RedactingEncoder", logs.text());
    server.close();
  }

  @ParameterizedTest(name = "a byte every {0} ms, API call timeout {1} ms")
  @Timeout(10) // each attempt ends at its timeout, whatever the server keeps sending
  @CsvSource({"1000, 20000", "50, 1000"})
  void resolve_bodyNeverEnds_everyConnectionClosedAndNoThreadLeftAfterClose(long byteEveryMillis,
      long apiCallTimeoutMillis) throws Exception {
    server.byteEvery = Duration.ofMillis(byteEveryMillis);
    SecretsClient client = SecretsClient.builder()
        .provider(AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
            .region("us-east-1").endpointOverride(server.uri())
            .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                canaries.upper("ASIA", 16), canaries.alnum("sk", 38), canaries.alnum("st", 120))))
            .readTimeout(READ_TIMEOUT).connectTimeout(Duration.ofSeconds(2))
            .apiCallTimeout(Duration.ofMillis(apiCallTimeoutMillis)).build()))
        .retry(ATTEMPTS, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(20))
        .build();

    Throwable e = catchThrowable(() -> client.resolve("aws-sm://prod/slow"));

    assertThat(e).isInstanceOf(ProviderUnavailableException.class);
    canaries.assertAbsent("exception", Leaks.render(e));
    assertThat(server.connections).as("one connection per attempt").hasSize(ATTEMPTS);
    for (TricklingServer.Connection c : server.connections) {
      assertThat(c.closedByClient.await(5, TimeUnit.SECONDS))
          .as("the client closed the connection of a timed-out attempt").isTrue();
    }
    client.close();
    assertThat(newThreads()).as("threads left after close()").isEmpty();
  }

  private Set<String> newThreads() throws InterruptedException {
    Set<String> left = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      left.clear();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        String name = t.getName();
        if (t.isAlive() && !threadsBefore.contains(t) && !name.startsWith("trickling-server")
            && !name.startsWith("junit-jupiter-timeout") && !name.startsWith("ForkJoinPool.commonPool")) {
          left.add(name);
        }
      }
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(50); // polling threads the SDK ends asynchronously, bounded at 5 s
    }
    return left;
  }

  /**
   * Answers every request with a 200, a Content-Length of 4 KiB and the first bytes of a JSON
   * body, then one more byte every {@link #byteEvery} until the client closes the connection,
   * which it records.
   */
  static final class TricklingServer implements AutoCloseable {
    final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile Duration byteEvery = Duration.ofSeconds(1);
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread acceptor = new Thread(this::accept, "trickling-server");

    static final class Connection {
      final CountDownLatch closedByClient = new CountDownLatch(1);
    }

    TricklingServer() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          sockets.add(s);
          Connection c = new Connection();
          connections.add(c);
          Duration every = byteEvery;
          Thread t = new Thread(() -> trickle(s, c, every), "trickling-server-" + connections.size());
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private static void trickle(Socket s, Connection c, Duration every) {
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        readRequestHead(in);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            + "x-amzn-RequestId: 11111111-2222-3333-4444-555555555555\r\n"
            + "Content-Length: 4096\r\n\r\n{\"ARN\":\"arn:aws:secretsmanager:").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (int i = 0; i < 4000; i++) {
          Thread.sleep(every.toMillis());
          out.write('a'); // fails once the client has closed the connection (broken pipe, reset)
          out.flush();
        }
      } catch (IOException | InterruptedException closed) {
        c.closedByClient.countDown();
      }
    }

    /** Reads up to the blank line ending the head; the body (small JSON) is left unread. */
    private static void readRequestHead(InputStream in) throws IOException {
      int state = 0;
      for (int b; (b = in.read()) >= 0; ) {
        state = (b == '\r' || b == '\n') ? state + 1 : 0;
        if (state == 4) {
          return;
        }
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      for (Socket s : sockets) {
        s.close(); // ends the trickling threads of connections the client left open
      }
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
    }
  }
}
