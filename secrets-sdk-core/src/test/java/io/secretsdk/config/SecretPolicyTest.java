package io.secretsdk.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.PolicyViolationException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class SecretPolicyTest {
  private static final SecretRef OPENAI_CI = SecretRef.parse("vault://secret/openai/ci#api_key");

  private static SecretPolicy policy(String body) {
    return SecretPolicy.parse("{\"version\": 1, " + body + "}", "policy.json");
  }

  @Test
  void load_examplePolicy_allowsTheExampleRegistry() {
    SecretPolicy policy = SecretPolicy.load(SecretRegistryTest.configs().resolve("secrets-policy.json"));
    SecretRegistry registry =
        SecretRegistry.load(SecretRegistryTest.configs().resolve("secrets-registry.yaml"));

    for (RegistryEntry e : registry.entries()) {
      assertThatCode(() -> policy.check(e.name(), e.ref(), e.environment()))
          .as(e.toString()).doesNotThrowAnyException();
    }
    assertThat(policy.noLogging()).isTrue();
    assertThat(policy.noPersistence()).isTrue();
    assertThat(policy.strictTtl()).isFalse();
    assertThat(policy.maxTtl()).hasValue(Duration.ofHours(1));
    assertThat(policy.environments()).isEqualTo(EnumSet.allOf(RunEnvironment.class));
    assertThat(policy.requiredMetadata()).isEmpty();
  }

  @Test
  void check_environmentNotListed_deniedByEnvironmentsRule() {
    SecretPolicy p = policy("\"allowed_secrets\": [\"openai\"], \"environments\": [\"dev\", \"ci\"]");

    assertThatCode(() -> p.check("openai", OPENAI_CI, RunEnvironment.CI)).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.check("openai", OPENAI_CI, RunEnvironment.PROD))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessage("policy policy.json denies vault://secret/openai/ci#api_key: rule"
            + " 'environments': run environment prod is not allowed (allowed: local, ci)")
        .satisfies(e -> assertThat(((PolicyViolationException) e).ref()).hasValue(OPENAI_CI));
    assertThat(p.environments()).containsExactlyInAnyOrder(RunEnvironment.LOCAL, RunEnvironment.CI);
  }

  @Test
  void check_nameNotAllowed_deniedByAllowedSecretsRule() {
    SecretPolicy p = policy("\"allowed_secrets\": [\"openai\"]");

    assertThatThrownBy(() -> p.check("stripe", OPENAI_CI, RunEnvironment.CI))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageEndingWith("rule 'allowed_secrets': secret name 'stripe' is not allowed");
    assertThatThrownBy(() -> p.check("not a name!", OPENAI_CI, RunEnvironment.CI))
        .hasMessageEndingWith("secret name (not shown: not a plain name) is not allowed");
    // a value passed as a name by mistake is not echoed either
    PolicyViolationException e = org.assertj.core.api.Assertions.catchThrowableOfType(
        PolicyViolationException.class,
        () -> p.check(ConfigCanaryTest.GITHUB_CANARY, OPENAI_CI, RunEnvironment.CI));
    ConfigCanaryTest.assertNoCanary(e, ConfigCanaryTest.GITHUB_CANARY);
  }

  @Test
  void check_directRefWithoutAllowedRefs_denied() {
    SecretPolicy p = policy("\"allowed_secrets\": [\"openai\"]");

    assertThatThrownBy(() -> p.check(null, OPENAI_CI, RunEnvironment.LOCAL))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageEndingWith("rule 'allowed_refs': refs resolved directly (not by registry"
            + " name) are not allowed");
  }

  @Test
  void check_directRef_matchedAgainstGlobPatterns() {
    SecretPolicy p = policy("\"allowed_secrets\": [], \"allowed_refs\": [\"mem://samples/*\","
        + " \"vault://secret/team/**\", \"env://OPENAI_API_KEY\"]");

    assertThatCode(() -> p.check(null, SecretRef.parse("mem://samples/openai"), RunEnvironment.CI))
        .doesNotThrowAnyException();
    assertThatCode(() -> p.check(null, SecretRef.parse("vault://secret/team/a/b?version=2#k"),
        RunEnvironment.CI)).doesNotThrowAnyException();
    assertThatCode(() -> p.check(null, SecretRef.parse("env://OPENAI_API_KEY"), RunEnvironment.CI))
        .doesNotThrowAnyException();
    // '*' stays inside one segment and does not swallow a field or query
    for (String denied : new String[] {"mem://samples/a/b", "mem://samples/a#field",
        "mem://samples/a?version=1", "env://OPENAI_API_KEY_2", "vault://secret/teams/x"}) {
      assertThatThrownBy(() -> p.check(null, SecretRef.parse(denied), RunEnvironment.CI))
          .as(denied).hasMessageEndingWith("rule 'allowed_refs': ref matches no allowed_refs pattern");
    }
  }

  @Test
  void check_requiredPrefix_matchesCanonicalRefOnSegmentBoundary() {
    SecretPolicy p = policy("\"allowed_secrets\": [\"openai\"], \"required_prefix\":"
        + " \"vault://secret/openai\"");

    assertThatCode(() -> p.check("openai", OPENAI_CI, RunEnvironment.CI)).doesNotThrowAnyException();
    assertThatCode(() -> p.check("openai", SecretRef.parse("vault://secret/openai#k"),
        RunEnvironment.CI)).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.check("openai", SecretRef.parse("vault://secret/openai-old/x"),
        RunEnvironment.CI)).hasMessageEndingWith(
            "rule 'required_prefix': ref does not start with vault://secret/openai");
    // same path, other backend: the scheme is part of the prefix
    assertThatThrownBy(() -> p.check("openai", SecretRef.parse("mem://secret/openai/ci"),
        RunEnvironment.CI)).isInstanceOf(PolicyViolationException.class);
    // percent-encoding cannot dodge it: the canonical form is compared
    assertThatCode(() -> p.check("openai", SecretRef.parse("vault://secret/%6Fpenai/ci"),
        RunEnvironment.CI)).doesNotThrowAnyException();
    assertThat(p.requiredPrefixes()).containsExactly("vault://secret/openai");
  }

  @Test
  void check_requiredPrefixList_anyOneSuffices() {
    SecretPolicy p = policy("\"allowed_secrets\": [\"a\"], \"required_prefix\": [\"mem://\","
        + " \"file:///run/secrets/\"]");

    assertThatCode(() -> p.check("a", SecretRef.parse("file:///run/secrets/db"), RunEnvironment.PROD))
        .doesNotThrowAnyException();
    assertThatCode(() -> p.check("a", SecretRef.parse("mem://x"), RunEnvironment.PROD))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> p.check("a", SecretRef.parse("file:///etc/shadow"), RunEnvironment.PROD))
        .hasMessageEndingWith("ref does not start with any of [mem://, file:///run/secrets/]");
  }

  @Test
  void checkEntry_strictTtlWithoutEntryTtl_denied() {
    SecretPolicy strict = policy("\"allowed_secrets\": [\"a\"], \"strict_ttl\": true");
    SecretRegistry registry = SecretRegistry.parse("a:\n  ci:\n    secret_ref: mem://a/ci\n"
        + "  prod:\n    secret_ref: mem://a/prod\n    max_ttl_seconds: 60\n", "r.yaml");

    assertThatCode(() -> strict.check(registry.entry("a", RunEnvironment.PROD).orElseThrow(),
        RunEnvironment.PROD)).doesNotThrowAnyException();
    assertThatThrownBy(() -> strict.check(registry.entry("a", RunEnvironment.CI).orElseThrow(),
        RunEnvironment.CI))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageEndingWith("rule 'strict_ttl': registry entry a/ci states no max_ttl_seconds");
    assertThatCode(() -> policy("\"allowed_secrets\": [\"a\"]").check(
        registry.entry("a", RunEnvironment.CI).orElseThrow(), RunEnvironment.CI))
        .doesNotThrowAnyException();
  }

  @Test
  void checkMetadata_missingOrBlankKeys_namedWithoutValues() {
    SecretPolicy p = policy("\"allowed_secrets\": [], \"required_metadata\": [\"source\", \"owner\","
        + " \"workflow\"]");

    assertThatCode(() -> p.checkMetadata(OPENAI_CI,
        Map.of("owner", "platform", "source", "ci", "workflow", "deploy")))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkMetadata(OPENAI_CI, Map.of("owner", "platform-canary-value",
        "workflow", " ")))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageEndingWith("rule 'required_metadata': secret lacks required metadata"
            + " [source, workflow]")
        .message().doesNotContain("platform-canary-value");
    assertThat(p.requiredMetadata()).containsExactly("owner", "source", "workflow");
  }

  @Test
  void parse_flagsOmitted_useSafeDefaults() {
    SecretPolicy p = policy("\"allowed_secrets\": []");

    assertThat(p.noLogging()).isTrue();
    assertThat(p.noPersistence()).isTrue();
    assertThat(p.strictTtl()).isFalse();
    assertThat(p.maxTtl()).isEmpty();
    assertThat(p.allowedSecrets()).hasValue(java.util.Set.of());
  }

  @Test
  void parse_flagsSet_areReported() {
    SecretPolicy p = policy("\"allowed_secrets\": [], \"no_logging\": false,"
        + " \"no_persistence\": false, \"strict_ttl\": true, \"max_ttl_seconds\": 300");

    assertThat(p.noLogging()).isFalse();
    assertThat(p.noPersistence()).isFalse();
    assertThat(p.strictTtl()).isTrue();
    assertThat(p.maxTtl()).hasValue(Duration.ofMinutes(5));
  }

  @Test
  void permissive_allowsEverything() {
    SecretPolicy p = SecretPolicy.permissive();

    assertThatCode(() -> p.check(null, OPENAI_CI, RunEnvironment.PROD)).doesNotThrowAnyException();
    assertThatCode(() -> p.check("anything", OPENAI_CI, RunEnvironment.LOCAL))
        .doesNotThrowAnyException();
    assertThatCode(() -> p.checkMetadata(OPENAI_CI, Map.of())).doesNotThrowAnyException();
    assertThat(p.environments()).isEqualTo(EnumSet.allOf(RunEnvironment.class));
    assertThat(p.requiredMetadata()).isEmpty();
    assertThat(p.maxTtl()).isEmpty();
    assertThat(p.allowedSecrets()).isEmpty();
    assertThat(p).hasToString("SecretPolicy[permissive]");
  }

  @Test
  void check_nullArguments_throwNpe() {
    SecretPolicy p = SecretPolicy.permissive();

    assertThatThrownBy(() -> p.check("a", null, RunEnvironment.CI))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> p.check("a", OPENAI_CI, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> p.checkMetadata(OPENAI_CI, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void toString_summarisesRules() {
    SecretPolicy p = policy("\"allowed_secrets\": [\"openai\"], \"environments\": [\"prod\"]");

    assertThat(p.toString()).startsWith("SecretPolicy[source=policy.json, allowedSecrets=[openai]")
        .contains("environments=prod");
  }
}
