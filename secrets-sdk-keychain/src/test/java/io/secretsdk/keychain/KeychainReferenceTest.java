package io.secretsdk.keychain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

final class KeychainReferenceTest {
  @Test
  void from_twoSegments_areServiceAndAccount_decoded() {
    KeychainReference r = KeychainReference.from(SecretRef.parse("keychain://gh:github.com/octo%20cat"));
    assertThat(r.service()).isEqualTo("gh:github.com");
    assertThat(r.account()).isEqualTo("octo cat");
    assertThat(r.toString()).isEqualTo(r.ref().toString());
  }

  @ParameterizedTest
  @CsvSource({"a b,c", "gh:github.com,", "é/x,y", "x%y,z\"q"})
  void of_roundTripsThroughTheRef(String service, String account) {
    String acc = account == null ? "user" : account;
    if (service.contains("/")) {
      assertThatThrownBy(() -> KeychainReference.of(service, acc))
          .isInstanceOf(InvalidSecretRefException.class);
      return;
    }
    KeychainReference r = KeychainReference.of(service, acc);
    assertThat(r.service()).isEqualTo(service);
    assertThat(r.account()).isEqualTo(acc);
    assertThat(KeychainReference.from(SecretRef.parse(r.toString()))).isEqualTo(r);
  }

  @ParameterizedTest
  @ValueSource(strings = {"keychain://only-service", "keychain://a/b/c", "keychain://a/b?version=2",
      "keychain://a/b#field", "vault://a/b"})
  void from_otherShapes_areRefused_sayingWhy(String ref) {
    assertThatThrownBy(() -> KeychainReference.from(SecretRef.parse(ref)))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("keychain");
  }
}
