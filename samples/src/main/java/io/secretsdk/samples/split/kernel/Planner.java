package io.secretsdk.samples.split.kernel;

import io.secretsdk.SecretRef;
import java.time.Duration;
import java.util.List;

/** The kernel: plans vendor calls with refs, scope labels and TTLs — and never resolves a ref. */
public final class Planner {
  private final SecretRef llmCredential;

  public Planner(SecretRef llmCredential) {
    this.llmCredential = llmCredential;
  }

  /** Plans one chat completion; the plan is safe to log, store and send to another process. */
  public VendorCallPlan planChat(String prompt) {
    String operation = "chat:" + prompt.length() + "-chars";
    return new VendorCallPlan(operation, llmCredential, List.of("llm:chat"), Duration.ofMinutes(5));
  }
}
