package io.secretsdk.archfixture.console;

/**
 * Planted violation for SdkArchitectureTest: named like an exempt entry point, but in another
 * package, so the exemption does not apply.
 */
public final class LeakScannerMain {
  private LeakScannerMain() {}

  public static void main(String[] args) {
    System.err.println("usage");
  }
}
