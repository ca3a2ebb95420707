package io.secretsdk.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * ArchUnit rules that keep secret values out of kernel code: the part of a program that plans and
 * orchestrates holds {@link io.secretsdk.SecretRef}s, scope labels and TTLs, and never resolves
 * them.
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "com.acme")
 * class KernelSplitTest {
 *   @ArchTest
 *   static final ArchRule kernel = KernelRules.kernelMustNotResolveSecrets("..kernel..");
 * }
 * }</pre>
 *
 * <p>Thread-safe; rules are immutable.
 */
public final class KernelRules {
  /** Why the rule exists, in the failure message. */
  public static final String REASON = "the kernel holds only SecretRefs, scope labels and TTLs;"
      + " resolving a ref into a value is the runner's job, so kernel code must never reach a"
      + " secret value";

  /** Methods that hand out secret material, by owner type. */
  private static final Map<String, Set<String>> VALUE_ACCESS = Map.of(
      "io.secretsdk.Secret", Set.of("reveal", "revealBytes", "useBytes", "useChars"),
      "io.secretsdk.SecretsClient", Set.of("resolve", "resolveByName", "resolveAll", "refresh"),
      "io.secretsdk.spi.SecretProvider", Set.of("fetch", "fetchAll"),
      "io.secretsdk.spi.FetchResult", Set.of("value"),
      "io.secretsdk.identity.IdentityToken", Set.of("reveal"),
      "io.secretsdk.identity.IdentityTokenSource", Set.of("token"));

  private KernelRules() {}

  /**
   * Fails when a class in {@code kernelPackages} (ArchUnit package patterns such as
   * {@code ..kernel..}) calls, or takes a method reference to, a method that yields a secret value:
   * {@code Secret.reveal/revealBytes/useBytes/useChars}, {@code SecretsClient.resolve*}/
   * {@code refresh}, a provider's {@code fetch}, and the like — directly or on any subtype,
   * including through helper classes in the same packages (they are checked too).
   *
   * @throws IllegalArgumentException if no package is given
   */
  public static ArchRule kernelMustNotResolveSecrets(String... kernelPackages) {
    Objects.requireNonNull(kernelPackages, "kernelPackages");
    if (kernelPackages.length == 0) {
      throw new IllegalArgumentException("name at least one kernel package pattern");
    }
    return noClasses().that().resideInAnyPackage(kernelPackages)
        .should().accessTargetWhere(JavaAccess.Predicates.target(valueAccess()))
        .because(REASON);
  }

  private static DescribedPredicate<AccessTarget> valueAccess() {
    return new DescribedPredicate<AccessTarget>("access a secret value (Secret.reveal*/use*,"
        + " SecretsClient.resolve*/refresh, SecretProvider.fetch*, FetchResult.value,"
        + " IdentityToken.reveal)") {
      @Override
      public boolean test(AccessTarget target) {
        JavaClass owner = target.getOwner();
        for (Map.Entry<String, Set<String>> e : VALUE_ACCESS.entrySet()) {
          if (e.getValue().contains(target.getName()) && owner.isAssignableTo(e.getKey())) {
            return true;
          }
        }
        return false;
      }
    };
  }
}
