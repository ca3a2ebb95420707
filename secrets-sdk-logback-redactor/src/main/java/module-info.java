/** The Logback encoder and converter that mask registered values in every log line. */
module io.secretsdk.logback {
  requires transitive io.secretsdk.core;
  requires transitive ch.qos.logback.classic;
  requires transitive ch.qos.logback.core;

  exports io.secretsdk.logback;
}
