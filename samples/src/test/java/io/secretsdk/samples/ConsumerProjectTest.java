package io.secretsdk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the consumer project and the BOM honest. {@code .ci/run} builds {@code samples/consumer}
 * (enforcer {@code dependencyConvergence} on) on the installed artifacts and runs it; these tests
 * keep README's pom identical to it, and the BOM's versions equal to the ones the SDK's own build
 * converges on.
 */
final class ConsumerProjectTest {
  private static final Path ROOT = QuickStartTest.repositoryRoot();

  @Test
  void readmePom_isTheConsumerPom() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<!-- snippet:consumer-pom[^>]*-->\\s*```xml\\n(.*?)```",
        Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("README.md has the consumer-pom snippet").isTrue();
    assertThat(m.group(1))
        .isEqualTo(Files.readString(ROOT.resolve("samples/consumer/pom.xml"), StandardCharsets.UTF_8));
  }

  @Test
  void consumerPom_buildsOnMaven38_andEnforcesConvergence() throws IOException {
    String pom = Files.readString(ROOT.resolve("samples/consumer/pom.xml"), StandardCharsets.UTF_8);
    // Maven 3.8's default compiler plugin (3.1) knows no <release>: the version must be stated
    assertThat(pom).contains("<artifactId>maven-compiler-plugin</artifactId>\n        <version>3.14.1</version>")
        .contains("<maven.compiler.release>17</maven.compiler.release>")
        .contains("<dependencyConvergence />")
        .contains("<artifactId>secrets-sdk-bom</artifactId>")
        .doesNotContain("<parent>");
    // every published module but the test kit, the HTTP kit (it comes with Vault and 1Password)
    // and the Spring Boot starter (samples/spring-boot checks it under Boot's parent), so the
    // convergence check covers them together
    Set<String> elsewhere = Set.of("secrets-sdk-testing", "secrets-sdk-http", "secrets-sdk-spring-boot-starter");
    for (String module : bomModules()) {
      if (!elsewhere.contains(module)) {
        assertThat(pom).as("consumer uses " + module).contains("<artifactId>" + module + "</artifactId>");
      }
    }
  }

  @Test
  void springBootSample_usesTheStarterThroughTheBom_andEnforcesConvergence() throws IOException {
    String pom = Files.readString(ROOT.resolve("samples/spring-boot/pom.xml"), StandardCharsets.UTF_8);
    assertThat(pom).contains("<artifactId>spring-boot-starter-parent</artifactId>")
        .contains("<artifactId>secrets-sdk-bom</artifactId>")
        .contains("<artifactId>secrets-sdk-spring-boot-starter</artifactId>")
        .contains("<dependencyConvergence />");
    assertThat(Files.readString(ROOT.resolve(".ci/run"), StandardCharsets.UTF_8))
        .contains("samples/consumer/run.sh").contains("samples/spring-boot/run.sh");
  }

  @Test
  void bom_managesEveryPublishedModule() throws IOException {
    Set<String> managedByParent = managedModules(ROOT.resolve("pom.xml"));
    assertThat(managedByParent).isNotEmpty();
    assertThat(bomModules()).containsExactlyInAnyOrderElementsOf(managedByParent);
  }

  @Test
  void bomVersions_equalTheParentsConvergedVersions() throws IOException {
    Map<String, String> bom = properties(Files.readString(ROOT.resolve("secrets-sdk-bom/pom.xml"),
        StandardCharsets.UTF_8));
    Map<String, String> parent = properties(Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8));
    assertThat(bom).containsKeys("kotlin.version", "slf4j.version");
    for (Map.Entry<String, String> e : bom.entrySet()) {
      assertThat(parent.get(e.getKey())).as("parent's " + e.getKey()).isEqualTo(e.getValue());
    }
  }

  private static Set<String> bomModules() throws IOException {
    return managedModules(ROOT.resolve("secrets-sdk-bom/pom.xml"));
  }

  /** The io.secretsdk artifacts a pom's dependencyManagement names. */
  private static Set<String> managedModules(Path pomFile) throws IOException {
    String pom = Files.readString(pomFile, StandardCharsets.UTF_8);
    Set<String> modules = new LinkedHashSet<>();
    Matcher m = Pattern.compile("<groupId>io\\.secretsdk</groupId>\\s*<artifactId>([^<]+)</artifactId>")
        .matcher(section(pom, "dependencyManagement"));
    while (m.find()) {
      modules.add(m.group(1));
    }
    return modules;
  }

  private static Map<String, String> properties(String pom) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("<([a-zA-Z0-9.-]+\\.version)>([^<]*)</\\1>").matcher(section(pom, "properties"));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  private static String section(String pom, String tag) {
    int start = pom.indexOf("<" + tag + ">");
    int end = pom.indexOf("</" + tag + ">", start);
    assertThat(start).as("<" + tag + "> present").isNotNegative();
    return pom.substring(start, end);
  }
}
