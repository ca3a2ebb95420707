package io.secretsdk.aws.archfixture;

import io.secretsdk.http.internal.ProviderHttpClient;

/** Planted violation for SdkArchitectureTest: a module other than Vault and 1Password using the HTTP kit. */
public final class AwsUsesHttpKit {
  ProviderHttpClient http;
}
