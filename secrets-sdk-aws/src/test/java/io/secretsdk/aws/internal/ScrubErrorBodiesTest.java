package io.secretsdk.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class ScrubErrorBodiesTest {

  @Test
  void normalizedCode_namespacesAndUriSuffixes_reducedToShapeName() {
    assertThat(ScrubErrorBodies.normalizedCode("ResourceNotFoundException")).contains("ResourceNotFoundException");
    assertThat(ScrubErrorBodies.normalizedCode("com.amazonaws.secretsmanager#DecryptionFailure"))
        .contains("DecryptionFailure");
    assertThat(ScrubErrorBodies.normalizedCode(
        "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"))
        .contains("FooError");
  }

  @Test
  void normalizedCode_freeText_dropped() {
    assertThat(ScrubErrorBodies.normalizedCode("Bad secret-value here")).isEmpty();
    assertThat(ScrubErrorBodies.normalizedCode("canary-VALUE-123")).isEmpty();
    assertThat(ScrubErrorBodies.normalizedCode("")).isEmpty();
  }
}
