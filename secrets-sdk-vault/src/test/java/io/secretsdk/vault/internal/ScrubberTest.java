package io.secretsdk.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ScrubberTest {

  @Test
  void scrub_knownCredential_isMasked() {
    assertThat(Scrubber.scrub("invalid secret id abc-123-canary", Set.of("abc-123-canary")))
        .isEqualTo("invalid secret id ****");
  }

  @Test
  void scrub_vaultTokensUuidsAndLongRuns_areMasked() {
    String s = Scrubber.scrub("token hvs.AbCdEf0123456789xyzXYZ and s.abcdefghijklmnopqrstuvwx and "
        + "cf64a70f-3a12-3f6c-791d-6cef6d390eed and sk-abcdefghij0123456789ABCDEFGHIJ", Set.of());

    assertThat(s).doesNotContain("AbCdEf0123456789").doesNotContain("abcdefghijklmnop")
        .doesNotContain("cf64a70f").doesNotContain("0123456789ABCDEF").contains("token ****");
  }

  @Test
  void scrub_wellKnownTokenFormats_areMasked() {
    String gh = "ghp_" + "a1".repeat(18);
    assertThat(Scrubber.scrub("bad credential " + gh, Set.of())).doesNotContain(gh);
  }

  @Test
  void scrub_ordinaryVaultMessages_areKept() {
    assertThat(Scrubber.scrub("check-and-set parameter did not match the current version", Set.of()))
        .isEqualTo("check-and-set parameter did not match the current version");
    assertThat(Scrubber.scrub("1 error occurred:\n\t* permission denied\n\n", Set.of()))
        .isEqualTo("1 error occurred: * permission denied");
  }

  @Test
  void scrub_controlAndBidiCharacters_removedAndLengthBounded() {
    String s = Scrubber.scrub("a\u0000b\u202ec" + "x ".repeat(500), Set.of());

    assertThat(s).doesNotContain("\u0000").doesNotContain("\u202e");
    assertThat(s.length()).isLessThanOrEqualTo(Scrubber.MAX_ERROR_LENGTH + 1);
  }

  @Test
  void scrubAll_manyErrors_keepsThreeAndCountsTheRest() {
    assertThat(Scrubber.scrubAll(List.of("a", "b", "c", "d", "e"), Set.of())).isEqualTo("\"a\"; \"b\"; \"c\"; (2 more)");
    assertThat(Scrubber.scrubAll(List.of(), Set.of())).isEmpty();
  }
}
