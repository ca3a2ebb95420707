package io.secretsdk.samples.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.samples.split.kernel.Planner;
import io.secretsdk.samples.split.kernel.VendorCallPlan;
import io.secretsdk.samples.split.runner.Runner;
import io.secretsdk.testing.FakeSecretProvider;
import io.secretsdk.testing.KernelRules;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class KernelSplitTest {
  private static final String CANARY = "sk-canary-kernel-split-0123456789";

  @Test
  void kernelRule_sampleKernel_passes() {
    JavaClasses classes = new ClassFileImporter().importPackages("io.secretsdk.samples.split");
    KernelRules.kernelMustNotResolveSecrets("..split.kernel..").check(classes);
  }

  @Test
  void kernelRule_kernelClassThatResolves_fails() {
    JavaClasses classes = new ClassFileImporter().importPackages("io.secretsdk.samples.badkernel");
    assertThatThrownBy(() -> KernelRules.kernelMustNotResolveSecrets("..badkernel.kernel..").check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("SneakyPlanner")
        .hasMessageContaining("resolve")
        .hasMessageContaining("reveal")
        .hasMessageContaining("the kernel holds only SecretRefs");
  }

  @Test
  void runner_executesKernelPlan_sendsCredentialOnlyToVendor() throws Exception {
    AtomicReference<String> seenAuthorization = new AtomicReference<>();
    HttpServer vendor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    vendor.createContext("/v1/chat", exchange -> {
      seenAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    vendor.start();
    FakeSecretProvider fake = FakeSecretProvider.create("fake");
    fake.set("openai/ci", CANARY);
    try (SecretsClient client = SecretsClient.builder().provider(fake)
        .environment(RunEnvironment.CI).build()) {
      VendorCallPlan plan = new Planner(SecretRef.parse("fake://openai/ci")).planChat("hello");
      Runner runner = new Runner(client,
          URI.create("http://127.0.0.1:" + vendor.getAddress().getPort() + "/v1/chat"));

      assertThat(runner.execute(plan)).isEqualTo(200);
      assertThat(seenAuthorization.get()).isEqualTo("Bearer " + CANARY);
      assertThat(plan.toString()).doesNotContain(CANARY).contains("fake://openai/ci");
    } finally {
      vendor.stop(0);
    }
  }
}
