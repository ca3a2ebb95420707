package io.secretsdk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.secretsdk.Secret;
import io.secretsdk.testing.KernelRules;
import io.secretsdk.testing.LeakAssertions;
import io.secretsdk.testing.SecretsExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** README "Testing your code": the snippet below is kept identical to the README's. */
final class TestingYourCodeTest {
  @TempDir
  Path runRecords;

  // snippet:testing:start
  @RegisterExtension
  final SecretsExtension secrets = SecretsExtension.builder()
      .canary("openai/api")                 // random canary value at fake://openai/api
      .build();

  @Test
  void runnerKeepsTheKeyOutOfEverything() {
    try (Secret key = secrets.client().resolve(secrets.ref("openai/api"))) {
      System.out.println("calling vendor with " + key);   // masked: Secret[..., value=****]
    }
    // stdout, stderr, log events and thrown exceptions are checked after the test;
    // check other outputs yourself:
    LeakAssertions.assertNoLeak(secrets.canaries(), runRecords);
  }

  @Test
  void kernelNeverResolves() {
    KernelRules.kernelMustNotResolveSecrets("..split.kernel..")
        .check(new ClassFileImporter().importPackages("io.secretsdk.samples.split"));
  }
  // snippet:testing:end

  @Test
  void extension_providesClientOverCanaries() {
    assertThat(secrets.provider().calls("openai/api")).isZero();
    try (Secret key = secrets.client().resolve(secrets.ref("openai/api"))) {
      assertThat(key.reveal()).startsWith("canary-");
    }
  }
}
