package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretsClient;
import io.secretsdk.logback.RedactingEncoder;
import io.secretsdk.redact.RedactionIndex;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertySource;

/**
 * Whole applications started the way {@code SpringApplication.run} starts them: Boot's own
 * Logback set-up with the redacting encoder wired in, and the opt-in {@code secrets:} import.
 */
@ExtendWith(OutputCaptureExtension.class)
final class SpringApplicationTest {
  @TempDir Path dir;
  private SecretFiles files;

  @BeforeEach
  void setUp() {
    files = new SecretFiles(dir);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  private SpringApplicationBuilder app(String... properties) {
    return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties(files.properties(properties));
  }

  @Test
  void bootsLogback_masksAResolvedValue_withoutALogbackXml(CapturedOutput output) {
    try (ConfigurableApplicationContext context = app().run()) {
      assertThat(consoleEncoder()).isInstanceOf(RedactingEncoder.class);
      try (Secret key = context.getBean(SecretsClient.class).resolveByName("openai")) {
        LoggerFactory.getLogger("com.example.Vendor").info("calling the vendor with key {}", key.reveal());
      }
    }
    assertThat(output.getOut()).contains("calling the vendor with key [REDACTED:" + files.ref("openai") + "]");
    assertThat(output.toString()).doesNotContain(files.canary);
  }

  @Test
  void bootsLogFile_isMaskedToo(CapturedOutput output) throws Exception {
    Path logFile = dir.resolve("logs/app.log");
    try (ConfigurableApplicationContext context = app("logging.file.name=" + logFile).run()) {
      try (Secret key = context.getBean(SecretsClient.class).resolveByName("openai")) {
        LoggerFactory.getLogger("com.example.Vendor").info("file key {}", key.reveal());
      }
    }
    String written = java.nio.file.Files.readString(logFile, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(written).contains("file key [REDACTED:" + files.ref("openai") + "]").doesNotContain(files.canary);
    assertThat(output.toString()).doesNotContain(files.canary);
  }

  @Test
  void bootsStructuredLogging_isMaskedToo(CapturedOutput output) {
    try (ConfigurableApplicationContext context = app("logging.structured.format.console=ecs").run()) {
      try (Secret key = context.getBean(SecretsClient.class).resolveByName("openai")) {
        LoggerFactory.getLogger("com.example.Vendor").info("structured key {}", key.reveal());
      }
    }
    assertThat(output.getOut()).contains("\"message\":\"structured key [REDACTED:");
    assertThat(output.toString()).doesNotContain(files.canary);
  }

  @Test
  void aProviderWithoutOptions_isWrittenEnabledTrue_andReplacesTheDefaults() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE).properties("spring.config.location=classpath:mem-only.yml").run()) {
      assertThat(context.getBean(SecretsClient.class).toString()).contains("providers=[mem]");
    }
  }

  @Test
  void redactionProperty_false_leavesBootsEncoder() {
    try (ConfigurableApplicationContext context = app("secrets.logging.redact=false").run()) {
      assertThat(consoleEncoder()).isNotNull().isNotInstanceOf(RedactingEncoder.class);
    }
  }

  @Test
  void configImport_isOptIn() {
    try (ConfigurableApplicationContext context = app().run()) {
      assertThat(context.getEnvironment().getProperty("secrets.values.openai")).isNull();
      SecretsAutoConfigurationTest.assertNotInEnvironment(context.getEnvironment(), files.canary);
    }
  }

  @Test
  void configImport_turnsANameIntoAProperty_registeredForRedaction(CapturedOutput output) {
    try (ConfigurableApplicationContext context = app("spring.config.import=secrets:openai").run()) {
      assertThat(context.getEnvironment().getProperty("secrets.values.openai")).isEqualTo(files.canary);
      assertThat(RedactionIndex.global().redact("password=" + files.canary))
          .isEqualTo("password=[REDACTED:" + files.ref("openai") + "]");
      for (PropertySource<?> source : context.getEnvironment().getPropertySources()) {
        assertThat(source.toString()).doesNotContain(files.canary);
      }
      LoggerFactory.getLogger("com.example.Datasource").info("password {}",
          context.getEnvironment().getProperty("secrets.values.openai"));
    }
    assertThat(output.getOut()).contains("password [REDACTED:");
    assertThat(output.toString()).doesNotContain(files.canary);
  }

  @Test
  void configImport_declaredInApplicationYml_seesTheSecretsSettingsBesideIt() throws Exception {
    Path yml = java.nio.file.Files.writeString(dir.resolve("application.yml"), String.join("\n",
        "spring:",
        "  config:",
        "    import: \"secrets:openai\"",
        "secrets:",
        "  registry: \"" + files.registry + "\"",
        "  environment: local",
        "vendor:",
        "  api-key: ${secrets.values.openai}",
        ""), java.nio.charset.StandardCharsets.UTF_8);
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE).properties("spring.config.location=file:" + yml).run()) {
      assertThat(context.getEnvironment().getProperty("vendor.api-key")).isEqualTo(files.canary);
    }
  }

  @Test
  void configImport_ofANameThatDoesNotResolve_failsStartupWithTheTypedError(CapturedOutput output) {
    assertThatThrownBy(() -> app("spring.config.import=secrets:").run())
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessageNotContaining(files.canary);
    assertThat(output.toString()).doesNotContain(files.canary);
  }

  private static ch.qos.logback.core.encoder.Encoder<?> consoleEncoder() {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    var appender = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    return appender instanceof OutputStreamAppender<?> stream ? stream.getEncoder() : null;
  }
}
