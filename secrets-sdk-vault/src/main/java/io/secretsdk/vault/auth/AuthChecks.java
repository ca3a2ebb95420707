package io.secretsdk.vault.auth;

import java.time.Duration;

/** Argument checks shared by the authentication options. */
final class AuthChecks {
  private AuthChecks() {}

  static boolean isValidMountPath(String text) {
    return text != null && text.length() <= 256
        && text.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
        && !text.matches("(.*/)?\\.{1,2}(/.*)?");
  }

  static String mountPath(String text, String what) {
    if (!isValidMountPath(text)) {
      throw new IllegalArgumentException(what + " must be a mount path like 'approle' or 'ci/jwt'");
    }
    return text;
  }

  /** A role name as Vault allows it: letters, digits, {@code _ . @ -}, not starting or ending with {@code . @ -}. */
  static String roleName(String text, String what) {
    if (text == null || text.length() > 128 || !text.matches("[A-Za-z0-9_]([A-Za-z0-9_.@-]*[A-Za-z0-9_])?")) {
      throw new IllegalArgumentException(what + " must be a role name like 'ci' or 'build-runner'");
    }
    return text;
  }

  static String notBlank(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return text;
  }

  static Duration positive(Duration d, String what) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be a positive duration");
    }
    return d;
  }
}
