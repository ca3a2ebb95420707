package io.secretsdk.provider.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
final class EnvSecretProviderTest {
  private static final String CANARY = "canary-env-7f3a9c1e5b";
  private static final FetchContext CTX = FetchContext.of(RunEnvironment.CI);

  private static FetchResult fetch(EnvSecretProvider p, String ref) {
    return p.fetch(SecretRef.parse(ref), CTX);
  }

  @Test
  void fetch_variableSet_returnsUtf8BytesWithoutVersion() {
    EnvSecretProvider p = EnvSecretProvider.create(Map.of("OPENAI_API_KEY", CANARY + "-é")::get);

    FetchResult r = fetch(p, "env://OPENAI_API_KEY");

    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(CANARY + "-é");
    assertThat(r.version()).isEmpty();
    assertThat(r.ttl()).isEmpty();
    assertThat(r.metadata()).containsExactly(Map.entry("env.name", "OPENAI_API_KEY"));
    assertThat(r.toString()).doesNotContain(CANARY);
  }

  @Test
  void fetch_lowerCaseAndUnderscoreNames_areAccepted() {
    EnvSecretProvider p = EnvSecretProvider.create(Map.of("_db_password2", CANARY)::get);

    assertThat(fetch(p, "env://_db_password2").value()).isEqualTo(CANARY.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void fetch_unsetVariable_throwsNotFoundNamingIt() {
    EnvSecretProvider p = EnvSecretProvider.create(Map.of("OTHER", CANARY)::get);

    SecretNotFoundException e = catchThrowableOfType(
        SecretNotFoundException.class, () -> fetch(p, "env://OPENAI_API_KEY"));

    assertThat(e).hasMessageContaining("OPENAI_API_KEY").hasMessageContaining("not set");
    assertThat(e.ref()).contains(SecretRef.parse("env://OPENAI_API_KEY"));
    assertThat(e.toString()).doesNotContain(CANARY);
  }

  @Test
  void fetch_emptyVariable_throwsNotFound() {
    EnvSecretProvider p = EnvSecretProvider.create(Map.of("EMPTY", "")::get);

    assertThatThrownBy(() -> fetch(p, "env://EMPTY"))
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("EMPTY is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "env://A/B", "env://OPENAI_API_KEY/extra", "env://A?version=1", "env://A#field",
      "env://A/B?x=1#f"})
  void fetch_refWithExtraParts_throwsInvalidRef(String ref) {
    EnvSecretProvider p = EnvSecretProvider.create(name -> CANARY);

    assertThatThrownBy(() -> fetch(p, ref))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("env")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CANARY));
  }

  @ParameterizedTest
  @ValueSource(strings = {"env://1ABC", "env://A-B", "env://A B", "env://Ä", "env://A.B", "env://A:B"})
  void fetch_invalidVariableName_throwsInvalidRefBeforeLookup(String ref) {
    EnvSecretProvider p = EnvSecretProvider.create(name -> {
      throw new AssertionError("lookup must not be called for an invalid name");
    });

    assertThatThrownBy(() -> fetch(p, ref))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("variable name is invalid");
  }

  @Test
  void fetch_overLongName_throwsInvalidRef() {
    EnvSecretProvider p = EnvSecretProvider.create(name -> CANARY);
    String name = "A".repeat(EnvSecretProvider.MAX_NAME_LENGTH + 1);

    assertThatThrownBy(() -> fetch(p, "env://" + name))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("at most " + EnvSecretProvider.MAX_NAME_LENGTH);
  }

  @Test
  void fetch_otherScheme_throwsInvalidRef() {
    EnvSecretProvider p = EnvSecretProvider.create(name -> CANARY);

    assertThatThrownBy(() -> fetch(p, "mem://A"))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("scheme 'mem'");
  }

  @Test
  void fetch_lookupRefused_throwsAccessDenied() {
    EnvSecretProvider p = EnvSecretProvider.create(name -> {
      throw new SecurityException("denied " + CANARY);
    });

    SecretAccessDeniedException e =
        catchThrowableOfType(SecretAccessDeniedException.class, () -> fetch(p, "env://A"));

    assertThat(e).hasMessageContaining("refused").hasNoCause();
    assertThat(e.toString()).doesNotContain(CANARY);
  }

  @Test
  void fetch_lookupThrows_throwsUnavailableWithoutItsMessage() {
    EnvSecretProvider p = EnvSecretProvider.create(name -> {
      throw new IllegalStateException("value was " + CANARY);
    });

    ProviderUnavailableException e =
        catchThrowableOfType(ProviderUnavailableException.class, () -> fetch(p, "env://A"));

    assertThat(e).hasMessageContaining("IllegalStateException").hasNoCause();
    assertThat(e.toString()).doesNotContain(CANARY);
  }

  @Test
  void fetch_defaultLookup_readsTheRealEnvironment() {
    String path = System.getenv("PATH");
    assumeTrue(path != null && !path.isEmpty(), "PATH is not set in this environment");

    FetchResult r = fetch(EnvSecretProvider.create(), "env://PATH");

    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(path);
  }

  @Test
  void fetch_defaultLookupUnsetVariable_throwsNotFound() {
    String name = "SECRETSDK_SURELY_UNSET_" + Long.toHexString(System.nanoTime());
    assumeTrue(System.getenv(name) == null, "variable unexpectedly set");

    assertThatThrownBy(() -> fetch(EnvSecretProvider.create(), "env://" + name))
        .isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void factory_usesSettingsEnvironment() {
    Function<String, String> env = Map.of("TOKEN", CANARY)::get;

    SecretProvider p = new EnvSecretProviderFactory().create(ProviderSettings.of(Map.of(), env));

    assertThat(p.scheme()).isEqualTo("env");
    assertThat(p.fetch(SecretRef.parse("env://TOKEN"), CTX).value())
        .isEqualTo(CANARY.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void factory_anyOption_throwsConfigExceptionNamingItNotItsValue() {
    ProviderSettings settings = ProviderSettings.of(Map.of("prefix", CANARY), name -> null);

    assertThatThrownBy(() -> new EnvSecretProviderFactory().create(settings))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("prefix")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CANARY));
  }

  @Test
  void serviceLoader_listsBuiltInFactories() {
    // Names only: instantiating every factory on the test classpath would also run the rogue one
    // that ProviderDiscoveryTest checks is never initialized.
    List<String> names = ServiceLoader.load(SecretProviderFactory.class).stream()
        .map(p -> p.type().getName())
        .toList();

    assertThat(names).contains(EnvSecretProviderFactory.class.getName(),
        io.secretsdk.provider.file.FileSecretProviderFactory.class.getName());
    assertThat(new EnvSecretProviderFactory().scheme()).isEqualTo("env");
    assertThat(new io.secretsdk.provider.file.FileSecretProviderFactory().scheme()).isEqualTo("file");
  }
}
