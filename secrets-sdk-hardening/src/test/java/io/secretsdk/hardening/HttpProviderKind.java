package io.secretsdk.hardening;

import io.secretsdk.SecretRef;
import io.secretsdk.aws.AwsSecretsManagerOptions;
import io.secretsdk.aws.AwsSecretsManagerProvider;
import io.secretsdk.onepassword.OnePasswordConnectOptions;
import io.secretsdk.onepassword.OnePasswordProvider;
import io.secretsdk.platform.PlatformAuthentication;
import io.secretsdk.platform.PlatformOptions;
import io.secretsdk.platform.PlatformSecretProvider;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.Ticker;
import io.secretsdk.vault.MountKind;
import io.secretsdk.vault.VaultOptions;
import io.secretsdk.vault.VaultSecretProvider;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.net.URI;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The four HTTP providers, each described by what a healthy server answers, which request carries
 * the secret, and how to build the provider against a MockWebServer with short time-outs.
 */
enum HttpProviderKind {
  VAULT("Vault KV v2", "vault://secret/openai/ci#api_key", "application/json") {
    @Override
    boolean isSecretRequest(RecordedRequest r) {
      return r.getUrl().encodedPath().startsWith("/v1/secret/data/");
    }

    @Override
    String secretBody(String value) {
      return "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
          + "\"data\":{\"data\":{\"api_key\":\"" + value + "\"},\"metadata\":{\"created_time\":"
          + "\"2026-01-02T03:04:05.123456789Z\",\"deletion_time\":\"\",\"destroyed\":false,\"version\":3}},"
          + "\"wrap_info\":null,\"warnings\":null,\"auth\":null}";
    }

    @Override
    MockResponse other(RecordedRequest r) {
      String path = r.getUrl().encodedPath();
      if (path.endsWith("/auth/token/lookup-self")) {
        return json(200, "{\"data\":{\"ttl\":86400,\"renewable\":true,\"policies\":[\"default\"]}}");
      }
      if (path.endsWith("/auth/token/renew-self")) {
        return json(200, "{\"auth\":{\"client_token\":\"" + Canaries.VAULT_TOKEN
            + "\",\"lease_duration\":86400,\"renewable\":true,\"policies\":[\"default\"]}}");
      }
      if (path.endsWith("/auth/token/revoke-self")) {
        return new MockResponse.Builder().code(204).build();
      }
      return json(404, "{\"errors\":[]}");
    }

    @Override
    String errorBody(int code) {
      return "{\"errors\":[\"upstream said " + code + "\"]}";
    }

    @Override
    SecretProvider create(URI base, Ticker ticker, Duration readTimeout, long maxBytes) {
      return VaultSecretProvider.create(VaultOptions.builder()
          .address(base)
          .ticker(ticker)
          .readTimeout(readTimeout)
          .maxResponseBytes(maxBytes)
          .authentication(TokenAuthentication.create(
              TokenAuthenticationOptions.builder().token(Canaries.VAULT_TOKEN).build()))
          .mount("secret", MountKind.KV_V2)
          .build());
    }
  },

