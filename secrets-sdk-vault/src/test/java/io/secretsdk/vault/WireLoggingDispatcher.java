package io.secretsdk.vault;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.logging.Level;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;

/**
 * Stands in for a library that logs HTTP traffic at debug level (an HTTP client's wire log, a proxy,
 * an APM agent): every request is logged before it is answered — on {@code java.util.logging} at
 * {@code FINE} with its headers and body as they are, and on SLF4J at DEBUG with the header values
 * URL-encoded and the body in base64. The credentials a request carries were sent, so they must be
 * registered by now: what reaches the log must be masked.
 */
final class WireLoggingDispatcher extends Dispatcher {
  private static final java.util.logging.Logger WIRE = java.util.logging.Logger.getLogger("vault.test.wire");
  private static final org.slf4j.Logger DUMP = org.slf4j.LoggerFactory.getLogger("vault.test.dump");

  private final Dispatcher delegate;

  WireLoggingDispatcher(Dispatcher delegate) {
    this.delegate = delegate;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    Headers headers = request.getHeaders();
    StringBuilder raw = new StringBuilder();
    StringBuilder encoded = new StringBuilder();
    for (int i = 0; i < headers.size(); i++) {
      raw.append(headers.name(i)).append(": ").append(headers.value(i)).append("; ");
      encoded.append(headers.name(i)).append('=').append(URLEncoder.encode(headers.value(i), StandardCharsets.UTF_8)).append('&');
    }
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    WIRE.log(Level.FINE, "--> {0} {1} headers[{2}] body[{3}]", new Object[] {request.getMethod(),
        request.getUrl().encodedPath(), raw, new String(body, StandardCharsets.UTF_8)});
    DUMP.debug("--> {} {} headers?{} body(base64)={}", request.getMethod(), request.getUrl().encodedPath(), encoded,
        Base64.getEncoder().encodeToString(body));
    return delegate.dispatch(request);
  }
}
