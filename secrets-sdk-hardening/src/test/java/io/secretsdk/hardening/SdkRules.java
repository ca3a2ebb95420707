package io.secretsdk.hardening;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture rules of the SDK's own main code (all published modules and the CLI), checked
 * by {@link SdkArchitectureTest} on the real classes and on planted violations.
 */
final class SdkRules {
  /** The packages of each module's code; the root package io.secretsdk belongs to core. */
  static final String[] CORE = {"io.secretsdk", "io.secretsdk.spi..", "io.secretsdk.event..",
      "io.secretsdk.config..", "io.secretsdk.redact..", "io.secretsdk.identity..",
      "io.secretsdk.metrics..", "io.secretsdk.rotation..", "io.secretsdk.provider..",
      "io.secretsdk.internal.."};
  static final List<String> PROVIDERS =
      List.of("io.secretsdk.vault..", "io.secretsdk.aws..", "io.secretsdk.onepassword..",
          "io.secretsdk.keychain..", "io.secretsdk.platform..");

  /**
   * Where System.out / System.err may be read: only to hand them, once, to code that takes an
   * injected PrintStream (the two command-line entry points), or to redirect them (the redacting
   * wrapper users install, and the test extension that captures them to check for leaks).
   */
  static final Map<String, Set<String>> STANDARD_STREAM_USERS = Map.of(
      "io.secretsdk.redact.LeakScannerMain", Set.of("main"),
      "io.secretsdk.cli.Main", Set.of("main"),
      "io.secretsdk.redact.RedactingPrintStream", Set.of("install", "uninstall"),
      "io.secretsdk.testing.SecretsExtension", Set.of("beforeEach", "afterEach"));

  private SdkRules() {}

  /**
   * No cycles between the SDK's sub-packages, each top-level one (io.secretsdk.X..) a slice.
   *
   * <p>The root package io.secretsdk is left out on purpose: it holds both the value types
   * providers implement against (SecretRef, the exceptions) and the client (SecretsClient, whose
   * builder takes SecretProviders), so root &lt;-&gt; spi is inherent to the API's shape.
   */
  static ArchRule noCyclesBetweenTopLevelPackages() {
    return slices().matching("io.secretsdk.(*)..").should().beFreeOfCycles()
        .as("no cycles between the SDK's top-level sub-packages (root package excluded)");
  }

  /**
   * No cycles between any two packages of the SDK below the root, each package its own slice
   * (io.secretsdk.provider.mem and io.secretsdk.provider.local are two, and so are
   * io.secretsdk.vault and io.secretsdk.vault.auth), except that a provider module's
   * {@code internal} package shares the slice of the module's top package: the internal classes
   * are built from the module's public options, and the public provider delegates to them, so the
   * two form one unit by design (the boundary between them is the module's exports).
   */
  static ArchRule noCyclesBetweenPackages() {
    return slices().assignedFrom(PACKAGE_SLICES).should().beFreeOfCycles()
        .as("no cycles between any of the SDK's packages (root package excluded; a provider's internal"
            + " package counted with its top package)");
  }

