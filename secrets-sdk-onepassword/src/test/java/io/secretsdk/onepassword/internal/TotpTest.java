package io.secretsdk.onepassword.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

final class TotpTest {
  private static final String SEED20 = "12345678901234567890";
  private static final String SEED32 = "12345678901234567890123456789012";
  private static final String SEED64 =
      "1234567890123456789012345678901234567890123456789012345678901234";

  /** RFC 6238 Appendix B: every test vector, 8 digits, 30-second steps. */
  @ParameterizedTest
  @CsvSource({
      "59,          94287082, SHA1",
      "59,          46119246, SHA256",
      "59,          90693936, SHA512",
      "1111111109,  07081804, SHA1",
      "1111111109,  68084774, SHA256",
      "1111111109,  25091201, SHA512",
      "1111111111,  14050471, SHA1",
      "1111111111,  67062674, SHA256",
      "1111111111,  99943326, SHA512",
      "1234567890,  89005924, SHA1",
      "1234567890,  91819424, SHA256",
      "1234567890,  93441116, SHA512",
      "2000000000,  69279037, SHA1",
      "2000000000,  90698825, SHA256",
      "2000000000,  38618901, SHA512",
      "20000000000, 65353130, SHA1",
      "20000000000, 77737706, SHA256",
      "20000000000, 47863826, SHA512",
  })
  void code_rfc6238AppendixB_matchesVector(long time, String expected, String algorithm) {
    String seed = algorithm.equals("SHA1") ? SEED20 : algorithm.equals("SHA256") ? SEED32 : SEED64;
    try (Totp totp = Totp.of(seed.getBytes(StandardCharsets.US_ASCII), algorithm, 8, 30)) {
      assertThat(totp.code(Instant.ofEpochSecond(time))).isEqualTo(expected);
    }
  }

  @Test
  void parse_otpauthUriWithBase32Seed_matchesRfcVector() {
    // base32 of "12345678901234567890"
    String uri = "otpauth://totp/ACME:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        + "&issuer=ACME&algorithm=SHA1&digits=8&period=30";
    try (Totp totp = Totp.parse(uri)) {
      assertThat(totp.code(Instant.ofEpochSecond(1111111109))).isEqualTo("07081804");
      assertThat(totp.toString()).doesNotContain("GEZDGNBV");
    }
  }

  @Test
  void parse_bareLowerCaseSeedWithSpaces_defaultsToSixDigits() {
    try (Totp totp = Totp.parse("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")) {
      // RFC 4226 Appendix D: HOTP for counter 1 is 287082; 59 s is counter 1 with a 30 s step
      assertThat(totp.code(Instant.ofEpochSecond(59))).isEqualTo("287082");
    }
  }

  @Test
  void remainingValidity_isTimeToEndOfPeriod() {
    try (Totp totp = Totp.parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")) {
      assertThat(totp.remainingValidity(Instant.ofEpochSecond(59))).isEqualTo(Duration.ofSeconds(1));
      assertThat(totp.remainingValidity(Instant.ofEpochSecond(60))).isEqualTo(Duration.ofSeconds(30));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ&counter=1",
      "otpauth://totp/x?issuer=none",
      "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&algorithm=MD5",
      "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&digits=4",
      "not base32 CANARY-1!",
      "",
  })
  void parse_malformed_throwsWithoutQuotingTheValue(String value) {
    assertThatThrownBy(() -> Totp.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("GEZDGNBV").doesNotContain("CANARY"));
  }
}
