/** A runner that uses secrets-sdk through the BOM, as a user's project would. */
module com.example.runner {
  requires io.secretsdk.vault;       // requires transitive io.secretsdk.core
  requires io.secretsdk.aws;
  requires io.secretsdk.onepassword;
  requires io.secretsdk.logback;     // logback.xml names its RedactingEncoder
  requires org.slf4j;
}
