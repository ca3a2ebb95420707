package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.SecretRef;
import java.net.URLEncoder;
import java.util.Base64;
import org.junit.jupiter.api.Test;

final class CredentialRegistrationTest {
  private final RedactionIndex index = RedactionIndex.create(
      RedactionOptions.builder().maxValues(16).build());

  @Test
  void registerCredential_masksRawAndEncodedFormsUnderItsKind() {
    String token = "tok-" + Canaries.alnum(32);
    index.registerCredential("vault/token", token);

    String text = "Authorization: " + token + " b64=" + Base64.getEncoder().encodeToString(token.getBytes(UTF_8))
        + " url=" + URLEncoder.encode(token + "/x", UTF_8);
    String out = index.redact(text);

    assertThat(out).doesNotContain(token.substring(4))
        .contains("[REDACTED:credential://vault/token]");
    assertThat(index.findAll(token)).singleElement()
        .satisfies(m -> assertThat(m.ref()).contains(SecretRef.parse("credential://vault/token")));
  }

  @Test
  void registerCredential_bytesAndCharsAreTheSameCredential() {
    String key = "key-" + Canaries.alnum(30);
    index.registerCredential("aws/secret-access-key", key.getBytes(UTF_8));
    index.registerCredential("aws/secret-access-key", key);
    assertThat(index.valueCount()).isEqualTo(1);
  }

  @Test
  void credentials_areNeverEvictedByResolvedValues() {
    String token = "tok-" + Canaries.alnum(32);
    index.registerCredential("onepassword/connect-token", token);
    for (int i = 0; i < 100; i++) {
      index.register(SecretRef.parse("mem://app/v" + i), ("value-" + Canaries.alnum(20)).getBytes(UTF_8));
    }
    assertThat(index.redact("t=" + token)).isEqualTo("t=[REDACTED:credential://onepassword/connect-token]");
    assertThat(index.valueCount()).isEqualTo(16 + 1);
  }

  @Test
  void registerCredential_badKind_isRefusedWithoutEchoingTheValue() {
    String token = "tok-" + Canaries.alnum(32);
    for (String kind : new String[] {"", "Vault", "vault token", "a/b/c/d/e", "../x", token}) {
      Throwable t = catchThrowable(() -> index.registerCredential(kind, token));
      assertThat(t).isInstanceOf(IllegalArgumentException.class);
      assertThat(t.getMessage()).doesNotContain(token);
    }
    assertThat(index.valueCount()).isZero();
  }
}
