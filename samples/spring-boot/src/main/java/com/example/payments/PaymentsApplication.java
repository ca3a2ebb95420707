package com.example.payments;

import java.net.URI;
import java.net.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.context.annotation.Bean;

/**
 * Builds a request with the resolved key, logs its headers (Boot's console, masked by the
 * starter's redacting encoder) and prints the secrets health; never prints the value.
 */
@SpringBootApplication
public class PaymentsApplication {
  private static final Logger LOG = LoggerFactory.getLogger(PaymentsApplication.class);

  /** Runs the application. */
  public static void main(String[] args) {
    SpringApplication.run(PaymentsApplication.class, args).close();
  }

  @Bean
  CommandLineRunner demo(StripeClient stripe, HealthEndpoint health) {
    return args -> {
      HttpRequest request = stripe.charge(URI.create("https://api.stripe.test/v1/charges"));
      LOG.info("request headers: {}", request.headers().map());
      System.out.println("secrets health: " + health.healthForPath("secrets").getStatus());
    };
  }
}
