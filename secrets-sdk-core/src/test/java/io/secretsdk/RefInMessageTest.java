package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * The one exit masks random-looking words, but the words of the ref a failure is about stay
 * readable (a 1Password ref made of ids looks random), while registered values and random words
 * elsewhere in the message are still masked.
 */
final class RefInMessageTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static String id() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 26; i++) {
      sb.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
    }
    return sb.toString();
  }

  /** 32 random characters cycling upper case, lower case and digits: random-looking every time. */
  private static String mixed() {
    String[] classes = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      String c = classes[i % 3];
      sb.append(c.charAt(RANDOM.nextInt(c.length())));
    }
    return sb.toString();
  }

  @Test
  void failureForARefOfIds_namesTheRefAndMasksOtherRandomWords() {
    String vault = id();
    String item = id();
    String leaked = mixed();
    SecretRef ref = SecretRef.parse("fake://" + vault + "/" + item + "/password");
    SecretProvider provider = new SecretProvider() {
      @Override
      public String scheme() {
        return "fake";
      }

      @Override
      public FetchResult fetch(SecretRef r, FetchContext context) {
        throw new SecretNotFoundException(r, "no field in " + r + " (server said " + leaked + ")");
      }
    };
    try (SecretsClient client = SecretsClient.builder().provider(provider).build()) {
      Throwable t = catchThrowable(() -> client.resolve(ref));

      assertThat(t).isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining(ref.toString())
          .hasMessageNotContaining(leaked);
    }
  }
}
