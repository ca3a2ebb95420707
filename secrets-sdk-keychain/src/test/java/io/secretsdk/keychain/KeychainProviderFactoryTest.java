package io.secretsdk.keychain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KeychainProviderFactoryTest {
  @TempDir Path dir;

  @Test
  void isFoundByServiceLoader_andOnTheSdkAllowlist() {
    assertThat(ServiceLoader.load(io.secretsdk.spi.SecretProviderFactory.class).stream()
        .map(p -> p.type().getName())).contains(KeychainProviderFactory.class.getName());
    assertThat(io.secretsdk.internal.ProviderDiscovery.SDK_FACTORIES)
        .contains(KeychainProviderFactory.class.getName());
  }

  @Test
  void options_buildTheProvider() throws Exception {
    FakeSecurity security = new FakeSecurity(dir);
    SecretProvider p = new KeychainProviderFactory().create(ProviderSettings.of(Map.of(
        "platform", "macos", "security", security.executable.toString(), "timeout", "5"),
        Map.of("PATH", "/usr/bin")::get));
    assertThat(p.scheme()).isEqualTo("keychain");
    assertThat(p.toString()).contains("macos(" + security.executable.toRealPath());
    p.close();
  }

  @Test
  void platformFromTheEnvironment_whenNoOptionSaysIt() throws Exception {
    FakeSecurity security = new FakeSecurity(dir);
    SecretProvider p = new KeychainProviderFactory().create(ProviderSettings.of(Map.of(
        "security", security.executable.toString()),
        Map.of(KeychainProviderFactory.ENV_PLATFORM, "macos")::get));
    assertThat(p.toString()).contains("macos(");
  }

  @Test
  void auto_onWindows_isAConfigError_notAHintToInstallLibsecret() {
    assertThatThrownBy(() -> KeychainOptions.builder().osName("Windows 11").build())
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("Windows Credential Manager")
        .hasMessageNotContaining("libsecret");
  }

  @Test
  void unknownOption_badPlatform_badTimeout_areConfigErrorsNamingTheField() {
    KeychainProviderFactory f = new KeychainProviderFactory();
    assertThatThrownBy(() -> f.create(ProviderSettings.of(Map.of("token", "x"))))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("keychain.token");
    assertThatThrownBy(() -> f.create(ProviderSettings.of(Map.of("platform", "windows"))))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("keychain.platform");
    assertThatThrownBy(() -> f.create(ProviderSettings.of(Map.of("timeout", "soon"))))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("keychain.timeout");
    assertThatThrownBy(() -> f.create(ProviderSettings.of(Map.of("accountAttributes", "a b"))))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("attribute");
  }
}
