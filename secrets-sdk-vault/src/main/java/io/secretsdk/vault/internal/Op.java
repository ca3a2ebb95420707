package io.secretsdk.vault.internal;

/** What a Vault call was for; decides how its errors map onto the core exceptions. */
public enum Op {
  READ("read"),
  WRITE("write"),
  LOGIN("login"),
  UNWRAP("unwrap"),
  TOKEN("token lookup/renewal"),
  LEASE("lease renewal/revocation"),
  MOUNTS("mount lookup"),
  METADATA("metadata read"),
  REVOKE("revocation");

  final String label;

  Op(String label) {
    this.label = label;
  }
}
