package io.secretsdk.spring;

import io.secretsdk.Secret;
import java.net.URI;
import java.net.http.HttpRequest;
import org.springframework.stereotype.Component;

/** README's Spring Boot example bean; {@link ReadmeExampleTest} runs it. */
// snippet:spring-bean:start
@Component
class StripeClient {
  private final NamedSecret apiKey;

  StripeClient(@SecretName("stripe") NamedSecret apiKey) {   // a registry name, never a value
    this.apiKey = apiKey;
  }

  HttpRequest charge(URI endpoint) {
    try (Secret key = apiKey.resolve()) {   // at each use: from the cache, refreshed, rotated
      return key.useChars(chars -> HttpRequest.newBuilder(endpoint)
          .header("Authorization", "Bearer " + new String(chars))
          .POST(HttpRequest.BodyPublishers.noBody()).build());
    }
  }
}
// snippet:spring-bean:end
