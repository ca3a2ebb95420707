package io.secretsdk.aws.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.internal.ProviderText;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Maps AWS SDK failures onto the core exception hierarchy.
 *
 * <p>AWS error messages can quote request data, and client-side messages (JSON parse errors) can
 * quote response bytes, so neither is passed on: messages keep the operation, the ref, the AWS
 * error code, the HTTP status and the request id, each checked against a narrow pattern and shown
 * through {@link ProviderText#shown} (a fingerprint when it matches a registered value, a
 * credential or a token format). The cause is a {@link ScrubbedAwsException} with the original's
 * class names and stack trace only.
 */
public final class AwsErrors {
  private static final Pattern SAFE_CODE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9+/=_-]{1,128}");
  private static final long MAX_RETRY_AFTER_SECONDS = 3600;
  private static final String UNRECOGNISED_CODE = "<unrecognised error code>";

  private static final Set<String> DENIED = Set.of(
      "AccessDeniedException", "AccessDenied", "UnrecognizedClientException",
      "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidSignatureException",
      "IncompleteSignature", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
      "ExpiredToken", "ExpiredTokenException", "NotAuthorized", "AuthFailure",
      "UnauthorizedOperation", "InvalidIdentityToken", "InvalidIdentityTokenException",
      "IDPRejectedClaim", "IDPRejectedClaimException", "RegionDisabledException",
      "InvalidAccessKeyId", "OptInRequired");
  private static final Set<String> UNAVAILABLE = Set.of(
      "InternalServiceError", "InternalServiceErrorException", "InternalFailure",
      "ServiceUnavailable", "ServiceUnavailableException", "IDPCommunicationError",
      "IDPCommunicationErrorException", "RequestTimeout", "RequestTimeoutException",
      // throttling, as botocore's _retry.json and the SDK name it (per-secret batch errors carry
      // only a code, so the SDK's own classification is not available there)
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
      "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
      "EC2ThrottledException", "TransactionInProgressException",
      // clock skew: the SDK adjusts its clock offset from the failed response, so a retry works
      "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture");

  /** What a failure means to the caller. */
  public enum Kind {
    NOT_FOUND, DENIED, DECRYPTION, BAD_REF, INVALID_STATE, UNAVAILABLE, OTHER
  }

  private AwsErrors() {}

  /**
   * Classifies an AWS error code (and HTTP status, 0 when unknown). A code we know decides; else a
   * 401 or 403 is a denial, and throttling, clock skew, 429 and 5xx are transient.
   */
  public static Kind classify(String code, int status, boolean throttling, boolean clockSkew) {
    if (code != null) {
      if (code.equals("ResourceNotFoundException")) {
        return Kind.NOT_FOUND;
      }
      if (code.equals("DecryptionFailure")) {
        return Kind.DECRYPTION;
      }
      if (DENIED.contains(code)) {
        return Kind.DENIED;
      }
      if (code.equals("InvalidParameterException") || code.equals("ValidationException")) {
        return Kind.BAD_REF;
      }
      if (code.equals("InvalidRequestException")) {
        return Kind.INVALID_STATE;
      }
      if (UNAVAILABLE.contains(code)) {
        return Kind.UNAVAILABLE;
      }
    }
    if (status == 401 || status == 403) {
      // without a code we know, as proxies, gateways and emulators answer: the status says enough
      return Kind.DENIED;
    }
    if (throttling || clockSkew || status == 429 || status >= 500) {
      return Kind.UNAVAILABLE;
    }
    return Kind.OTHER;
  }

  /**
   * Whether the service answered and refused the request (a 4xx with an AWS error), so that it
   * surely changed nothing; false for 5xx, time-outs and I/O errors, after which a write may or
   * may not have been applied.
   */
  public static boolean refused(RuntimeException e) {
    return e instanceof AwsServiceException && ((AwsServiceException) e).statusCode() >= 400
        && ((AwsServiceException) e).statusCode() < 500;
  }

  /** How a failure classifies, without building an exception. */
  public static Kind kind(RuntimeException e) {
    if (e instanceof AwsServiceException) {
      AwsServiceException ase = (AwsServiceException) e;
      AwsErrorDetails details = ase.awsErrorDetails();
      return classify(safeCode(details == null ? null : details.errorCode()), ase.statusCode(),
          ase.isThrottlingException(), ase.isClockSkewException());
    }
    return Kind.OTHER;
  }

  /**
   * Maps a failure of {@code operation} for {@code ref} (may be null for calls about no one ref).
   * Our own exceptions (thrown by an identity token source inside the SDK's credential refresh)
   * pass through unchanged.
   */
  public static SecretException map(SecretRef ref, String operation, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SecretException) {
        return (SecretException) t;
      }
    }
    if (e instanceof AwsServiceException) {
      return mapService(ref, operation, (AwsServiceException) e);
    }
    return mapClient(ref, operation, e);
  }

  private static SecretException mapService(SecretRef ref, String operation, AwsServiceException e) {
    AwsErrorDetails details = e.awsErrorDetails();
    String code = safeCode(details == null ? null : details.errorCode());
    int status = e.statusCode();
    String requestId = ProviderText.shown(safeRequestId(e.requestId()));
    String facts = describe(code, status, requestId);
    ScrubbedAwsException cause = ScrubbedAwsException.of(e, facts);
    Kind kind = classify(code, status, e.isThrottlingException(), e.isClockSkewException());
    return build(kind, ref, operation, facts, cause, retryAfter(details));
  }

  /** The exception for one {@code Errors[]} entry of {@code BatchGetSecretValue}. */
  public static SecretException batchError(SecretRef ref, String errorCode) {
    String code = safeCode(errorCode);
    String facts = describe(code, 0, null) + " in the batch response";
    return build(classify(code, 0, false, false), ref, "BatchGetSecretValue", facts, null, null);
  }

  /** The exception for a failed answer of the Secrets Manager Agent (its error code may be absent). */
  public static SecretException agentError(SecretRef ref, String errorCode, int status) {
    String code = safeCode(errorCode);
    String facts = describe(code, status, null) + " from the Secrets Manager Agent";
    return build(classify(code, status, false, false), ref, "GetSecretValue", facts, null, null);
  }

  private static SecretException build(Kind kind, SecretRef ref, String operation, String facts,
      ScrubbedAwsException cause, Duration retryAfter) {
    String what = "AWS Secrets Manager " + operation + (ref == null ? "" : " for " + ref);
    switch (kind) {
      case NOT_FOUND:
        return new SecretNotFoundException(ref, what + ": secret not found (" + facts + ")", cause);
      case DENIED:
        return new SecretAccessDeniedException(ref, what + ": access denied or credentials"
            + " rejected (" + facts + ")", cause);
      case DECRYPTION:
        return new SecretAccessDeniedException(ref, what + ": the secret cannot be decrypted with"
            + " its KMS key; check kms:Decrypt permission and the key's state (" + facts + ")",
            cause);
      case BAD_REF:
        return new InvalidSecretRefException(ref, what + ": the service rejected a parameter taken"
            + " from the ref (" + facts + ")");
      case INVALID_STATE:
        return new SecretException(ref, what + ": the secret's current state does not allow this"
            + " request, e.g. it is scheduled for deletion (" + facts + ")", cause);
      case UNAVAILABLE:
        return new ProviderUnavailableException(ref, what + ": service unavailable or throttling ("
            + facts + ")", cause, retryAfter);
      default:
        return new SecretException(ref, what + ": request failed (" + facts + ")", cause);
    }
  }

  private static SecretException mapClient(SecretRef ref, String operation, RuntimeException e) {
    String what = "AWS Secrets Manager " + operation + (ref == null ? "" : " for " + ref);
    boolean io = false;
    boolean parse = false;
    boolean aborted = false;
    boolean truncated = false;
    boolean tooLarge = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getName();
      if (t instanceof BoundedResponses.ResponseTooLargeException) {
        tooLarge = true;
      } else if (name.endsWith("EOFException")) {
        // a body cut short (connection dropped mid-response) is a transport failure, even when
        // the JSON parser is the one that notices it
        truncated = true;
      } else if (name.contains("jackson") || name.contains("Json") || name.contains("Unmarshall")) {
        parse = true;
      } else if (t instanceof IOException) {
        io = true;
      }
      if (t instanceof AbortedException || t instanceof InterruptedException) {
        aborted = true;
      }
    }
    ScrubbedAwsException cause = ScrubbedAwsException.of(e, ScrubbedAwsException.classChain(e));
    if (aborted) {
      Thread.currentThread().interrupt();
      return new ProviderUnavailableException(ref, what + ": interrupted", cause);
    }
    if (tooLarge) {
      return new SecretException(ref, what + ": the response body exceeded "
          + BoundedResponses.DEFAULT_MAX_BYTES + " bytes (broken or hostile endpoint)", cause);
    }
    if (truncated) {
      return new ProviderUnavailableException(ref, what + ": the response ended early (connection"
          + " dropped mid-body)", cause);
    }
    if (parse) {
      return new SecretException(ref, what + ": the response could not be parsed (malformed"
          + " JSON or unexpected shape)", cause);
    }
    String raw = e instanceof SdkClientException ? e.getMessage() : null;
    if (!io && raw != null && raw.startsWith("Unable to load credentials")) {
      return new SecretAccessDeniedException(ref, what + ": no AWS credentials could be loaded"
          + " (SDK default credentials chain found none)", cause);
    }
    if (!io && raw != null && raw.startsWith("Unable to load region")) {
      return new SecretAccessDeniedException(ref, what + ": no AWS region configured", cause);
    }
    return new ProviderUnavailableException(ref, what + ": could not reach the service or no"
        + " response in time (" + ScrubbedAwsException.classChain(e) + ")", cause);
  }

  /**
   * The facts of a failure as shown in messages: the code (an identifier, and shown through
   * {@link ProviderText#shown} so that a server echoing a value or a credential as its error code
   * shows a fingerprint), the status and the request id (already checked by the caller).
   */
  private static String describe(String code, int status, String requestId) {
    String shown = code == null ? "no error code"
        : code.equals(UNRECOGNISED_CODE) ? code : ProviderText.shown(code);
    StringBuilder sb = new StringBuilder(shown);
    if (status > 0) {
      sb.append(", HTTP ").append(status);
    }
    if (requestId != null) {
      sb.append(", request id ").append(requestId);
    }
    return sb.toString();
  }

  /** Whether {@code code} looks like an AWS error code (an identifier, no free text). */
  static boolean isSafeCode(String code) {
    return code != null && SAFE_CODE.matcher(code).matches();
  }

  private static String safeCode(String code) {
    if (code == null || code.isEmpty()) {
      return null;
    }
    return SAFE_CODE.matcher(code).matches() ? code : UNRECOGNISED_CODE;
  }

  private static String safeRequestId(String requestId) {
    return requestId != null && SAFE_REQUEST_ID.matcher(requestId).matches() ? requestId : null;
  }

  private static Duration retryAfter(AwsErrorDetails details) {
    if (details == null || details.sdkHttpResponse() == null) {
      return null;
    }
    Optional<String> header = details.sdkHttpResponse().firstMatchingHeader("Retry-After");
    if (header.isEmpty()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.get().trim());
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER_SECONDS));
    } catch (NumberFormatException notSeconds) {
      return null; // an HTTP date: the engine's own backoff applies
    }
  }
}
