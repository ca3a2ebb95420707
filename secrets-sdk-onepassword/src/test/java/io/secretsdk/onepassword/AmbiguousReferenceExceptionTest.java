package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class AmbiguousReferenceExceptionTest {
  @Test
  void new_manyCandidates_messageNamesTheFirstTenOnly() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(String.format("id%024d", i));
    }
    AmbiguousReferenceException e = new AmbiguousReferenceException(
        SecretRef.parse("op://Prod/Twin/credential"), "item", ids);
    assertThat(e.candidateIds()).hasSize(25);
    assertThat(e.getMessage()).contains("25 items match").contains(ids.get(9))
        .doesNotContain(ids.get(10)).contains("and 15 more");
  }
}
