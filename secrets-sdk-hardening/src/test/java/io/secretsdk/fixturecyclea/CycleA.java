package io.secretsdk.fixturecyclea;

import io.secretsdk.fixturecycleb.CycleB;

/** Planted violation for SdkArchitectureTest: a package cycle with io.secretsdk.fixturecycleb. */
public final class CycleA {
  CycleB next;
}
