package io.secretsdk.archfixture.console;

/** Planted violations for SdkArchitectureTest: console output from library code. */
public final class Prints {
  void out() {
    System.out.println("status");
  }

  void trace(Exception e) {
    e.printStackTrace();
  }
}
