package io.secretsdk.aws.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@code aws-sm://} ref taken apart: {@code aws-sm://<name-or-arn>[?versionId=…|stage=…][&region=…][#jsonKey]}.
 *
 * <p>Immutable and thread-safe. Not for users: the public API takes {@link SecretRef}.
 */
public final class AwsRef {
  /** The scheme served. */
  public static final String SCHEME = "aws-sm";

  /** Regions are host labels in the endpoint name, so only this shape is let through. */
  public static final Pattern REGION = Pattern.compile("[a-z]{2,5}(-[a-z0-9]{1,16}){1,4}");

  private static final Set<String> PARAMS = Set.of("versionId", "stage", "region");
  private static final int SECRET_ID_MAX = 2048;
  private static final int VERSION_ID_MIN = 32;
  private static final int VERSION_ID_MAX = 64;
  private static final int STAGE_MAX = 256;

  private final SecretRef ref;
  private final String secretId;
  private final String versionId;
  private final String stage;
  private final String region;
  private final String jsonKey;

  private AwsRef(SecretRef ref, String secretId, String versionId, String stage, String region,
      String jsonKey) {
    this.ref = ref;
    this.secretId = secretId;
    this.versionId = versionId;
    this.stage = stage;
    this.region = region;
    this.jsonKey = jsonKey;
  }

  /**
   * Validates {@code ref} as an {@code aws-sm} ref.
   *
   * @throws InvalidSecretRefException naming what is wrong (never echoing a value)
   */
  public static AwsRef parse(SecretRef ref) {
    if (!SCHEME.equals(ref.scheme())) {
      throw new InvalidSecretRefException(ref, "the AWS Secrets Manager provider serves only "
          + SCHEME + ":// refs");
    }
    for (String key : ref.query().keySet()) {
      if (!PARAMS.contains(key)) {
        throw new InvalidSecretRefException(ref, "unknown query parameter '" + key
            + "' for aws-sm refs; use versionId, stage or region");
      }
    }
    String secretId = ref.path();
    if (secretId.length() > SECRET_ID_MAX) {
      throw new InvalidSecretRefException(ref, "secret name or ARN is longer than "
          + SECRET_ID_MAX + " characters");
    }
    String versionId = ref.queryParam("versionId").orElse(null);
    String stage = ref.queryParam("stage").orElse(null);
    if (versionId != null && stage != null) {
      throw new InvalidSecretRefException(ref,
          "aws-sm refs take either versionId or stage, not both");
    }
    if (versionId != null
        && (versionId.length() < VERSION_ID_MIN || versionId.length() > VERSION_ID_MAX)) {
      throw new InvalidSecretRefException(ref, "versionId must be " + VERSION_ID_MIN + " to "
          + VERSION_ID_MAX + " characters long");
    }
    if (stage != null && stage.length() > STAGE_MAX) {
      throw new InvalidSecretRefException(ref, "stage must be at most " + STAGE_MAX
          + " characters long");
    }
    String region = ref.queryParam("region").orElse(null);
    if (region != null && !REGION.matcher(region).matches()) {
      throw new InvalidSecretRefException(ref,
          "region parameter is not an AWS region name such as us-east-1");
    }
    if (secretId.indexOf(':') >= 0) {
      String arnRegion = arnRegion(ref, secretId);
      if (region != null && !region.equals(arnRegion)) {
        throw new InvalidSecretRefException(ref,
            "region parameter '" + region + "' differs from the ARN's region '" + arnRegion + "'");
      }
      region = arnRegion;
    }
    return new AwsRef(ref, secretId, versionId, stage, region, ref.field().orElse(null));
  }

  /** The region of a Secrets Manager ARN; names cannot hold ':', so anything else is refused. */
  private static String arnRegion(SecretRef ref, String id) {
    String[] parts = id.split(":", 7);
    if (parts.length != 7 || !parts[0].equals("arn") || parts[1].isEmpty()
        || !parts[2].equals("secretsmanager") || !parts[5].equals("secret") || parts[6].isEmpty()
        || !parts[4].matches("\\d{12}")) {
      throw new InvalidSecretRefException(ref, "path contains ':' but is not a Secrets Manager"
          + " ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)");
    }
    if (!REGION.matcher(parts[3]).matches()) {
      throw new InvalidSecretRefException(ref, "the ARN's region is not an AWS region name");
    }
    return parts[3];
  }

  /** The ref this was parsed from. */
  public SecretRef ref() {
    return ref;
  }

  /** The {@code SecretId} to send: a name or an ARN. */
  public String secretId() {
    return secretId;
  }

  /** The pinned version id, if any. */
  public Optional<String> versionId() {
    return Optional.ofNullable(versionId);
  }

  /** The pinned stage, if any. */
  public Optional<String> stage() {
    return Optional.ofNullable(stage);
  }

  /** The region from the ref's {@code region} parameter or its ARN, if any. */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** The JSON key to extract, if any. */
  public Optional<String> jsonKey() {
    return Optional.ofNullable(jsonKey);
  }

  /**
   * Whether {@code BatchGetSecretValue} can serve this ref: it returns only the
   * {@code AWSCURRENT} version.
   */
  public boolean batchable() {
    return versionId == null && (stage == null || stage.equals("AWSCURRENT"));
  }

  @Override
  public String toString() {
    return ref.toString();
  }
}
