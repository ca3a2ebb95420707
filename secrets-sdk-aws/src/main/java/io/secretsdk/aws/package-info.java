/**
 * AWS Secrets Manager provider for {@code aws-sm://} refs, built on the AWS SDK for Java v2.
 *
 * <p>Register it explicitly with
 * {@code AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.ofDefaults())}, or let
 * configuration-driven set-up build it through {@link io.secretsdk.aws.AwsSecretsManagerProviderFactory}.
 */
package io.secretsdk.aws;
