package io.secretsdk.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

final class SignaturesTest {

  @Test
  void hmacSha256_matchesJdkMac_forKeysShortAndLongerThanABlock() throws Exception {
    SecureRandom random = new SecureRandom();
    for (int keyLength : new int[] {1, 16, 32, 63, 64, 65, 100, 200}) {
      byte[] key = new byte[keyLength];
      byte[] message = new byte[random.nextInt(300)];
      random.nextBytes(key);
      random.nextBytes(message);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] keyCopy = key.clone();
      assertThat(Signatures.hmacSha256(key, message)).as("key length %d", keyLength)
          .isEqualTo(mac.doFinal(message));
      assertThat(key).as("the caller's key is left as it was").isEqualTo(keyCopy);
    }
  }

  @Test
  void hmacSha256_rfc4231TestCase2() {
    byte[] tag = Signatures.hmacSha256("Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(HexFormat.of().formatHex(tag))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void parseHeader_acceptsOnlySha256AndAsciiHex() {
    String hex = "ab".repeat(32);
    assertThat(Signatures.parseHeader("sha256=" + hex)).hasSize(32);
    assertThat(Signatures.parseHeader("Sha256=" + hex.toUpperCase())).hasSize(32);
    assertThat(Signatures.parseHeader("sha256=" + hex.substring(1))).isNull();
    assertThat(Signatures.parseHeader("sha256=" + hex.substring(2) + "\uff11\uff11")).isNull();
    assertThat(Signatures.parseHeader("sha512=" + hex)).isNull();
  }
}
