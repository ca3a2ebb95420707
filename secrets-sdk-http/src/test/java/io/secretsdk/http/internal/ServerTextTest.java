package io.secretsdk.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.redact.RedactionIndex;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Server text is scrubbed on the whole string first and cut only then. */
final class ServerTextTest {

  @Test
  void scrub_masksWhatTheProviderSent() {
    String token = Canary.make("tok-");
    String s = ServerText.scrub("invalid token " + token, 200, Set.of(token), null);

    assertThat(s).startsWith("invalid token ").doesNotContain(token);
  }

  @Test
  void scrub_masksWhatTheProvidersOwnIndexHolds() {
    String token = Canary.make("own-");
    RedactionIndex own = RedactionIndex.create();
    own.registerCredential("kit/test-token", token);

    assertThat(ServerText.scrub("rejected " + token + " here", 200, Set.of(), own)).doesNotContain(token)
        .contains("rejected");
  }

  @Test
  void scrub_aSecretAcrossTheCut_isNotHalfShown() {
    String token = Canary.make("cut-");
    int max = 60;
    String text = "x".repeat(max - 10) + " " + token + " tail";

    String s = ServerText.scrub(text, max, Set.of(token), null);

    assertThat(s.length()).isLessThanOrEqualTo(max + 1);
    assertThat(s).doesNotContain(token.substring(0, 8));
  }

  @Test
  void scrubAll_boundsTheCount_quotesEach_andScrubsEach() {
    String token = Canary.make("many-");
    String joined = ServerText.scrubAll(List.of("a", "bad " + token, "c", "d", "e"), 3, 200, Set.of(token), null);

    assertThat(joined).startsWith("\"a\"; \"bad ").endsWith("\"; \"c\"; (2 more)").doesNotContain(token);
    assertThat(ServerText.scrubAll(List.of(), 3, 200, Set.of(), null)).isEmpty();
  }
}
