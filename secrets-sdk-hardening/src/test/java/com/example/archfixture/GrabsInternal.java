package com.example.archfixture;

import io.secretsdk.internal.ProviderText;

/** Planted violation for SdkArchitectureTest: user code calling the SDK's internal package. */
public final class GrabsInternal {
  String show(String s) {
    return ProviderText.shown(s);
  }
}
