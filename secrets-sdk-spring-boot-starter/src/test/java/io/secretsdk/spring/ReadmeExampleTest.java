package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * README's Spring Boot section: its {@code application.yml} and bean are this module's
 * {@code readme/application.yml} and {@link StripeClient}, and this test runs them against a
 * MockWebServer standing in for Vault (only the address and the token file are pointed at it).
 */
@ExtendWith(OutputCaptureExtension.class)
final class ReadmeExampleTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path ROOT = MODULE.getFileName().toString().equals("secrets-sdk-spring-boot-starter")
      ? MODULE.getParent() : MODULE;

  @StartStop private final MockWebServer vault = new MockWebServer();
  @TempDir Path dir;
  private final String token = "canary-token-" + UUID.randomUUID();
  private final String stripeKey = "canary-" + UUID.randomUUID();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(StripeClient.class)
  static class PaymentsApp {}

  @Test
  void readmeSnippets_areThisModulesFiles() throws IOException {
    assertThat(readmeBlock("spring-application-yml", "yaml")).isEqualTo(
        Files.readString(MODULE.resolve("src/test/resources/readme/application.yml"), StandardCharsets.UTF_8));
    String source = Files.readString(MODULE.resolve("src/test/java/io/secretsdk/spring/StripeClient.java"),
        StandardCharsets.UTF_8);
    String region = source.substring(source.indexOf('\n', source.indexOf("// snippet:spring-bean:start")) + 1,
        source.indexOf("// snippet:spring-bean:end"));
    assertThat(readmeBlock("spring-bean", "java")).isEqualTo(region);
  }

  @Test
  void readmeApplication_resolvesThroughVault_healthIsUp_andLogsAreMasked(CapturedOutput output)
      throws IOException {
    vault.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        if (!token.equals(r.getHeaders().get("X-Vault-Token"))) {
          return json(403, "{\"errors\":[\"permission denied\"]}");
        }
        return switch (r.getUrl().encodedPath()) {
          case "/v1/auth/token/lookup-self" -> json(200, "{\"data\":{\"ttl\":3600,\"renewable\":false}}");
          case "/v1/secret/data/payments/stripe" -> json(200, "{\"data\":{\"data\":{\"api_key\":\""
              + stripeKey + "\"},\"metadata\":{\"version\":4}}}");
          default -> json(404, "{\"errors\":[]}");
        };
      }
    });
    Path tokenFile = Files.writeString(dir.resolve("vault-token"), token, StandardCharsets.UTF_8);
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(PaymentsApp.class)
        .web(WebApplicationType.NONE)
        .properties("spring.config.location=classpath:readme/application.yml")
        .run("--secrets.providers.vault.address=" + vault.url("/"),
            "--secrets.providers.vault.token_file=" + tokenFile)) {
      HttpRequest request = context.getBean(StripeClient.class).charge(URI.create("https://api.stripe.test/charges"));
      assertThat(request.headers().firstValue("Authorization")).hasValue("Bearer " + stripeKey);
      LoggerFactory.getLogger(StripeClient.class).info("sending {}", request.headers().map());

      Health health = context.getBean("secretsHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("environment", "PROD")
          .containsEntry("tokens", Map.of("vault", "valid"));
      assertThat(health.toString()).doesNotContain(stripeKey).doesNotContain(token).doesNotContain("vault://");
    }
    assertThat(output.getOut()).contains("Bearer [REDACTED:vault://secret/payments/stripe#api_key]");
    assertThat(output.toString()).doesNotContain(stripeKey).doesNotContain(token);
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
        .body(body).build();
  }

  private static String readmeBlock(String name, String language) throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<!-- snippet:" + Pattern.quote(name) + "[^>]*-->\\s*```" + language
        + "\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("README.md has snippet " + name).isTrue();
    return m.group(1);
  }
}
