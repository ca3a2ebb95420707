package io.secretsdk.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class LoopbackAddressTest {
  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]", "::1"})
  void loopbackLiterals_areLoopback(String host) {
    assertThat(LoopbackAddress.is(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.attacker.example", "localhost.example.com", "10.0.0.1", "[::2]", "128.0.0.1",
      "256.0.0.1", "example.com", ""})
  void namesAndOtherAddresses_areNot(String host) {
    assertThat(LoopbackAddress.is(host)).isFalse();
  }
}