  AWS("AWS Secrets Manager", "aws-sm://prod/stripe", "application/x-amz-json-1.1") {
    @Override
    boolean isSecretRequest(RecordedRequest r) {
      String target = r.getHeaders().get("X-Amz-Target");
      return target != null && target.endsWith(".GetSecretValue");
    }

    @Override
    String secretBody(String value) {
      return "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-a1b2c3\","
          + "\"Name\":\"prod/stripe\",\"VersionId\":\"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1\","
          + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1523477145.713,\"SecretString\":\""
          + value + "\"}";
    }

    @Override
    MockResponse other(RecordedRequest r) {
      return json(400, "{\"__type\":\"InvalidRequestException\",\"Message\":\"not served by this test\"}");
    }

    @Override
    String errorBody(int code) {
      String type = code == 429 ? "ThrottlingException" : "InternalServiceError";
      return "{\"__type\":\"" + type + "\",\"Message\":\"upstream said " + code + "\"}";
    }

    @Override
    SecretProvider create(URI base, Ticker ticker, Duration readTimeout, long maxBytes) {
      // the AWS SDK's url-connection client has no response-size limit to configure
      return AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
          .region("us-east-1")
          .endpointOverride(base)
          .credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(Canaries.AWS_ACCESS_KEY, Canaries.AWS_SECRET_KEY)))
          .readTimeout(readTimeout)
          .connectTimeout(Duration.ofSeconds(2))
          .apiCallTimeout(Duration.ofSeconds(5))
          .ticker(ticker)
          .build());
    }
  },

  ONEPASSWORD("1Password Connect", "op://" + OnePasswordIds.VAULT + "/" + OnePasswordIds.ITEM + "/credential",
      "application/json") {
    @Override
    boolean isSecretRequest(RecordedRequest r) {
      return r.getUrl().encodedPath().equals(
          "/v1/vaults/" + OnePasswordIds.VAULT + "/items/" + OnePasswordIds.ITEM);
    }

    @Override
    String secretBody(String value) {
      return "{\"id\":\"" + OnePasswordIds.ITEM + "\",\"title\":\"Stripe\",\"vault\":{\"id\":\""
          + OnePasswordIds.VAULT + "\"},\"category\":\"API_CREDENTIAL\",\"version\":7,"
          + "\"updatedAt\":\"2024-01-02T03:04:05Z\",\"fields\":[{\"id\":\"credential\",\"type\":\"CONCEALED\","
          + "\"purpose\":\"PASSWORD\",\"label\":\"credential\",\"value\":\"" + value + "\"}]}";
    }

    @Override
    MockResponse other(RecordedRequest r) {
      return json(404, "{\"status\":404,\"message\":\"not served by this test\"}");
    }

    @Override
    String errorBody(int code) {
      return "{\"status\":" + code + ",\"message\":\"upstream said " + code + "\"}";
    }

    @Override
    SecretProvider create(URI base, Ticker ticker, Duration readTimeout, long maxBytes) {
      // Connect has one time-out for the whole call
      return OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
          .host(base)
          .token(Canaries.OP_TOKEN)
          .callTimeout(readTimeout)
          .connectTimeout(Duration.ofSeconds(2))
          .maxResponseBytes(maxBytes)
          .ticker(ticker)
          .build());
    }
  },

  PLATFORM("platform Secrets API", "secret://payments/prod/stripe/api-key", "application/json") {
    @Override
    boolean isSecretRequest(RecordedRequest r) {
      return r.getMethod().equals("GET") && r.getUrl().encodedPath().equals("/secrets/payments%2Fprod%2Fstripe%2Fapi-key");
    }

    @Override
    String secretBody(String value) {
      return "{\"name\":\"payments/prod/stripe/api-key\",\"environment\":\"prod\",\"version\":\"3\","
          + "\"created_at\":\"2026-02-11T10:00:00Z\",\"value\":\"" + value + "\"}";
    }

    @Override
    MockResponse other(RecordedRequest r) {
      if (r.getUrl().encodedPath().equals("/auth/service-token")) {
        return json(200, "{\"access_token\":\"" + Canaries.PLATFORM_TOKEN + "\",\"token_type\":\"Bearer\","
            + "\"expires_in\":900}");
      }
      return json(404, "{\"error\":\"not served by this test\"}");
    }

    @Override
    String errorBody(int code) {
      return "{\"error\":\"upstream said " + code + "\"}";
    }

    @Override
    SecretProvider create(URI base, Ticker ticker, Duration readTimeout, long maxBytes) {
      return PlatformSecretProvider.create(PlatformOptions.builder()
          .baseUrl(base)
          .authentication(PlatformAuthentication.serviceToken("svc-harden", Canaries.PLATFORM_KEY))
          .readTimeout(readTimeout)
          .connectTimeout(Duration.ofSeconds(2))
          .maxResponseBytes(maxBytes)
          .ticker(ticker)
          .build());
    }
  };

  private final String label;
  private final SecretRef ref;
  private final String contentType;

  HttpProviderKind(String label, String ref, String contentType) {
    this.label = label;
    this.ref = SecretRef.parse(ref);
    this.contentType = contentType;
  }

  String label() {
    return label;
  }

  SecretRef ref() {
    return ref;
  }

  String contentType() {
    return contentType;
  }

  /** The credentials this provider sends, which it must never let into an exception or log line. */
  java.util.List<String> credentials() {
    switch (this) {
      case VAULT:
        return java.util.List.of(Canaries.VAULT_TOKEN);
      case AWS:
        return java.util.List.of(Canaries.AWS_ACCESS_KEY, Canaries.AWS_SECRET_KEY);
      case PLATFORM:
        return java.util.List.of(Canaries.PLATFORM_KEY, Canaries.PLATFORM_TOKEN);
      default:
        return java.util.List.of(Canaries.OP_TOKEN);
    }
  }

  /** Whether {@code r} is the request that reads the secret (the one faults are injected into). */
  abstract boolean isSecretRequest(RecordedRequest r);

  /** The body of a healthy answer to the secret request, carrying {@code value}. */
  abstract String secretBody(String value);

  /** A healthy answer to any other request (token lookup, revoke on close, ...). */
  abstract MockResponse other(RecordedRequest r);

  /** The provider's native error body for an HTTP status. */
  abstract String errorBody(int code);

  abstract SecretProvider create(URI base, Ticker ticker, Duration readTimeout, long maxBytes);

  MockResponse secret(String value) {
    return json(200, secretBody(value));
  }

  MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", contentType).body(body).build();
  }

  /** 1Password ids: 26 lowercase base32 characters, so no name lookups are made. */
  static final class OnePasswordIds {
    static final String VAULT = "ionaiwtdvgclrixbt6ztpqcxnq";
    static final String ITEM = "p7eflcy7f5mk7vg6zrzf5rjjyu";

    private OnePasswordIds() {}
  }
}
