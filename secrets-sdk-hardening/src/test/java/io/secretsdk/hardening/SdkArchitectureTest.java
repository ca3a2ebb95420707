package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.archfixture.GrabsInternal;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.secretsdk.archfixture.console.LeakScannerMain;
import io.secretsdk.archfixture.console.Prints;
import io.secretsdk.archfixture.console.TraceToString;
import io.secretsdk.aws.archfixture.AwsUsesHttpKit;
import io.secretsdk.aws.archfixture.AwsUsesVault;
import io.secretsdk.fixturecyclea.CycleA;
import io.secretsdk.fixturecycleb.CycleB;
import io.secretsdk.http.archfixture.KitUsesVault;
import io.secretsdk.provider.archfixture.CoreUsesVault;
import io.secretsdk.samples.archfixture.SampleUsesInternal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture rules ({@link SdkRules}) hold on the SDK's main code (every published module,
 * the CLI and the samples, as jars or class directories on this module's test class path; test classes are
 * left out), and each fails on a planted violation (the fixture classes in this module's test
 * sources, imported on their own).
 */
final class SdkArchitectureTest {
  private static JavaClasses sdk;

  @BeforeAll
  static void importSdk() {
    sdk = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.secretsdk");
  }

  @Test
  void import_coversEveryModule() {
    Set<String> packages = sdk.stream().map(c -> c.getPackageName()).collect(Collectors.toSet());
    assertThat(packages).contains("io.secretsdk", "io.secretsdk.internal", "io.secretsdk.spi",
        "io.secretsdk.redact", "io.secretsdk.vault", "io.secretsdk.vault.internal", "io.secretsdk.aws",
        "io.secretsdk.aws.internal", "io.secretsdk.onepassword", "io.secretsdk.onepassword.internal",
        "io.secretsdk.logback", "io.secretsdk.testing", "io.secretsdk.cli", "io.secretsdk.samples",
        "io.secretsdk.http.internal", "io.secretsdk.keychain", "io.secretsdk.keychain.internal",
        "io.secretsdk.platform", "io.secretsdk.platform.internal", "io.secretsdk.opentelemetry",
        "io.secretsdk.hikari");
    assertThat(packages).as("no test classes (fixtures) in the main-code import")
        .doesNotContain("io.secretsdk.fixturecyclea", "io.secretsdk.hardening");
  }

  @Test
  void sdk_followsEveryRule() {
    for (ArchRule rule : SdkRules.all()) {
      rule.check(sdk);
    }
  }

  @Test
  void packageCycle_fails() {
    JavaClasses planted = new ClassFileImporter().importClasses(CycleA.class, CycleB.class);
    assertViolation(SdkRules.noCyclesBetweenTopLevelPackages(), planted, "fixturecyclea");
    assertViolation(SdkRules.noCyclesBetweenPackages(), planted, "fixturecycleb");
  }

  @Test
  void internalFromOutside_fails() {
    JavaClasses planted = new ClassFileImporter().importClasses(GrabsInternal.class, SampleUsesInternal.class);
    EvaluationResult result = SdkRules.internalUsedOnlyBySdk().evaluate(planted);
    assertThat(result.hasViolation()).isTrue();
    assertThat(String.join("\n", result.getFailureReport().getDetails()))
        .contains(GrabsInternal.class.getName(), SampleUsesInternal.class.getName());
  }

  @Test
  void providerReachingIntoAnother_fails() {
    JavaClasses planted = new ClassFileImporter().importClasses(AwsUsesVault.class);
    List<ArchRule> internals = SdkRules.providerInternalsStayInTheirModule();
    assertViolation(internals.get(0), planted, "io.secretsdk.vault.internal.Op");
    List<ArchRule> independent = SdkRules.providersIndependent();
    assertViolation(independent.get(1), planted, "io.secretsdk.vault.VaultOptions");
    // the rules for the modules the fixture does not touch stay quiet
    assertThat(internals.get(1).evaluate(planted).hasViolation()).isFalse();
    assertThat(independent.get(2).evaluate(planted).hasViolation()).isFalse();
  }

  @Test
  void httpKitOutsideTheOkHttpProviders_fails() {
    JavaClasses planted = new ClassFileImporter().importClasses(AwsUsesHttpKit.class);
    assertViolation(SdkRules.httpKitUsedOnlyByOkHttpProviders(), planted,
        "io.secretsdk.http.internal.ProviderHttpClient");
  }

  @Test
  void httpKitDependingOnProvider_fails() {
    JavaClasses planted = new ClassFileImporter().importClasses(KitUsesVault.class);
    assertViolation(SdkRules.httpKitDependsOnCoreOnly(), planted, "io.secretsdk.vault.VaultOptions");
  }

  @Test
  void coreDependingOnProvider_fails() {
    JavaClasses planted = new ClassFileImporter().importClasses(CoreUsesVault.class);
    assertViolation(SdkRules.coreDependsOnNoOtherModule(), planted, "io.secretsdk.vault.VaultOptions");
  }

  @Test
  void consoleOutput_fails_andTheExemptionIsByExactClassAndMethod() {
    JavaClasses planted = new ClassFileImporter()
        .importClasses(Prints.class, LeakScannerMain.class, TraceToString.class);
    EvaluationResult result = SdkRules.noConsoleOutput().evaluate(planted);
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertThat(report).contains("Prints.out()", "Prints.trace(java.lang.Exception)",
        LeakScannerMain.class.getName() + ".main(");
    assertThat(report).as("a stack trace printed into a string is allowed")
        .doesNotContain("TraceToString");
  }

  @Test
  void consoleExemptions_areAllNeeded() {
    // without exemptions the rule flags exactly the injection points: no exemption is stale
    EvaluationResult result = SdkRules.noConsoleOutput(Map.of()).evaluate(sdk);
    String report = String.join("\n", result.getFailureReport().getDetails());
    for (Map.Entry<String, Set<String>> e : SdkRules.STANDARD_STREAM_USERS.entrySet()) {
      for (String method : e.getValue()) {
        assertThat(report).contains(e.getKey() + "." + method + "(");
      }
    }
  }

  private static void assertViolation(ArchRule rule, JavaClasses planted, String expected) {
    EvaluationResult result = rule.evaluate(planted);
    assertThat(result.hasViolation()).as("%s on the planted classes", rule.getDescription()).isTrue();
    assertThat(String.join("\n", result.getFailureReport().getDetails())).contains(expected);
  }
}
