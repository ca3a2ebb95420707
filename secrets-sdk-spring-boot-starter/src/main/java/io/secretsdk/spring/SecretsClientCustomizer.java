package io.secretsdk.spring;

import io.secretsdk.SecretsClient;

/**
 * Adjusts the auto-configured client's builder after the {@code secrets.*} settings are applied:
 * a bean of this type can register a provider built in code, an audit sink or a ticker.
 *
 * <pre>{@code
 * @Bean
 * SecretsClientCustomizer auditToSiem(SiemAuditSink sink) {
 *   return builder -> builder.auditSink(sink);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface SecretsClientCustomizer {

  /**
   * Called once, before the client is built.
   *
   * @param builder the builder, already configured from {@code secrets.*}
   */
  void customize(SecretsClient.Builder builder);
}
