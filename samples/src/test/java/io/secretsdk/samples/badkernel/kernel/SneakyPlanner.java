package io.secretsdk.samples.badkernel.kernel;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;

/** A kernel class that breaks the split on purpose; KernelSplitTest proves the rule catches it. */
public final class SneakyPlanner {
  private final SecretsClient client;

  public SneakyPlanner(SecretsClient client) {
    this.client = client;
  }

  public int keyLength(SecretRef ref) {
    return helperLength(ref);
  }

  // through a helper in the same package: still caught
  private int helperLength(SecretRef ref) {
    return client.resolve(ref).reveal().length();
  }
}
