/**
 * OpenTelemetry tracing for secrets-sdk providers: {@link io.secretsdk.opentelemetry.SecretsTracing}
 * wraps any {@code SecretProvider} so that each fetch and refresh is a span carrying the scheme,
 * the outcome and a keyed hash of the ref, never the ref itself or a value.
 */
module io.secretsdk.opentelemetry {
  requires transitive io.secretsdk.core;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports io.secretsdk.opentelemetry;
}
