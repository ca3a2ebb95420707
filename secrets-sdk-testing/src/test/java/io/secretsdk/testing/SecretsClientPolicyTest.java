package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class SecretsClientPolicyTest {
  private static final String REGISTRY = String.join("\n",
      "openai:",
      "  ci:",
      "    secret_ref: \"kv://openai/ci/api_key\"",
      "    scope: [\"llm:chat\"]",
      "    max_ttl_seconds: 120",
      "  prod:",
      "    secret_ref: \"kv://openai/prod/api_key\"",
      "stripe:",
      "  ci:",
      "    secret_ref: \"kv://stripe/ci/api_key\"",
      "");

  private final FakeSecretProvider fake = FakeSecretProvider.create("fake");
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingAuditSink audit = new RecordingAuditSink();

  private SecretsClient.Builder builder(String policyJson) {
    return SecretsClient.builder()
        .provider(fake)
        .alias("kv", "fake")
        .registry(SecretRegistry.parse(REGISTRY, "registry.yaml"))
        .policy(SecretPolicy.parse(policyJson, "policy.json"))
        .environment(RunEnvironment.CI)
        .ticker(ticker)
        .refreshExecutor(new ManualExecutor())
        .auditSink(audit)
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(2));
  }

  private static String policy(String allowed, boolean strictTtl) {
    return "{\"version\":1,\"allowed_secrets\":[" + allowed + "],"
        + "\"allowed_refs\":[\"kv://openai/**\"],"
        + "\"environments\":[\"ci\",\"prod\"],\"strict_ttl\":" + strictTtl + "}";
  }

  @Test
  void resolveByName_usesRegistryRefForEnvironment_andItsTtlCap() {
    fake.set("openai/ci/api_key", Canary.VALUE, Duration.ofHours(1));
    try (SecretsClient client = builder(policy("\"openai\"", false)).build()) {
      assertThat(client.refOf("openai")).isEqualTo(SecretRef.parse("kv://openai/ci/api_key"));
      assertThat(client.resolveByName("openai").reveal()).isEqualTo(Canary.VALUE);

      ticker.advance(Duration.ofSeconds(119));
      client.resolveByName("openai");
      // the same ref resolved directly shares the registry's cap
      client.resolve("kv://openai/ci/api_key");
      assertThat(fake.calls("openai/ci/api_key")).isEqualTo(1);
      ticker.advance(Duration.ofSeconds(2));
      client.resolveByName("openai");
      assertThat(fake.calls("openai/ci/api_key")).isEqualTo(2);
    }
  }

  @Test
  void resolveByName_nameNotAllowed_deniedBeforeProviderCallAndAudited() {
    fake.set("stripe/ci/api_key", Canary.VALUE);
    try (SecretsClient client = builder(policy("\"openai\"", false)).build()) {
      Throwable t = catchThrowable(() -> client.resolveByName("stripe"));
      assertThat(t).isInstanceOf(PolicyViolationException.class);
      assertThat(fake.calls("stripe/ci/api_key")).isZero();
      assertThat(audit.ofType(AuditEvent.Type.DENIED)).hasSize(1);
      Canary.assertAbsent(t);
    }
  }

  @Test
  void refresh_registryRefOfAllowedName_isAllowedLikeTheName() {
    fake.set("stripe/ci/api_key", Canary.VALUE);
    // allowed_refs covers only kv://openai/**: the stripe ref passes because the registry names it
    try (SecretsClient client = builder(policy("\"openai\", \"stripe\"", false)).build()) {
      SecretRef ref = client.refOf("stripe");
      assertThat(client.refresh(ref).reveal()).isEqualTo(Canary.VALUE);
      assertThat(client.resolve(ref).reveal()).isEqualTo(Canary.VALUE);
    }
  }

  @Test
  void resolve_registryRefOfNameNotAllowed_denied() {
    fake.set("stripe/ci/api_key", Canary.VALUE);
    try (SecretsClient client = builder(policy("\"openai\"", false)).build()) {
      assertThatThrownBy(() -> client.resolve("kv://stripe/ci/api_key"))
          .isInstanceOf(PolicyViolationException.class);
      assertThat(fake.calls("stripe/ci/api_key")).isZero();
    }
  }

  @Test
  void resolve_refOutsideAllowedRefs_denied() {
    fake.set("elsewhere", Canary.VALUE);
    try (SecretsClient client = builder(policy("\"openai\"", false)).build()) {
      assertThatThrownBy(() -> client.resolve("fake://elsewhere"))
          .isInstanceOf(PolicyViolationException.class);
      assertThat(fake.calls("elsewhere")).isZero();
    }
  }

  @Test
  void resolveByName_unknownName_typedConfigError() {
    try (SecretsClient client = builder(policy("\"openai\"", false)).build()) {
      assertThatThrownBy(() -> client.resolveByName("anthropic"))
          .isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("anthropic");
    }
  }

  @Test
  void strictTtl_forbidsStaleServing_evenWithMaxStale() {
    fake.set("openai/ci/api_key", Canary.VALUE, Duration.ofSeconds(60));
    try (SecretsClient client = builder(policy("\"openai\"", true))
        .maxStale(Duration.ofMinutes(10)).build()) {
      client.resolveByName("openai");
      fake.failAlways("openai/ci/api_key", ref -> new ProviderUnavailableException(ref, "down"));
      ticker.advance(Duration.ofSeconds(61));
      assertThatThrownBy(() -> client.resolveByName("openai"))
          .isInstanceOf(ProviderUnavailableException.class);
    }
  }

  @Test
  void strictTtl_registryEntryWithoutMaxTtl_denied() {
    try (SecretsClient client = builder(policy("\"openai\"", true))
        .environment(RunEnvironment.PROD).build()) {
      assertThatThrownBy(() -> client.resolveByName("openai"))
          .isInstanceOf(PolicyViolationException.class)
          .hasMessageContaining("strict_ttl");
    }
  }

  @Test
  void requiredMetadata_missingOnSecret_deniedAfterFetchAndValueNotServed() {
    AtomicInteger calls = new AtomicInteger();
    SecretProvider withMetadata = new SecretProvider() {
      @Override
      public String scheme() {
        return "meta";
      }

      @Override
      public FetchResult fetch(SecretRef ref, FetchContext context) {
        calls.incrementAndGet();
        assertThat(context.requiredMetadata()).containsExactlyInAnyOrder("owner", "service");
        return FetchResult.builder(Canary.VALUE.getBytes(StandardCharsets.UTF_8))
            .metadata(Map.of("owner", "payments")).build();
      }
    };
    String json = "{\"version\":1,\"allowed_secrets\":[],\"allowed_refs\":[\"meta://**\"],"
        + "\"required_metadata\":[\"owner\",\"service\"]}";
    try (SecretsClient client = SecretsClient.builder().provider(withMetadata)
        .policy(SecretPolicy.parse(json, "policy.json")).environment(RunEnvironment.CI)
        .auditSink(audit).ticker(ticker).build()) {
      Throwable t = catchThrowable(() -> client.resolve("meta://x"));
      assertThat(t).isInstanceOf(PolicyViolationException.class).hasMessageContaining("service");
      Canary.assertAbsent(t);
      // remembered like any denial: no second fetch within the negative TTL
      assertThatThrownBy(() -> client.resolve("meta://x")).isInstanceOf(PolicyViolationException.class);
      assertThat(calls).hasValue(1);
      Canary.assertAbsent(audit.allText());
    }
  }
}
