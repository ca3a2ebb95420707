package io.secretsdk.benchmarks.coldstart;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A local Secrets Manager endpoint for the cold-start runs: MockWebServer answering
 * {@code GetSecretValue} and {@code DescribeSecret} (the caching client's first call) in the
 * service's JSON 1.1 shape, for any secret id. Prints its URL on the first line of standard output
 * and serves until standard input closes.
 *
 * <p>Usage: {@code ColdStartServer} (then read the URL, and close its stdin to stop it).
 */
public final class ColdStartServer {
  static final String JSON_11 = "application/x-amz-json-1.1";
  static final String TARGET_PREFIX = "secretsmanager.";
  static final String ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:000000000000:secret:";
  /** The value every secret has: a plain string, no JSON, as a {@code #field}-less ref reads it. */
  public static final String VALUE = "cold-start-value";
  static final String VERSION_ID = "00000000-0000-0000-0000-000000000001";

  private ColdStartServer() {}

  /** Runs the server until standard input closes. */
  public static void main(String[] args) throws IOException {
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(dispatcher());
      server.start(InetAddress.getLoopbackAddress(), 0);
      System.out.println(server.url("/"));
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // wait for the script to close our stdin
      }
    }
  }

  /** The dispatcher the server runs (tests mount it in their own MockWebServer). */
  public static Dispatcher dispatcher() {
    return new SecretsManagerDispatcher();
  }

  /** Answers the two operations the variants call; anything else is a 400 in the AWS shape. */
  static final class SecretsManagerDispatcher extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String target = request.getHeaders().get("X-Amz-Target");
      String body = request.getBody() == null ? "" : request.getBody().utf8();
      String id = secretId(body);
      if (id == null) {
        return error("ValidationException", "SecretId missing");
      }
      if ((TARGET_PREFIX + "GetSecretValue").equals(target)) {
        return json("{\"ARN\":\"" + ARN_PREFIX + id + "\",\"Name\":\"" + id + "\","
            + "\"VersionId\":\"" + VERSION_ID + "\",\"SecretString\":\"" + VALUE + "\","
            + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1523477145.713}");
      }
      if ((TARGET_PREFIX + "DescribeSecret").equals(target)) {
        return json("{\"ARN\":\"" + ARN_PREFIX + id + "\",\"Name\":\"" + id + "\","
            + "\"VersionIdsToStages\":{\"" + VERSION_ID + "\":[\"AWSCURRENT\"]}}");
      }
      return error("UnknownOperationException", "not served here");
    }

    /** The {@code SecretId} of a request body such as {@code {"SecretId":"db"}}; plain ids only. */
    static String secretId(String body) {
      String key = "\"SecretId\":\"";
      int start = body.indexOf(key);
      if (start < 0) {
        return null;
      }
      start += key.length();
      int end = body.indexOf('"', start);
      String id = end < 0 ? "" : body.substring(start, end);
      return id.matches("[A-Za-z0-9/_+=.@-]{1,512}") ? id : null;
    }

    private static MockResponse json(String body) {
      return new MockResponse.Builder().code(200)
          .setHeader("Content-Type", JSON_11)
          .setHeader("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
          .body(body).build();
    }

    private static MockResponse error(String code, String message) {
      return new MockResponse.Builder().code(400)
          .setHeader("Content-Type", JSON_11)
          .setHeader("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
          .body("{\"__type\":\"" + code + "\",\"Message\":\"" + message + "\"}").build();
    }
  }
}
