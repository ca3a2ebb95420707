package com.example.payments;

import io.secretsdk.Secret;
import io.secretsdk.spring.NamedSecret;
import io.secretsdk.spring.SecretName;
import java.net.URI;
import java.net.http.HttpRequest;
import org.springframework.stereotype.Component;

/** Builds vendor requests with the key resolved at each use; holds a name, never the value. */
@Component
public class StripeClient {
  private final NamedSecret apiKey;

  StripeClient(@SecretName("stripe") NamedSecret apiKey) {
    this.apiKey = apiKey;
  }

  /** A charge request, authorized with the current key. */
  public HttpRequest charge(URI endpoint) {
    try (Secret key = apiKey.resolve()) {
      return key.useChars(chars -> HttpRequest.newBuilder(endpoint)
          .header("Authorization", "Bearer " + new String(chars))
          .POST(HttpRequest.BodyPublishers.noBody()).build());
    }
  }
}
