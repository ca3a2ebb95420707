package io.secretsdk.samples.split.kernel;

import io.secretsdk.SecretRef;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the kernel hands to a runner: which vendor operation to call, and which credential by ref,
 * with its scope labels and how long the runner may hold it. No value — the kernel never has one.
 */
public final class VendorCallPlan {
  private final String operation;
  private final SecretRef credential;
  private final List<String> scope;
  private final Duration ttl;

  public VendorCallPlan(String operation, SecretRef credential, List<String> scope, Duration ttl) {
    this.operation = Objects.requireNonNull(operation, "operation");
    this.credential = Objects.requireNonNull(credential, "credential");
    this.scope = List.copyOf(scope);
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  public String operation() {
    return operation;
  }

  public SecretRef credential() {
    return credential;
  }

  public List<String> scope() {
    return scope;
  }

  public Duration ttl() {
    return ttl;
  }

  @Override
  public String toString() {
    return "VendorCallPlan[" + operation + " with " + credential + " scope=" + scope + " ttl=" + ttl + "]";
  }
}
