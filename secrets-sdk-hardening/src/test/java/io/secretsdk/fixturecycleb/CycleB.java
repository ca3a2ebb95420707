package io.secretsdk.fixturecycleb;

import io.secretsdk.fixturecyclea.CycleA;

/** Planted violation for SdkArchitectureTest: closes the cycle with io.secretsdk.fixturecyclea. */
public final class CycleB {
  CycleA back;
}
