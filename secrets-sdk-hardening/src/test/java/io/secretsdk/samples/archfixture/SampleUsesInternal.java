package io.secretsdk.samples.archfixture;

import io.secretsdk.internal.ProviderText;

/** Planted violation for SdkArchitectureTest: the samples are user code and may not use internal. */
public final class SampleUsesInternal {
  String show(String s) {
    return ProviderText.shown(s);
  }
}
