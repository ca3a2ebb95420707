package io.secretsdk.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * Reads secrets through the AWS Secrets Manager Agent ({@code GET /secretsmanager/get?secretId=…}
 * on localhost), which answers in {@code GetSecretValue}'s shape from its own cache, with the
 * SSRF token header {@code X-Aws-Parameters-Secrets-Token}. The token is looked up as the agent
 * itself does: {@code AWS_TOKEN} (the token, or {@code file://} and its path), else
 * {@code AWS_SESSION_TOKEN}, else {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, else the file
 * {@code /var/run/awssmatoken}; it is registered for redaction and sent to the agent only, which
 * must be on a loopback address.
 *
 * <p>Thread-safe; {@link #close()} closes its connections.
 */
public final class AgentClient implements AutoCloseable {
  /** The header the agent checks the SSRF token in. */
  public static final String TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token";
  static final String TOKEN_KIND = "aws/agent-ssrf-token";
  private static final Path DEFAULT_TOKEN_FILE = Path.of("/var/run/awssmatoken");
  private static final List<String> TOKEN_VARIABLES =
      List.of("AWS_TOKEN", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  private static final int MAX_TOKEN_FILE_BYTES = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI address;
  private final Function<String, String> environment;
  private final QuietApacheHttpClient http;
  private volatile String registeredToken;

  /**
   * @throws SecretConfigException if the address is not http(s) on a loopback address
   */
  public AgentClient(URI address, Function<String, String> environment, Duration connectTimeout,
      Duration readTimeout) {
    this.address = checkLoopback(address);
    this.environment = environment;
    this.http = new QuietApacheHttpClient(connectTimeout, readTimeout);
  }

  /** The agent's address, checked to be loopback: the SSRF token goes nowhere else. */
  public static URI checkLoopback(URI address) {
    String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(java.util.Locale.ROOT);
    String host = address.getHost();
    boolean loopback = false;
    if (host != null) {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      if (h.equalsIgnoreCase("localhost")) {
        loopback = true;
      } else if (h.matches("[0-9.]+") || h.contains(":")) {
        try {
          loopback = InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup
        } catch (IOException e) {
          loopback = false;
        }
      }
    }
    if (!(scheme.equals("http") || scheme.equals("https")) || !loopback || address.getPort() < 0
        || address.getRawQuery() != null || address.getRawUserInfo() != null) {
      throw new SecretConfigException(null, 0, "agent", "the Secrets Manager Agent address must be"
          + " http(s)://localhost:<port> or a loopback address literal with a port, e.g."
          + " http://localhost:2773");
    }
    return address;
  }

  /** The agent's answer for {@code r}, as {@code GetSecretValue}'s fields. */
  public Answer get(AwsRef r) {
    String token = token(r);
    String base = address.getRawPath() == null ? "" : address.getRawPath().replaceAll("/+$", "");
    SdkHttpFullRequest.Builder req = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.GET)
        .protocol(address.getScheme())
        .host(address.getHost())
        .port(address.getPort())
        .encodedPath(base + "/secretsmanager/get")
        .putRawQueryParameter("secretId", r.secretId())
        .putHeader(TOKEN_HEADER, token);
    r.versionId().ifPresent(v -> req.putRawQueryParameter("versionId", v));
    r.stage().ifPresent(v -> req.putRawQueryParameter("versionStage", v));
    HttpExecuteResponse resp;
    try {
      resp = http.prepareRequest(HttpExecuteRequest.builder().request(req.build()).build()).call();
    } catch (InterruptedIOException e) {
      throw new ProviderUnavailableException(r.ref(), "the Secrets Manager Agent did not answer in"
          + " time for " + r.ref());
    } catch (IOException e) {
      throw new ProviderUnavailableException(r.ref(), "the Secrets Manager Agent could not be"
          + " reached for " + r.ref() + " (" + e.getClass().getSimpleName() + ")");
    }
    byte[] body = null;
    try (InputStream in = resp.responseBody().orElse(null)) {
      body = in == null ? new byte[0] : readBounded(r, in);
      int status = resp.httpResponse().statusCode();
      JsonNode json = parse(body);
      if (status != 200) {
        String code = json == null ? null : text(json, "__type").orElse(null);
        if (code != null && code.contains("#")) {
          code = code.substring(code.lastIndexOf('#') + 1);
        }
        throw AwsErrors.agentError(r.ref(), code, status);
      }
      if (json == null || !json.isObject()) {
        throw new SecretException(r.ref(), "the Secrets Manager Agent's answer for " + r.ref()
            + " is not a GetSecretValue JSON object");
      }
      return new Answer(json);
    } catch (IOException e) {
      throw new ProviderUnavailableException(r.ref(), "reading the Secrets Manager Agent's answer"
          + " for " + r.ref() + " failed (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (body != null) {
        Arrays.fill(body, (byte) 0);
      }
    }
  }

  private static byte[] readBounded(AwsRef r, InputStream in) throws IOException {
    byte[] buf = new byte[8192];
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int n;
    long total = 0;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > BoundedResponses.DEFAULT_MAX_BYTES) {
        throw new SecretException(r.ref(), "the Secrets Manager Agent's answer for " + r.ref()
            + " exceeded " + BoundedResponses.DEFAULT_MAX_BYTES + " bytes");
      }
      out.write(buf, 0, n);
    }
    Arrays.fill(buf, (byte) 0);
    return out.toByteArray();
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static Optional<String> text(JsonNode json, String field) {
    JsonNode n = json.get(field);
    return n != null && n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
  }

  /** The SSRF token, looked up on every call (the agent may have been restarted with a new one). */
  private String token(AwsRef r) {
    String token = null;
    for (String name : TOKEN_VARIABLES) {
      String v = environment.apply(name);
      if (v != null && !v.isBlank()) {
        token = v.startsWith("file://") ? readTokenFile(r, Path.of(URI.create(v))) : v.strip();
        break;
      }
    }
    if (token == null && Files.isRegularFile(DEFAULT_TOKEN_FILE)) {
      token = readTokenFile(r, DEFAULT_TOKEN_FILE);
    }
    if (token == null || token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      throw new SecretAccessDeniedException(r.ref(), "no usable SSRF token for the Secrets Manager"
          + " Agent: set AWS_TOKEN (the token, or file://<path>) or make " + DEFAULT_TOKEN_FILE
          + " readable");
    }
    if (!token.equals(registeredToken)) {
      RedactionIndex.global().registerCredential(TOKEN_KIND, token);
      registeredToken = token;
    }
    return token;
  }

  private static String readTokenFile(AwsRef r, Path file) {
    try {
      if (Files.size(file) > MAX_TOKEN_FILE_BYTES) {
        throw new SecretAccessDeniedException(r.ref(), "the Secrets Manager Agent token file is"
            + " larger than " + MAX_TOKEN_FILE_BYTES + " bytes");
      }
      byte[] bytes = Files.readAllBytes(file);
      try {
        return new String(bytes, StandardCharsets.UTF_8).strip();
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    } catch (IOException e) {
      throw new SecretAccessDeniedException(r.ref(), "the Secrets Manager Agent token file could"
          + " not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  @Override
  public void close() {
    http.close();
  }

  /** The fields of a {@code GetSecretValue}-shaped answer. */
  public static final class Answer {
    private final JsonNode json;

    Answer(JsonNode json) {
      this.json = json;
    }

    public String arn() {
      return text(json, "ARN").orElse(null);
    }

    public String name() {
      return text(json, "Name").orElse(null);
    }

    public String versionId() {
      return text(json, "VersionId").orElse(null);
    }

    public List<String> versionStages() {
      List<String> out = new ArrayList<>();
      JsonNode n = json.get("VersionStages");
      if (n != null && n.isArray()) {
        n.forEach(s -> {
          if (s.isTextual()) {
            out.add(s.asText());
          }
        });
      }
      return out;
    }

    /** {@code CreatedDate} as the AWS JSON protocol writes it: epoch seconds, with a fraction. */
    public Instant createdDate() {
      JsonNode n = json.get("CreatedDate");
      if (n != null && n.isNumber()) {
        double seconds = n.asDouble();
        if (seconds > 0 && seconds < 1e11) {
          return Instant.ofEpochMilli((long) (seconds * 1000));
        }
      }
      return null;
    }

    public String secretString() {
      return text(json, "SecretString").orElse(null);
    }

    /** {@code SecretBinary}, base64 in JSON; {@code null} when absent or not base64. */
    public SdkBytes secretBinary() {
      Optional<String> b64 = text(json, "SecretBinary");
      if (b64.isEmpty()) {
        return null;
      }
      try {
        return SdkBytes.fromByteArrayUnsafe(java.util.Base64.getDecoder().decode(b64.get()));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
