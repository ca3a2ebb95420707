package io.secretsdk.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsdk.SecretsClient;
import io.secretsdk.metrics.MicrometerSecretsMetrics;
import io.secretsdk.metrics.SecretsMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configures a {@link SecretsClient} from {@code secrets.*} ({@link SecretsProperties}),
 * closed with the context; {@link SecretName} injection; and, when Micrometer's
 * {@link MeterRegistry} is in the context, the SDK's metrics on it. Off with
 * {@code secrets.enabled=false}; a {@code SecretsClient} bean of your own replaces it.
 */
@AutoConfiguration(afterName = {
    // Boot 4, then Boot 3: the MeterRegistry exists before the client is built
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnProperty(prefix = SecretsProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(SecretsProperties.class)
public class SecretsAutoConfiguration {

  /** Created by Spring Boot. */
  public SecretsAutoConfiguration() {}

  /** Lets constructor parameters and fields carry {@link SecretName}. */
  @Bean
  static SecretNameInjection secretNameInjection() {
    return new SecretNameInjection();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(SecretsClient.class)
  ConfiguredSecrets configuredSecrets(SecretsProperties properties, Environment environment,
      ObjectProvider<SecretsMetrics> metrics, ObjectProvider<SecretsClientCustomizer> customizers) {
    return SecretsClientFactory.build(properties, environment.getProperty("spring.application.name"),
        metrics.getIfAvailable(SecretsMetrics::none), customizers.orderedStream().toList(),
        System::getenv, SecretsAutoConfiguration.class.getClassLoader());
  }

  /**
   * The application's client.
   *
   * @param configured the client built from {@code secrets.*}, which closes it with the context
   * @return the client
   */
  @Bean(destroyMethod = "")
  @ConditionalOnBean(ConfiguredSecrets.class)
  SecretsClient secretsClient(ConfiguredSecrets configured) {
    return configured.client();
  }

  /** The SDK's metrics on Boot's {@link MeterRegistry}, tagged by scheme, never by ref. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnMissingBean(SecretsMetrics.class)
    SecretsMetrics secretsMetrics(MeterRegistry registry) {
      return MicrometerSecretsMetrics.of(registry);
    }
  }
}
