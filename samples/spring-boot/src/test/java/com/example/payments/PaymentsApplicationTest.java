package com.example.payments;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.spring.SecretsClientCustomizer;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

/** The application with an in-memory provider standing in for the environment variable. */
@SpringBootTest(properties = {
    "secrets.registry=classpath:test-registry.yaml", "secrets.environment=ci",
    "spring.main.web-application-type=none"})
@ExtendWith(OutputCaptureExtension.class)
class PaymentsApplicationTest {
  static final String KEY = "canary-" + UUID.randomUUID();

  @TestConfiguration
  static class InMemorySecrets {
    @Bean
    SecretsClientCustomizer memProvider() {
      MemSecretProvider mem = MemSecretProvider.create();
      mem.put("payments/stripe", KEY);
      return builder -> builder.provider(mem);
    }
  }

  @Autowired StripeClient stripe;
  @Autowired HealthEndpoint health;
  @Autowired SecretsClient client;

  @Test
  void chargeCarriesTheKey_healthIsUp_andLogsAreMasked(CapturedOutput output) {
    var request = stripe.charge(URI.create("https://api.stripe.test/v1/charges"));
    assertThat(request.headers().firstValue("Authorization")).hasValue("Bearer " + KEY);
    LoggerFactory.getLogger(StripeClient.class).info("headers {}", request.headers().map());
    assertThat(health.healthForPath("secrets").getStatus()).isEqualTo(Status.UP);
    assertThat(output.getOut()).contains("Bearer [REDACTED:mem://payments/stripe]");
    assertThat(output.toString()).doesNotContain(KEY);
  }
}
