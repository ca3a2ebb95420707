package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.SecretConfigException;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A credential pasted where a ref or a policy value belongs is rejected with a line-numbered
 * {@link SecretConfigException} that does not quote it (the companion of {@link ConfigFuzzTest}).
 */
final class ConfigLeakTest {
  static Stream<String> registries() {
    return Stream.of(
        "openai:\n  ci:\n    secret_ref: \"" + Canaries.VALUE + "\"\n",
        "openai:\n  ci:\n    secret_ref: \"" + Canaries.VAULT_TOKEN + "\"\n",
        "openai:\n  ci:\n    secret_ref: \"vault://user:" + Canaries.VAULT_TOKEN + "@host/x\"\n",
        "openai:\n  ci:\n    secret_ref: \"mem://a\"\n    scope: [\"" + Canaries.OP_TOKEN + "\"]\n",
        "openai:\n  ci:\n    secret_ref: \"mem://a\"\n    max_ttl_seconds: \"" + Canaries.AWS_SECRET_KEY + "\"\n",
        "openai:\n  ci:\n    secret_ref: \"mem://a?token=" + Canaries.AWS_ACCESS_KEY + "\"\n");
  }

  static Stream<String> policies() {
    return Stream.of(
        "{\"version\":1,\"required_prefix\":[\"" + Canaries.VAULT_TOKEN + "\"]}",
        "{\"version\":1,\"allowed_refs\":[\"" + Canaries.VALUE + "\"]}",
        "{\"version\":1,\"allowed_secrets\":[\"" + Canaries.OP_TOKEN + "\"]}",
        "{\"version\":1,\"max_ttl_seconds\":\"" + Canaries.AWS_SECRET_KEY + "\"}",
        "{\"version\":1,\"environments\":[\"" + Canaries.AWS_ACCESS_KEY + "\"]}");
  }

  @ParameterizedTest
  @MethodSource("registries")
  void registryParse_credentialInValue_rejectedWithoutQuotingIt(String yaml) {
    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> SecretRegistry.parse(yaml, "registry.yaml"));

    assertThat(e).as("a credential where a ref belongs is rejected").isNotNull();
    assertThat(e.getMessage()).contains("registry.yaml");
    Canaries.assertAbsent(e);
  }

  @ParameterizedTest
  @MethodSource("policies")
  void policyParse_credentialInValue_rejectedWithoutQuotingIt(String json) {
    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> SecretPolicy.parse(json, "policy.json"));

    assertThat(e).as("a credential where a policy value belongs is rejected").isNotNull();
    Canaries.assertAbsent(e);
  }
}
