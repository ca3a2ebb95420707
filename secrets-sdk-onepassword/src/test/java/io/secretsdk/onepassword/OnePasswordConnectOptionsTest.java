package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class OnePasswordConnectOptionsTest {
  private static final String TOKEN = "connect-token-CANARY-77";

  @Test
  void build_defaults_areTheDocumentedConstants() {
    OnePasswordConnectOptions o = OnePasswordConnectOptions.builder()
        .host("localhost:8080").token(TOKEN).build();
    assertThat(o.host().toString()).isEqualTo("http://localhost:8080");
    assertThat(o.connectTimeout()).isEqualTo(OnePasswordConnectOptions.DEFAULT_CONNECT_TIMEOUT);
    assertThat(o.callTimeout()).isEqualTo(OnePasswordConnectOptions.DEFAULT_CALL_TIMEOUT);
    assertThat(o.nameCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.maxResponseBytes()).isEqualTo(1 << 20);
    assertThat(o.allowPlainHttp()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://connect:8080", "https://user:CANARY-77@connect", "https://connect/?q=1",
      "https://connect/#frag", "http://"})
  void host_invalid_throwsWithoutEchoingIt(String host) {
    Throwable e = catchThrowable(() -> OnePasswordConnectOptions.builder().host(host));
    assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("host:");
    assertThat(e.getMessage()).doesNotContain("CANARY");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tok en-CANARY-77", "token-CANARY-77\r\nX-Injected: 1", "", "  "})
  void token_invalid_throwsWithoutEchoingIt(String token) {
    Throwable e = catchThrowable(() -> OnePasswordConnectOptions.builder().token(token));
    assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("token:");
    assertThat(e.getMessage()).doesNotContain("CANARY");
  }

  @Test
  void build_plainHttpRemoteHost_requiresOptIn() {
    assertThatThrownBy(() -> OnePasswordConnectOptions.builder().host("http://connect.internal:8080")
        .token(TOKEN).build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("allowPlainHttp");
    assertThat(OnePasswordConnectOptions.builder().host("http://127.0.0.1:8080").token(TOKEN).build()).isNotNull();
    assertThat(OnePasswordConnectOptions.builder().host("http://[::1]:8080").token(TOKEN).build()).isNotNull();
    assertThat(OnePasswordConnectOptions.builder().host("http://connect.internal:8080").token(TOKEN)
        .allowPlainHttp(true).build()).isNotNull();
  }

  @Test
  void build_missingHostOrToken_namesIt() {
    assertThatThrownBy(() -> OnePasswordConnectOptions.builder().token(TOKEN).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("OP_CONNECT_HOST");
    assertThatThrownBy(() -> OnePasswordConnectOptions.builder().host("https://c").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("OP_CONNECT_TOKEN");
  }

  @Test
  void setters_outOfRange_throwNamingTheField() {
    OnePasswordConnectOptions.Builder b = OnePasswordConnectOptions.builder();
    assertThatThrownBy(() -> b.callTimeout(Duration.ZERO)).hasMessageStartingWith("callTimeout");
    assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1))).hasMessageStartingWith("connectTimeout");
    assertThatThrownBy(() -> b.nameCacheTtl(Duration.ofSeconds(-1))).hasMessageStartingWith("nameCacheTtl");
    assertThatThrownBy(() -> b.nameCacheSize(0)).hasMessageStartingWith("nameCacheSize");
    assertThatThrownBy(() -> b.maxResponseBytes(10)).hasMessageStartingWith("maxResponseBytes");
    assertThatThrownBy(() -> b.maxFileBytes(0)).hasMessageStartingWith("maxFileBytes");
  }
}
