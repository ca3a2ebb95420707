package io.secretsdk.opentelemetry;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretVersionConflictException;
import java.util.List;
import java.util.Map;

/** The span outcome of a provider call: a short, fixed word per exception class. */
final class Outcomes {
  static final String SUCCESS = "success";

  /** Checked in order: the first class the failure is an instance of names it. */
  private static final List<Map.Entry<Class<?>, String>> BY_CLASS = List.of(
      Map.entry(SecretNotFoundException.class, "not_found"),
      Map.entry(SecretAccessDeniedException.class, "denied"),
      Map.entry(ProviderUnavailableException.class, "unavailable"),
      Map.entry(InvalidSecretRefException.class, "invalid_ref"),
      Map.entry(SecretVersionConflictException.class, "version_conflict"),
      Map.entry(PolicyViolationException.class, "policy"),
      Map.entry(SecretConfigException.class, "config"),
      Map.entry(UnsupportedOperationException.class, "unsupported"));

  private Outcomes() {}

  static String of(Throwable e) {
    for (Map.Entry<Class<?>, String> entry : BY_CLASS) {
      if (entry.getKey().isInstance(e)) {
        return entry.getValue();
      }
    }
    return "error";
  }
}
