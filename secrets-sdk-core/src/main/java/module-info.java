/**
 * secrets-sdk core: the client, refs, {@code Secret}, the provider SPI, events, redaction, the
 * rotation webhook verifier, the built-in {@code mem}, {@code env}, {@code file} and {@code local}
 * providers.
 *
 * <p>Everything users call is exported. {@code io.secretsdk.internal} (the engine) is exported only
 * to the SDK's own modules: a consumer module that imports it does not compile, and one that
 * reflects into it is refused at run time.
 */
module io.secretsdk.core {
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires org.yaml.snakeyaml;
  requires io.github.resilience4j.retry;
  requires io.github.resilience4j.core;
  requires com.nimbusds.jose.jwt;
  requires java.net.http;
  // only MicrometerSecretsMetrics uses it; whoever constructs one requires Micrometer itself.
  // Not "static transitive": that makes javac demand micrometer.core from every consumer.
  requires static micrometer.core;

  exports io.secretsdk;
  exports io.secretsdk.spi;
  exports io.secretsdk.event;
  exports io.secretsdk.config;
  exports io.secretsdk.redact;
  exports io.secretsdk.identity;
  exports io.secretsdk.metrics;
  exports io.secretsdk.rotation;
  exports io.secretsdk.provider.env;
  exports io.secretsdk.provider.file;
  exports io.secretsdk.provider.local;
  exports io.secretsdk.provider.mem;
  exports io.secretsdk.internal to
      io.secretsdk.logback,
      io.secretsdk.testing,
      io.secretsdk.http,
      io.secretsdk.vault,
      io.secretsdk.aws,
      io.secretsdk.onepassword,
      io.secretsdk.keychain,
      io.secretsdk.platform,
      io.secretsdk.cli,
      io.secretsdk.spring; // the Spring Boot starter (an automatic module) builds providers as the builder does

  uses io.secretsdk.spi.SecretProviderFactory;

  provides io.secretsdk.spi.SecretProviderFactory with
      io.secretsdk.provider.mem.MemSecretProviderFactory,
      io.secretsdk.provider.env.EnvSecretProviderFactory,
      io.secretsdk.provider.file.FileSecretProviderFactory,
      io.secretsdk.provider.local.LocalSecretProviderFactory;
}
