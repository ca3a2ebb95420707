package io.secretsdk.spi;

import java.util.List;
import java.util.Objects;

/**
 * What a revocation did at the source, step by step, so an operator knows exactly what happened
 * even when a later step failed.
 *
 * @param revokedVersion the version that no longer serves
 * @param steps what was done, in order ({@code "deleted version 3"}); never a value
 */
public record RevokeResult(String revokedVersion, List<String> steps) {

  /** Checks the fields; the list is copied. */
  public RevokeResult {
    Objects.requireNonNull(revokedVersion, "revokedVersion");
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
  }
}
