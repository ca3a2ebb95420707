package io.secretsdk.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.redact.RedactionIndex;
import java.security.SecureRandom;
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

  private static String random(int n) {
    String alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(alnum.charAt(r.nextInt(alnum.length())));
    }
    return sb.toString();
  }

  /** Regression: the text was cut at 800 characters before scrubbing, so a token across the cut kept its first part. */
  @Test
  void scrub_tokenStraddlingTheOldCut_maskedWhole() {
    String registered = random(29); // registered with the index, not passed as known
    RedactionIndex.global().registerCredential("vault/token", registered);
    String vaultFormat = "hvs." + random(25); // a Vault token format made at run time, registered nowhere
    for (String token : List.of(registered, vaultFormat)) {
      for (int start = 800 - token.length() + 1; start < 800; start++) {
        String s = Scrubber.scrub(" ".repeat(start) + token + " rejected", Set.of());

        for (int i = 0; i + 5 <= token.length(); i++) {
          assertThat(s.contains(token.substring(i, i + 5))).as("a part of the token survives at " + start).isFalse();
        }
        assertThat(s.endsWith(" rejected")).as("the text after the token is kept").isTrue();
      }
    }
  }

  @Test
  void scrub_registeredCredentialAndTokenFormat_maskedByTheIndex() {
    String registered = random(32);
    RedactionIndex.global().registerCredential("vault/secret-id", registered);

    assertThat(Scrubber.scrub("invalid secret id " + registered, Set.of()))
        .isEqualTo("invalid secret id [REDACTED:credential://vault/secret-id]");
  }

  @Test
  void scrub_longText_cutAfterMaskingNeverInsideAMask() {
    String registered = random(32);
    RedactionIndex.global().registerCredential("vault/token", registered);
    String s = Scrubber.scrub("x".repeat(Scrubber.MAX_ERROR_LENGTH - 10) + " " + registered + " tail", Set.of());

    assertThat(s.length()).isLessThanOrEqualTo(Scrubber.MAX_ERROR_LENGTH + 1);
    assertThat(s.contains("[REDACTED:")).as("no half mask").isFalse();
    assertThat(s.contains(registered.substring(0, 5))).isFalse();
  }

  @Test
  void scrubAll_manyErrors_keepsThreeAndCountsTheRest() {
    assertThat(Scrubber.scrubAll(List.of("a", "b", "c", "d", "e"), Set.of())).isEqualTo("\"a\"; \"b\"; \"c\"; (2 more)");
    assertThat(Scrubber.scrubAll(List.of(), Set.of())).isEmpty();
  }
}
