package io.secretsdk.benchmarks.coldstart;

/** What every variant prints once the value is in hand: its length, never the value. */
final class ColdStartOutput {
  private ColdStartOutput() {}

  static void valueInHand(int length) {
    if (length != ColdStartServer.VALUE.length()) {
      throw new IllegalStateException("unexpected value length " + length);
    }
    System.out.println("value-length " + length);
  }
}