  private static final SliceAssignment PACKAGE_SLICES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String pkg = javaClass.getPackageName();
      if (!pkg.startsWith("io.secretsdk.")) {
        return SliceIdentifier.ignore();
      }
      for (String provider : PROVIDERS) {
        String base = provider.substring(0, provider.length() - 2);
        if (pkg.equals(base + ".internal") || pkg.startsWith(base + ".internal.")) {
          return SliceIdentifier.of(base.substring("io.secretsdk.".length()));
        }
      }
      return SliceIdentifier.of(pkg.substring("io.secretsdk.".length()));
    }

    @Override
    public String getDescription() {
      return "every package below io.secretsdk, a provider's internal package with its top package";
    }
  };

  /** Any internal package of the SDK is used by the SDK only (not by samples or users). */
  static ArchRule internalUsedOnlyBySdk() {
    return noClasses().that(not(resideInAPackage("io.secretsdk..")).or(resideInAPackage("io.secretsdk.samples..")))
        .should().dependOnClassesThat().resideInAPackage("io.secretsdk..internal..")
        .allowEmptyShould(true)
        .as("io.secretsdk internal packages are used by the SDK only");
  }

  /** A provider module's internal package is used by that module only. */
  static List<ArchRule> providerInternalsStayInTheirModule() {
    return PROVIDERS.stream().map(module -> {
      String base = module.substring(0, module.length() - 2);
      return noClasses().that().resideOutsideOfPackage(module)
          .should().dependOnClassesThat().resideInAPackage(base + ".internal..")
          .allowEmptyShould(true)
          .as(base + ".internal is used by " + base + " only");
    }).map(ArchRule.class::cast).toList();
  }

  /** vault, aws, onepassword, keychain and platform never depend on each other. */
  static List<ArchRule> providersIndependent() {
    return PROVIDERS.stream().map(module -> {
      String[] others = PROVIDERS.stream().filter(m -> !m.equals(module)).toArray(String[]::new);
      return noClasses().that().resideInAPackage(module)
          .should().dependOnClassesThat().resideInAnyPackage(others)
          .allowEmptyShould(true)
          .as(module + " depends on no other provider module");
    }).map(ArchRule.class::cast).toList();
  }

  /**
   * The integrations (OpenTelemetry, HikariCP) work with any provider through the SPI and the
   * client: their main code depends on no provider module.
   */
  static ArchRule integrationsIndependentOfProviders() {
    return noClasses().that().resideInAnyPackage("io.secretsdk.opentelemetry..", "io.secretsdk.hikari..")
        .should().dependOnClassesThat().resideInAnyPackage(PROVIDERS.toArray(String[]::new))
        .allowEmptyShould(true)
        .as("the OpenTelemetry and HikariCP integrations depend on no provider module");
  }

  /** The packages of the HTTP kit (secrets-sdk-http), and of the providers that may use it. */
  static final String HTTP_KIT = "io.secretsdk.http..";
  static final String[] HTTP_KIT_USERS = {HTTP_KIT, "io.secretsdk.vault..", "io.secretsdk.onepassword..",
      "io.secretsdk.platform.."};

  /** The HTTP kit is used by the OkHttp providers (Vault, 1Password, the platform Secrets API) only. */
  static ArchRule httpKitUsedOnlyByOkHttpProviders() {
    return noClasses().that().resideOutsideOfPackages(HTTP_KIT_USERS)
        .should().dependOnClassesThat().resideInAPackage(HTTP_KIT)
        .allowEmptyShould(true)
        .as("io.secretsdk.http is used by the Vault, 1Password and platform modules only");
  }

  /** The HTTP kit depends on core only: providers never reach each other through it. */
  static ArchRule httpKitDependsOnCoreOnly() {
    return classes().that().resideInAPackage(HTTP_KIT)
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.secretsdk.."))
            .or(resideInAnyPackage(CORE)).or(resideInAPackage(HTTP_KIT)))
        .allowEmptyShould(true)
        .as("io.secretsdk.http depends on no SDK module but core");
  }

  /** Core depends on no other module of the SDK. */
  static ArchRule coreDependsOnNoOtherModule() {
    return classes().that().resideInAnyPackage(CORE)
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.secretsdk..")).or(resideInAnyPackage(CORE)))
        .allowEmptyShould(true)
        .as("core depends on no other SDK module");
  }

  /** No System.out / System.err outside {@link #STANDARD_STREAM_USERS}, no printStackTrace(). */
  static ArchRule noConsoleOutput() {
    return noConsoleOutput(STANDARD_STREAM_USERS);
  }

  /** No System.out / System.err outside {@code allowed} (class name to method names), no printStackTrace(). */
  static ArchRule noConsoleOutput(Map<String, Set<String>> allowed) {
    DescribedPredicate<JavaAccess<?>> standardStream = new DescribedPredicate<>(
        "read System.out or System.err outside the injection points") {
      @Override
      public boolean test(JavaAccess<?> access) {
        if (!(access instanceof JavaFieldAccess)) {
          return false;
        }
        boolean stream = access.getTargetOwner().isEquivalentTo(System.class)
            && (access.getName().equals("out") || access.getName().equals("err"));
        return stream && !exempt(allowed, access.getOrigin());
      }
    };
    DescribedPredicate<JavaAccess<?>> printStackTrace = new DescribedPredicate<>(
        "call Throwable.printStackTrace() (to System.err)") {
      @Override
      public boolean test(JavaAccess<?> access) {
        return access instanceof JavaMethodCall call
            && call.getName().equals("printStackTrace")
            && call.getTarget().getRawParameterTypes().isEmpty()
            && call.getTargetOwner().isAssignableTo(Throwable.class);
      }
    };
    // the samples are runnable demos whose output is the point; the rule is for the SDK's code
    return noClasses().that().resideOutsideOfPackage("io.secretsdk.samples..")
        .should().accessTargetWhere(standardStream)
        .orShould().accessTargetWhere(printStackTrace)
        .as("main code writes to no console (System.out/err only at the injection points, no printStackTrace())");
  }

  private static boolean exempt(Map<String, Set<String>> allowed, JavaCodeUnit origin) {
    Set<String> methods = allowed.get(origin.getOwner().getName());
    return methods != null && methods.contains(origin.getName());
  }

  /** Every rule, for the check on the SDK's classes. */
  static List<ArchRule> all() {
    List<ArchRule> rules = new java.util.ArrayList<>();
    rules.add(noCyclesBetweenTopLevelPackages());
    rules.add(noCyclesBetweenPackages());
    rules.add(internalUsedOnlyBySdk());
    rules.addAll(providerInternalsStayInTheirModule());
    rules.addAll(providersIndependent());
    rules.add(integrationsIndependentOfProviders());
    rules.add(coreDependsOnNoOtherModule());
    rules.add(httpKitUsedOnlyByOkHttpProviders());
    rules.add(httpKitDependsOnCoreOnly());
    rules.add(noConsoleOutput());
    return rules;
  }
}
