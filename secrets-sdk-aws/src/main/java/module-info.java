/**
 * The AWS Secrets Manager provider ({@code aws-sm://}). Exports the provider and its options;
 * {@code io.secretsdk.aws.internal} (clients, error scrubbing, ref parsing) is not exported.
 */
module io.secretsdk.aws {
  requires transitive io.secretsdk.core;
  // AwsSecretsManagerOptions takes an AwsCredentialsProvider
  requires transitive software.amazon.awssdk.auth;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  // AwsSecretsManagerOptions.Builder.httpClient takes an SdkHttpClient
  requires transitive software.amazon.awssdk.http;
  requires software.amazon.awssdk.identity.spi;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.services.secretsmanager;
  requires software.amazon.awssdk.services.sts;
  requires software.amazon.awssdk.utils;
  requires org.apache.httpcomponents.httpclient;
  requires org.apache.httpcomponents.httpcore;
  requires com.fasterxml.jackson.databind;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports io.secretsdk.aws;

  provides io.secretsdk.spi.SecretProviderFactory with
      io.secretsdk.aws.AwsSecretsManagerProviderFactory;
}
