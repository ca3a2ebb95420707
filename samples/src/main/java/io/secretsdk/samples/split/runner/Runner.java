package io.secretsdk.samples.split.runner;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.samples.split.kernel.VendorCallPlan;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The runner: the only place a ref becomes a value, in memory, for the length of one vendor call.
 */
public final class Runner {
  private final SecretsClient secrets;
  private final HttpClient http;
  private final URI vendorEndpoint;

  public Runner(SecretsClient secrets, URI vendorEndpoint) {
    this.secrets = secrets;
    this.vendorEndpoint = vendorEndpoint;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Executes a plan: resolves its credential and calls the vendor; returns the HTTP status. */
  public int execute(VendorCallPlan plan) throws IOException, InterruptedException {
    try (Secret key = secrets.resolve(plan.credential())) {
      HttpRequest request = key.useChars(chars -> HttpRequest.newBuilder(vendorEndpoint)
          .timeout(Duration.ofSeconds(5))
          .header("Authorization", "Bearer " + new String(chars))
          .POST(HttpRequest.BodyPublishers.ofString("{\"operation\":\"" + plan.operation() + "\"}"))
          .build());
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
  }
}
