package io.secretsdk.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class AwsRefTest {
  static final String ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:db-a1b2c3";

  @Test
  void parse_nameWithSlashesStageRegionAndKey_takesPartsApart() {
    AwsRef r = AwsRef.parse(SecretRef.parse("aws-sm://prod/stripe?stage=AWSPREVIOUS&region=eu-west-1#api_key"));

    assertThat(r.secretId()).isEqualTo("prod/stripe");
    assertThat(r.stage()).contains("AWSPREVIOUS");
    assertThat(r.versionId()).isEmpty();
    assertThat(r.region()).contains("eu-west-1");
    assertThat(r.jsonKey()).contains("api_key");
    assertThat(r.batchable()).isFalse();
  }

  @Test
  void parse_arn_regionFromArnAndBatchable() {
    AwsRef r = AwsRef.parse(SecretRef.parse("aws-sm://" + ARN + "#password"));

    assertThat(r.secretId()).isEqualTo(ARN);
    assertThat(r.region()).contains("us-west-2");
    assertThat(r.batchable()).isTrue();
    assertThat(AwsRef.parse(SecretRef.parse("aws-sm://" + ARN + "?region=us-west-2")).region())
        .contains("us-west-2");
  }

  @Test
  void parse_govCloudAndChinaArns_accepted() {
    assertThat(AwsRef.parse(SecretRef.parse(
        "aws-sm://arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x")).region())
        .contains("us-gov-west-1");
    assertThat(AwsRef.parse(SecretRef.parse(
        "aws-sm://arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x")).region())
        .contains("cn-north-1");
  }

  @Test
  void batchable_awsCurrentStage_true() {
    assertThat(AwsRef.parse(SecretRef.parse("aws-sm://x?stage=AWSCURRENT")).batchable()).isTrue();
    assertThat(AwsRef.parse(SecretRef.parse("aws-sm://x")).batchable()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "aws-sm://x?versionId=tooshort",
      "aws-sm://x?stage=AWSCURRENT&versionId=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
      "aws-sm://x?region=us_east_1",
      "aws-sm://x?Region=us-east-1",
      "aws-sm://arn:aws:s3:us-west-2:123456789012:secret:x",
      "aws-sm://arn:aws:secretsmanager:us-west-2:12345:secret:x",
      "aws-sm://arn:aws:secretsmanager:us-west-2:123456789012:secret:",
      "aws-sm://arn:aws:secretsmanager:us-west-2:123456789012:secret:db?region=eu-west-1",
      "aws-sm://name:with:colons",
      "vault://x"})
  void parse_invalid_throwsInvalidSecretRef(String ref) {
    assertThatThrownBy(() -> AwsRef.parse(SecretRef.parse(ref)))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageNotContaining("EXAMPLE11111");
  }
}
