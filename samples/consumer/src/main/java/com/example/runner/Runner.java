package com.example.runner;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.aws.AwsSecretsManagerOptions;
import io.secretsdk.aws.AwsSecretsManagerProvider;
import io.secretsdk.onepassword.OnePasswordConnectOptions;
import io.secretsdk.onepassword.OnePasswordProvider;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.vault.VaultOptions;
import io.secretsdk.vault.VaultSecretProvider;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.net.URI;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Builds a client with every provider module (Vault, AWS and 1Password are configured but not
 * called: no server is needed), resolves an in-memory value and logs it through the redacting
 * encoder. Prints refs and lengths, never values.
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  private Runner() {}

  /** Runs the demo; exits non-zero if anything fails. */
  public static void main(String[] args) {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("demo/api_key", "demo-" + UUID.randomUUID());
    try (SecretsClient client = SecretsClient.builder()
        .provider(mem)
        .provider(VaultSecretProvider.create(VaultOptions.builder()
            .address(URI.create("http://127.0.0.1:8200"))
            .authentication(TokenAuthentication.create(TokenAuthenticationOptions.builder()
                .token("demo-" + UUID.randomUUID()).build()))
            .build()))
        .provider(AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
            .region("us-east-1")
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                "demo-" + UUID.randomUUID(), "demo-" + UUID.randomUUID())))
            .build()))
        .provider(OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
            .host(URI.create("http://127.0.0.1:8080"))
            .token("demo-" + UUID.randomUUID()).build()))
        .build();
         Secret key = client.resolve("mem://demo/api_key")) {
      Module module = Runner.class.getModule();
      System.out.println("running " + (module.isNamed() ? "on the module path as " + module.getName()
          : "on the classpath") + "; providers: " + client);
      System.out.println("resolved " + key.ref() + " (" + key.useBytes(bytes -> bytes.length) + " bytes)");
      LOG.info("calling the vendor with Authorization: Bearer {}", key.reveal());
    }
  }
}
