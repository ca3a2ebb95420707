package io.secretsdk.platform.internal;

/** What a call was for, in exception messages and in the mapping of statuses. */
public enum Op {
  /** A token exchange or issuance. */
  LOGIN("login"),
  /** A read of a value. */
  READ("read"),
  /** A read of the version history. */
  VERSIONS("version listing"),
  /** A placement (create or rotate). */
  WRITE("write"),
  /** A revocation of a version. */
  REVOKE("revocation"),
  /** A read of the audit stream. */
  AUDIT("audit read");

  final String label;

  Op(String label) {
    this.label = label;
  }
}
