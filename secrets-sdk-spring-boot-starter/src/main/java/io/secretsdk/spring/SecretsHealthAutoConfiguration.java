package io.secretsdk.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code secrets} health indicator, when Boot's health support is on the classpath; off with
 * {@code management.health.secrets.enabled=false}. See {@link SecretsHealthIndicator} for what it
 * reports.
 */
@AutoConfiguration(after = SecretsAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(ConfiguredSecrets.class)
@ConditionalOnEnabledHealthIndicator("secrets")
public class SecretsHealthAutoConfiguration {

  /** Created by Spring Boot. */
  public SecretsHealthAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "secretsHealthIndicator")
  HealthIndicator secretsHealthIndicator(ConfiguredSecrets secrets, SecretsProperties properties) {
    return new SecretsHealthIndicator(secrets, properties.getHealth().getNames());
  }
}
