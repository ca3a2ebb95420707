package io.secretsdk.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Reduces every error response body to its error code before the SDK reads it.
 *
 * <p>AWS error messages can quote request data, and the SDK keeps the whole body in its
 * exception ({@code rawResponse}), puts the message in {@code getMessage()} and logs that
 * exception at DEBUG from its retry strategy, before any code of ours could scrub it. Dropping the
 * message here means neither our exceptions nor the SDK's logs ever see it. The error code
 * ({@code __type} or {@code code}) is kept, so the SDK still builds the right modeled exception;
 * the status, the request id and the {@code X-Amzn-ErrorType} header are untouched.
 *
 * <p>Stateless and thread-safe.
 */
public final class ScrubErrorBodies implements ExecutionInterceptor {
  private static final java.util.regex.Pattern XML_CODE =
      java.util.regex.Pattern.compile("<Code>([^<]{1,300})</Code>");
  private static final java.util.regex.Pattern XML_REQUEST_ID =
      java.util.regex.Pattern.compile("<RequestId>([A-Za-z0-9-]{1,128})</RequestId>");
  /** Error bodies are small; a larger one is dropped whole rather than buffered. */
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final String ERROR_TYPE_HEADER = "X-Amzn-ErrorType";

  private final boolean xml;

  private ScrubErrorBodies(boolean xml) {
    this.xml = xml;
  }

  /** For awsJson services (Secrets Manager). */
  public static ScrubErrorBodies json() {
    return new ScrubErrorBodies(false);
  }

  /** For awsQuery services answering in XML (STS). */
  public static ScrubErrorBodies xml() {
    return new ScrubErrorBodies(true);
  }

  /**
   * The shape name of an AWS error type ({@code ns#Name:http://…} → {@code Name}), when it looks
   * like one: AWS error codes are identifiers, so anything else (text quoting data) is dropped.
   */
  static Optional<String> normalizedCode(String raw) {
    String code = raw;
    int colon = code.indexOf(':');
    if (colon >= 0) {
      code = code.substring(0, colon);
    }
    code = code.substring(code.lastIndexOf('#') + 1);
    return AwsErrors.isSafeCode(code) ? Optional.of(code) : Optional.empty();
  }

  /** Normalizes {@code X-Amzn-ErrorType} ({@code ns#Name:http://…} → {@code Name}) or drops it. */
  @Override
  public SdkHttpResponse modifyHttpResponse(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    SdkHttpResponse response = context.httpResponse();
    Optional<String> type = response.firstMatchingHeader(ERROR_TYPE_HEADER);
    if (response.isSuccessful() || type.isEmpty()) {
      return response;
    }
    Optional<String> code = normalizedCode(type.get());
    SdkHttpResponse.Builder b = response.toBuilder().removeHeader(ERROR_TYPE_HEADER);
    code.ifPresent(c -> b.putHeader(ERROR_TYPE_HEADER, c));
    return b.build();
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    SdkHttpResponse response = context.httpResponse();
    Optional<InputStream> body = context.responseBody();
    if (response.isSuccessful() || body.isEmpty()) {
      return body;
    }
    if (xml) {
      return Optional.of(scrubXml(body.get()));
    }
    return Optional.of(JsonErrors.scrub(body.get()));
  }

  /** Keeps only the error code and request id of an awsQuery XML error. */
  private static InputStream scrubXml(InputStream body) {
    String code = null;
    String requestId = null;
    try (InputStream in = body) {
      byte[] bytes = in.readNBytes(MAX_ERROR_BODY + 1);
      if (bytes.length <= MAX_ERROR_BODY) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        java.util.regex.Matcher m = XML_CODE.matcher(text);
        if (m.find()) {
          code = normalizedCode(m.group(1)).orElse(null);
        }
        m = XML_REQUEST_ID.matcher(text);
        if (m.find()) {
          requestId = m.group(1);
        }
      }
    } catch (IOException e) {
      // an unreadable body: the SDK builds an error from the status alone
    }
    StringBuilder sb = new StringBuilder("<ErrorResponse><Error><Type>Sender</Type>");
    if (code != null) {
      sb.append("<Code>").append(code).append("</Code>");
    }
    sb.append("</Error>");
    if (requestId != null) {
      sb.append("<RequestId>").append(requestId).append("</RequestId>");
    }
    sb.append("</ErrorResponse>");
    return new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The awsJson half, in its own class: its object mapper is created on the first error body, so
   * a process whose calls all succeed never loads Jackson databind for it.
   */
  private static final class JsonErrors {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Keeps only the error code of an awsJson error body, as {@code __type}. */
    static InputStream scrub(InputStream body) {
      ObjectNode scrubbed = MAPPER.createObjectNode();
      try (InputStream in = body) {
        byte[] bytes = in.readNBytes(MAX_ERROR_BODY + 1);
        if (bytes.length <= MAX_ERROR_BODY) {
          JsonNode node = MAPPER.readTree(bytes);
          // awsJson1_1 clients must accept the type in "__type" or in "code"; the SDK reads only
          // "__type", so a "code" is moved there
          for (String field : new String[] {"code", "__type"}) {
            if (node != null && node.path(field).isTextual()) {
              normalizedCode(node.get(field).textValue()).ifPresent(c -> scrubbed.put("__type", c));
            }
          }
        }
      } catch (IOException | RuntimeException notJson) {
        // keep the empty object: the SDK falls back to the X-Amzn-ErrorType header and the status
      }
      return new ByteArrayInputStream(scrubbed.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
