package io.secretsdk.redact.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class SecretLikenessTest {
  private static final String RANDOM_CANARY = randomBase64(40, 20261122L);

  private static String randomBase64(int length, long seed) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  @org.junit.jupiter.api.Test
  void maskRandomWords_masksKeyMaterialKeepsWordsAndIds() {
    String text = "denied for op://Prod/Stripe/credential (item nrt3gsfl2cqxtwivyo2e6u2ige): "
        + RANDOM_CANARY + " request 2f6a614c-4aa2-7b19-24b9-ad944a8d4de6";
    assertThat(SecretLikeness.maskRandomWords(text, "[X]"))
        .isEqualTo(text.replace(RANDOM_CANARY, "[X]"));
    assertThat(SecretLikeness.maskRandomWords("plain words only", "[X]")).isEqualTo("plain words only");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "vault://secret/openai/ci?version=3#api_key",
      "aws-sm://prod/stripe?stage=AWSPREVIOUS#api_key",
      "aws-sm://arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-AbCdEf#api_key",
      "op://Private/My Item/password",
      "op://Prod/Stripe/credential",
      "op://nrt3gsfl2cqxtwivyo2e6u2ige/x7k2p9qwerty5abcdefghijkl/password",
      "env://OPENAI_API_KEY",
      "env://STRIPE_SECRET_KEY_2024",
      "file:///run/secrets/openai",
      "mem://test/openai",
      "kv://openai/dev/api_key",
      "secret://payments/prod/stripe/api-key",
      "vault://secret/data/MyService2/ApiKey",
      "vault://kv/MyCompanyProductionDatabase01/password",
      "aws-sm://prod/db?versionId=550e8400-e29b-41d4-a716-446655440000",
      "azure-kv://myvault/mysecret?version=4387e9f3d6e14c459867679a90fd0f79",
      "enterprise-platform/prod/openai_api_key",
      "kubernetes-io-serviceaccount-token-v2",
      "ProdPaymentsStripeWebhookSigningSecret",
      "HTTPServer2FactorAuthToken",
      "llm:chat",
      "openai",
  })
  void detect_realRefsAndNames_pass(String text) {
    assertThat(SecretLikeness.detect(text)).isEmpty();
  }

  @Test
  void detect_random40CharBase64_flagged() {
    assertThat(SecretLikeness.detect(RANDOM_CANARY)).contains("high-entropy-string");
    assertThat(detectionRate(40, 64, 1000)).as("40 base64").isGreaterThanOrEqualTo(0.97);
    assertThat(detectionRate(40, 62, 1000)).as("40 alphanumeric").isGreaterThanOrEqualTo(0.97);
  }

  @Test
  void detect_randomSecretsOfCommonShapes_mostlyFlagged() {
    assertThat(detectionRate(32, 62, 1000)).as("32 alphanumeric").isGreaterThanOrEqualTo(0.9);
    assertThat(detectionRate(40, 36, 1000)).as("40 lower-case alphanumeric")
        .isGreaterThanOrEqualTo(0.9);
    assertThat(detectionRate(40, 16, 1000)).as("40 hex").isGreaterThanOrEqualTo(0.99);
    assertThat(detectionRate(64, 16, 1000)).as("64 hex").isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void detect_shortRandomOrHexVersionIds_notFlagged() {
    assertThat(detectionRate(16, 62, 200)).as("16 chars: too short to judge").isZero();
    assertThat(detectionRate(32, 16, 200)).as("32 hex: version-id sized").isZero();
    assertThat(detectionRate(26, 36, 200)).as("26 lower-case: 1Password id sized").isZero();
  }

  @Test
  void detect_knownTokenFormat_reportsDetectorId() {
    String slack = "xo" + "xb-" + "1234567890-abcdefghij";

    assertThat(SecretLikeness.detect("see " + slack)).contains("slack-token");
  }

  @Test
  void detect_randomInsideRefPath_flagged() {
    String word = randomBase64(40, 7).replace('/', 'a').replace('+', 'b');

    assertThat(SecretLikeness.detect("vault://secret/" + word + "/x")).contains("high-entropy-string");
  }

  @Test
  void shannonEntropy_knownValues() {
    assertThat(SecretLikeness.shannonEntropy("")).isZero();
    assertThat(SecretLikeness.shannonEntropy("aaaa")).isZero();
    assertThat(SecretLikeness.shannonEntropy("abab")).isEqualTo(1.0);
    assertThat(SecretLikeness.shannonEntropy("abcdefgh")).isEqualTo(3.0);
  }

  private static double detectionRate(int length, int alphabetSize, int samples) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    if (alphabetSize == 64) {
      alphabet += "+/";
    } else if (alphabetSize == 36) {
      alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    } else if (alphabetSize == 16) {
      alphabet = "0123456789abcdef";
    }
    SplittableRandom random = new SplittableRandom(length * 1000L + alphabetSize);
    int hits = 0;
    for (int n = 0; n < samples; n++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < length; i++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (SecretLikeness.detect(sb.toString()).isPresent()) {
        hits++;
      }
    }
    return hits / (double) samples;
  }
}
