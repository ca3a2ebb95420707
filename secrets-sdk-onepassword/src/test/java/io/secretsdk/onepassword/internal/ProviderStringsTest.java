package io.secretsdk.onepassword.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.onepassword.Canaries;
import io.secretsdk.redact.RedactionIndex;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

final class ProviderStringsTest {
  private static final String KIND = "test/provider-strings";

  @Test
  void new_registersTheTokenGloballyAtOnce() {
    String token = Canaries.token("tok-", 40);
    new ProviderStrings(KIND, token);
    assertThat(RedactionIndex.global().redact("Authorization: Bearer " + token))
        .isEqualTo("Authorization: Bearer [REDACTED:credential://" + KIND + "]");
  }

  @Test
  void scrub_tokenStraddlingTheCut_isNotPartiallyKept() {
    String token = Canaries.token("tok-", 40);
    ProviderStrings strings = new ProviderStrings(KIND, token);
    for (int at = ProviderStrings.MAX_CHARS - 39; at <= ProviderStrings.MAX_CHARS - 1; at += 2) {
      String text = "x".repeat(at) + token + " trailing words";
      String scrubbed = strings.scrub(text);
      Canaries.assertAbsent("scrubbed text (token at " + at + ")", scrubbed, token);
      assertThat(scrubbed).doesNotContain(token.substring(0, 6)).endsWith("…")
          .hasSizeLessThanOrEqualTo(ProviderStrings.MAX_CHARS + 1);
    }
  }

  @Test
  void scrub_registeredValueStraddlingTheCut_isNotPartiallyKept() {
    String value = Canaries.token("value-", 30);
    RedactionIndex.global().register(SecretRef.parse("op://Test/straddle/" + Canaries.letters(8)),
        value.getBytes(StandardCharsets.UTF_8));
    ProviderStrings strings = new ProviderStrings(KIND, Canaries.token("tok-", 40));
    String scrubbed = strings.scrub("y".repeat(ProviderStrings.MAX_CHARS - 10) + value);
    assertThat(scrubbed).doesNotContain(value.substring(0, 8));
  }

  @Test
  void scrub_tokenDroppedByTheGlobalIndex_stillMaskedByTheOwnIndex() {
    String kind = "test/provider-strings-evicted";
    String token = Canaries.token("tok-", 40);
    ProviderStrings strings = new ProviderStrings(kind, token);
    for (int i = 0; i < 6; i++) { // the global index keeps a few versions per credential kind
      RedactionIndex.global().registerCredential(kind, Canaries.token("later-", 40));
    }
    assertThat(RedactionIndex.global().findAll(token)).as("precondition: evicted globally").isEmpty();
    String encoded = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    String scrubbed = strings.scrub("denied for " + token + " and " + encoded);
    Canaries.assertAbsent("scrubbed text", scrubbed, token);
    assertThat(scrubbed).contains("[REDACTED:credential://" + kind + "]");
  }

  @Test
  void scrub_controlCharactersAndWhitespaceRuns_becomeSingleSpaces() {
    ProviderStrings strings = new ProviderStrings(KIND, Canaries.token("tok-", 40));
    assertThat(strings.scrub("a\n\n\u001b[31mb\u202e\tc   d")).isEqualTo("a [31mb c d");
    assertThat(strings.scrub(null)).isEmpty();
  }

  @Test
  void shown_plainIdPassesButTokenBecomesFingerprint() {
    String token = Canaries.token("tok", 40);
    ProviderStrings strings = new ProviderStrings(KIND, token);
    assertThat(strings.shown("ionaiwtdvgclrixbt6ztpqcxnq")).isEqualTo("ionaiwtdvgclrixbt6ztpqcxnq");
    assertThat(strings.shown(token)).startsWith("fp:").doesNotContain(token.substring(0, 8));
  }
}
