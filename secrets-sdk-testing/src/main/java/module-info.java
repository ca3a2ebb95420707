/** Test support: a fake provider, the JUnit 5 extension, leak assertions, the kernel ArchUnit rule. */
module io.secretsdk.testing {
  requires transitive io.secretsdk.core;
  requires transitive org.junit.jupiter.api;
  requires transitive com.tngtech.archunit;
  // log capture works when the user's tests log through Logback
  requires org.slf4j;
  requires static ch.qos.logback.classic;
  requires static ch.qos.logback.core;

  exports io.secretsdk.testing;
}
