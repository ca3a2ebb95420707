package io.secretsdk.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.secretsdk.rotation.RotationWebhook;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Mounts a {@link RotationWebhook} in the JDK's own {@link HttpServer}: {@code POST /rotation}
 * with an {@code X-Secrets-Signature} header. Core does not depend on {@code jdk.httpserver}; this
 * adapter is all it takes, and any other server needs the same dozen lines.
 *
 * <p>The server runs its exchanges on its dispatcher thread; {@link #close()} stops it.
 */
public final class RotationWebhookServer implements AutoCloseable {
  /** The path notifications are posted to. */
  public static final String PATH = "/rotation";

  private final HttpServer server;

  private RotationWebhookServer(HttpServer server) {
    this.server = server;
  }

  /** Starts a server on the loopback interface; {@code port} 0 picks a free one. */
  public static RotationWebhookServer start(RotationWebhook webhook, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(PATH, exchange -> handle(webhook, exchange));
    server.start();
    return new RotationWebhookServer(server);
  }

  private static void handle(RotationWebhook webhook, HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      RotationWebhook.Response r = webhook.handle(exchange.getRequestHeaders(), exchange.getRequestBody());
      if (r.body().isEmpty()) {
        exchange.sendResponseHeaders(r.status(), -1);
        return;
      }
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", r.contentType());
      exchange.sendResponseHeaders(r.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops the server at once; its dispatcher thread ends. */
  @Override
  public void close() {
    server.stop(0);
  }
}
