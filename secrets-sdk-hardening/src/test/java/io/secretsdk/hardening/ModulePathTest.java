package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The boundary on the module path: the SDK's jars (with their {@code module-info}) and their
 * dependencies, as this module's runtime dependencies list them ({@code target/module-path.txt},
 * written by the dependency plugin), are put on a module path, and consumer modules are compiled
 * with javac and run with a forked {@code java}, the way an application would.
 */
final class ModulePathTest {
  private static final Set<String> SDK_MODULES = Set.of("io.secretsdk.core", "io.secretsdk.vault",
      "io.secretsdk.aws", "io.secretsdk.onepassword", "io.secretsdk.logback", "io.secretsdk.http",
      "io.secretsdk.keychain", "io.secretsdk.platform", "io.secretsdk.opentelemetry",
      "io.secretsdk.hikari");

  private static List<Path> modulePath;

  @TempDir Path work;

  @BeforeAll
  static void readModulePath() throws IOException {
    String file = System.getProperty("secretsdk.module.path.file");
    assertThat(file).as("secretsdk.module.path.file (set by the pom)").isNotBlank();
    String text = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
    modulePath = new ArrayList<>();
    for (String entry : text.split(java.io.File.pathSeparator)) {
      modulePath.add(Path.of(entry));
    }
  }

  @Test
  void descriptors_exportInternalPackagesOnlyToSdkModules() {
    Map<String, ModuleDescriptor> sdk = new TreeMap<>();
    for (ModuleReference ref : ModuleFinder.of(modulePath.toArray(Path[]::new)).findAll()) {
      if (SDK_MODULES.contains(ref.descriptor().name())) {
        sdk.put(ref.descriptor().name(), ref.descriptor());
      }
    }
    assertThat(sdk.keySet()).containsExactlyInAnyOrderElementsOf(SDK_MODULES);
    for (ModuleDescriptor d : sdk.values()) {
      assertThat(d.isAutomatic()).as("%s has a module-info", d.name()).isFalse();
      assertThat(d.isOpen()).as("%s is not an open module", d.name()).isFalse();
      assertThat(d.opens()).as("%s opens no package to reflection", d.name()).isEmpty();
      for (String pkg : d.packages()) {
        if (pkg.contains(".internal")) {
          List<ModuleDescriptor.Exports> exports =
              d.exports().stream().filter(e -> e.source().equals(pkg)).collect(Collectors.toList());
          for (ModuleDescriptor.Exports e : exports) {
            assertThat(e.isQualified()).as("%s exports %s only qualified", d.name(), pkg).isTrue();
            assertThat(e.targets()).as("%s exports %s to", d.name(), pkg)
                .allMatch(t -> t.startsWith("io.secretsdk."));
          }
          assertThat(d.opens()).as("%s opens nothing under internal", d.name())
              .noneMatch(o -> o.source().equals(pkg));
        }
      }
    }
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.core"))).containsExactlyInAnyOrder(
        "io.secretsdk", "io.secretsdk.spi", "io.secretsdk.event", "io.secretsdk.config",
        "io.secretsdk.redact", "io.secretsdk.identity", "io.secretsdk.metrics", "io.secretsdk.rotation",
        "io.secretsdk.provider.env", "io.secretsdk.provider.file", "io.secretsdk.provider.local",
        "io.secretsdk.provider.mem");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.vault")))
        .containsExactlyInAnyOrder("io.secretsdk.vault", "io.secretsdk.vault.auth");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.aws"))).containsExactly("io.secretsdk.aws");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.onepassword")))
        .containsExactly("io.secretsdk.onepassword");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.keychain")))
        .containsExactly("io.secretsdk.keychain");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.platform"))).containsExactly("io.secretsdk.platform");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.opentelemetry")))
        .containsExactly("io.secretsdk.opentelemetry");
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.hikari"))).containsExactly("io.secretsdk.hikari");
    // the engine's package is exported to the SDK's modules and nowhere else
    assertThat(sdk.get("io.secretsdk.core").exports()).filteredOn(e -> e.source().equals("io.secretsdk.internal"))
        .singleElement().satisfies(e -> assertThat(e.targets()).containsExactlyInAnyOrder(
            "io.secretsdk.logback", "io.secretsdk.testing", "io.secretsdk.http", "io.secretsdk.vault",
            "io.secretsdk.aws", "io.secretsdk.onepassword", "io.secretsdk.keychain",
            "io.secretsdk.platform", "io.secretsdk.cli",
            "io.secretsdk.spring")); // the Spring Boot starter's jar (Automatic-Module-Name)
    // the HTTP kit has no API: its package goes to the three OkHttp providers only
    assertThat(unqualifiedExports(sdk.get("io.secretsdk.http"))).isEmpty();
    assertThat(sdk.get("io.secretsdk.http").exports())
        .singleElement().satisfies(e -> {
          assertThat(e.source()).isEqualTo("io.secretsdk.http.internal");
          assertThat(e.targets()).containsExactlyInAnyOrder("io.secretsdk.vault", "io.secretsdk.onepassword",
              "io.secretsdk.platform");
        });
  }

  @Test
  void consumerModule_resolvesThroughMemProvider_andCannotReachInternals() throws Exception {
    String canary = "mp-" + HexFormat.of().formatHex(randomBytes(16));
    Path src = work.resolve("src");
    write(src.resolve("module-info.java"), "module consumer {\n"
        + "  requires io.secretsdk.core;\n"
        + "  requires com.fasterxml.jackson.databind;\n"
        + "  requires org.slf4j;\n"
        // Logback loads the encoder by class name: without this the module is not resolved
        + "  requires io.secretsdk.logback;\n"
        + "  uses io.secretsdk.spi.SecretProviderFactory;\n"
        + "}\n");
    write(src.resolve("consumer/Main.java"), String.join("\n",
        "package consumer;",
        "import io.secretsdk.Secret;",
        "import io.secretsdk.SecretsClient;",
        "import io.secretsdk.provider.mem.MemSecretProvider;",
        "import io.secretsdk.spi.SecretProviderFactory;",
        "import java.lang.reflect.Field;",
        "import java.lang.reflect.InaccessibleObjectException;",
        "import java.lang.reflect.Modifier;",
        "import java.nio.charset.StandardCharsets;",
        "import java.util.ServiceLoader;",
        "import java.util.TreeSet;",
        "public final class Main {",
        "  public static void main(String[] args) throws Exception {",
        "    String value = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);",
        "    MemSecretProvider mem = MemSecretProvider.create();",
        "    mem.put(\"app/key\", value);",
        "    try (SecretsClient client = SecretsClient.builder().provider(mem).build();",
        "         Secret secret = client.resolve(\"mem://app/key\")) {",
        "      System.out.println(\"module=\" + Secret.class.getModule().getName());",
        "      System.out.println(\"match=\" + secret.reveal().equals(value));",
        "      System.out.println(\"toString=\" + secret);",
        "      System.out.println(\"json=\" + new com.fasterxml.jackson.databind.ObjectMapper()",
        "          .writeValueAsString(secret));",
        "      int opened = 0;",
        "      int refused = 0;",
        "      for (Field f : Secret.class.getDeclaredFields()) {",
        "        if (Modifier.isPublic(f.getModifiers())) continue;",
        "        try { f.setAccessible(true); opened++; }",
        "        catch (InaccessibleObjectException e) { refused++; }",
        "      }",
        "      System.out.println(\"fields opened=\" + opened + \" refused=\" + refused);",
        "      org.slf4j.LoggerFactory.getLogger(\"consumer\").info(\"resolved value={}\", secret.reveal());",
        "    }",
        "    TreeSet<String> factories = new TreeSet<>();",
        "    ServiceLoader.load(SecretProviderFactory.class).stream()",
        "        .forEach(p -> factories.add(p.type().getName()));",
        "    System.out.println(\"factories=\" + factories);",
        "    Class<?> internal = Class.forName(\"io.secretsdk.internal.ProviderText\");",
        "    try {",
        "      internal.getMethod(\"shown\", String.class).invoke(null, \"x\");",
        "      System.out.println(\"internal=reachable\");",
        "    } catch (IllegalAccessException e) {",
        "      System.out.println(\"internal=refused\");",
        "    }",
        "  }",
        "}",
        ""));
    Path classes = compileConsumer(src);
    // Logback (a module) finds this at the top of the consumer module and instantiates the
    // redacting encoder (from io.secretsdk.logback) by class name
    write(classes.resolve("logback.xml"), String.join("\n",
        "<configuration>",
        "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
        "    <encoder class=\"io.secretsdk.logback.RedactingEncoder\">",
        "      <encoder class=\"ch.qos.logback.classic.encoder.PatternLayoutEncoder\">",
        "        <pattern>log %logger - %msg%n</pattern>",
        "      </encoder>",
        "    </encoder>",
        "  </appender>",
        "  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>",
        "</configuration>",
        ""));

    String output = run(classes, "consumer/consumer.Main", canary);
    assertNoCanary(output, canary);
    assertThat(output).contains("module=io.secretsdk.core", "match=true",
        "toString=Secret[ref=mem://app/key", "json=\"mem://app/key\"", "internal=refused",
        "log consumer - resolved value=[REDACTED:mem://app/key]");
    assertThat(output).containsPattern("fields opened=0 refused=[1-9]");
    assertThat(output).contains("io.secretsdk.provider.mem.MemSecretProviderFactory",
        "io.secretsdk.provider.local.LocalSecretProviderFactory",
        "io.secretsdk.vault.VaultSecretProviderFactory",
        "io.secretsdk.aws.AwsSecretsManagerProviderFactory",
        "io.secretsdk.onepassword.OnePasswordProviderFactory",
        "io.secretsdk.platform.PlatformSecretProviderFactory");
  }

  @Test
  void consumerModule_resolvesThroughVaultAwsOnePasswordAndPlatform() throws Exception {
    String value = "mp-" + HexFormat.of().formatHex(randomBytes(16));
    Map<HttpProviderKind, MockWebServer> servers = new java.util.EnumMap<>(HttpProviderKind.class);
    try {
      for (HttpProviderKind kind : HttpProviderKind.values()) {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest r) {
            return kind.isSecretRequest(r) ? kind.secret(value) : kind.other(r);
          }
        });
        server.start();
        servers.put(kind, server);
      }
      Path src = work.resolve("src");
      write(src.resolve("module-info.java"), "module consumer {\n"
          + "  requires io.secretsdk.vault;\n"
          + "  requires io.secretsdk.aws;\n"
          + "  requires io.secretsdk.onepassword;\n"
          + "  requires io.secretsdk.platform;\n"
          + "}\n");
      write(src.resolve("consumer/Providers.java"), String.join("\n",
          "package consumer;",
          "import io.secretsdk.Secret;",
          "import io.secretsdk.SecretsClient;",
          "import java.io.BufferedReader;",
          "import java.io.InputStreamReader;",
          "import java.net.URI;",
          "import java.nio.charset.StandardCharsets;",
          "import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;",
          "import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;",
          "public final class Providers {",
          "  public static void main(String[] args) throws Exception {",
          "    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));",
          "    String value = in.readLine(), vaultToken = in.readLine(), awsKey = in.readLine(),",
          "        awsSecret = in.readLine(), opToken = in.readLine(), platformKey = in.readLine();",
          "    try (SecretsClient client = SecretsClient.builder()",
          "        .provider(io.secretsdk.vault.VaultSecretProvider.create(io.secretsdk.vault.VaultOptions.builder()",
          "            .address(URI.create(args[0]))",
          "            .authentication(io.secretsdk.vault.auth.TokenAuthentication.create(",
          "                io.secretsdk.vault.auth.TokenAuthenticationOptions.builder().token(vaultToken).build()))",
          "            .mount(\"secret\", io.secretsdk.vault.MountKind.KV_V2).build()))",
          "        .provider(io.secretsdk.aws.AwsSecretsManagerProvider.create(",
          "            io.secretsdk.aws.AwsSecretsManagerOptions.builder().region(\"us-east-1\")",
          "            .endpointOverride(URI.create(args[2]))",
          "            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(awsKey, awsSecret)))",
          "            .build()))",
          "        .provider(io.secretsdk.onepassword.OnePasswordProvider.connect(",
          "            io.secretsdk.onepassword.OnePasswordConnectOptions.builder().host(URI.create(args[4]))",
          "            .token(opToken).build()))",
          "        .provider(io.secretsdk.platform.PlatformSecretProvider.create(",
          "            io.secretsdk.platform.PlatformOptions.builder().baseUrl(args[6])",
          "            .authentication(io.secretsdk.platform.PlatformAuthentication.serviceToken(\"svc-harden\", platformKey))",
          "            .build()))",
          "        .build()) {",
          "      for (int i = 0; i < args.length; i += 2) {",
          "        try (Secret s = client.resolve(args[i + 1])) {",
          "          System.out.println(\"resolved \" + s.ref().scheme() + \" match=\" + s.reveal().equals(value));",
          "        }",
          "      }",
          "    }",
          "  }",
          "}",
          ""));
      Path classes = compileConsumer(src);

      List<String> args = new ArrayList<>();
      for (HttpProviderKind kind : HttpProviderKind.values()) {
        args.add(servers.get(kind).url("/").toString());
        args.add(kind.ref().toString());
      }
      String stdin = String.join("\n", value, Canaries.VAULT_TOKEN, Canaries.AWS_ACCESS_KEY,
          Canaries.AWS_SECRET_KEY, Canaries.OP_TOKEN, Canaries.PLATFORM_KEY) + "\n";
      String output = run(classes, "consumer/consumer.Providers", stdin, args, value);
      for (String credential : Canaries.COMPLETE) {
        assertNoCanary(output, credential);
      }
      assertThat(output).contains("resolved vault match=true", "resolved aws-sm match=true",
          "resolved op match=true", "resolved secret match=true");
    } finally {
      for (MockWebServer server : servers.values()) {
        server.close();
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
      "io.secretsdk.core, io.secretsdk.internal.ProviderText",
      "io.secretsdk.vault, io.secretsdk.vault.internal.VaultClient",
      "io.secretsdk.aws, io.secretsdk.aws.internal.AwsRef",
      "io.secretsdk.onepassword, io.secretsdk.onepassword.internal.FieldSelector",
      "io.secretsdk.http, io.secretsdk.http.internal.ProviderHttpClient",
      "io.secretsdk.platform, io.secretsdk.platform.internal.SecretName"})
  void consumerImportingInternal_doesNotCompile(String module, String internalClass) throws IOException {
    Path src = work.resolve("src");
    write(src.resolve("module-info.java"), "module intruder { requires " + module + "; }\n");
    write(src.resolve("intruder/Grab.java"), "package intruder;\n"
        + "import " + internalClass + ";\n"
        + "final class Grab { Class<?> c = " + internalClass.substring(internalClass.lastIndexOf('.') + 1)
        + ".class; }\n");
    Compilation c = compile(src, work.resolve("classes"));
    assertThat(c.ok).as("a consumer importing %s must not compile", internalClass).isFalse();
    String pkg = internalClass.substring(0, internalClass.lastIndexOf('.'));
    assertThat(c.diagnostics).contains("package " + pkg + " is not visible")
        .contains("does not export it");
  }

  @Test
  void consumerImportingApi_compiles() throws IOException {
    // the control for the test above: the same shape with API packages compiles
    Path src = work.resolve("src");
    write(src.resolve("module-info.java"), "module user {\n"
        + "  requires io.secretsdk.vault; requires io.secretsdk.aws; requires io.secretsdk.onepassword;\n"
        + "  requires io.secretsdk.platform; requires io.secretsdk.logback;\n}\n");
    write(src.resolve("user/Use.java"), "package user;\n"
        + "final class Use { Class<?>[] c = {io.secretsdk.vault.VaultOptions.class,\n"
        + "  io.secretsdk.vault.auth.TokenAuthentication.class, io.secretsdk.aws.AwsSecretsManagerOptions.class,\n"
        + "  io.secretsdk.onepassword.OnePasswordReference.class, io.secretsdk.logback.RedactingEncoder.class,\n"
        + "  io.secretsdk.platform.PlatformOptions.class, io.secretsdk.platform.PlacementMetadata.class,\n"
        + "  io.secretsdk.redact.RedactionIndex.class, io.secretsdk.spi.SecretProvider.class}; }\n");
    Compilation c = compile(src, work.resolve("classes"));
    assertThat(c.ok).as("API use compiles: %s", c.diagnostics).isTrue();
  }

  @Test
  void readmeModuleInfo_compiles() throws IOException {
    String readme = Files.readString(FaultMatrixTest.repoDir().resolve("README.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<!-- snippet:module-info[^>]*-->\\s*```java\\n(.*?)```", Pattern.DOTALL)
        .matcher(readme);
    assertThat(m.find()).as("README's module-info snippet").isTrue();
    Path src = work.resolve("src");
    write(src.resolve("module-info.java"), m.group(1));
    write(src.resolve("com/example/runner/Runner.java"), "package com.example.runner;\n"
        + "final class Runner { Class<?>[] c = {io.secretsdk.vault.VaultOptions.class,\n"
        + "  io.secretsdk.SecretsClient.class, io.secretsdk.logback.RedactingEncoder.class}; }\n");
    Compilation c = compile(src, work.resolve("classes"));
    assertThat(c.ok).as("README's module-info compiles: %s", c.diagnostics).isTrue();
  }

  private static Set<String> unqualifiedExports(ModuleDescriptor d) {
    return d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private record Compilation(boolean ok, String diagnostics) {}

  private Path compileConsumer(Path src) throws IOException {
    Path classes = work.resolve("classes");
    Compilation c = compile(src, classes);
    assertThat(c.ok).as("consumer compiles on the module path: %s", c.diagnostics).isTrue();
    return classes;
  }

  private static Compilation compile(Path src, Path out) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<Path> sources;
    try (var files = Files.walk(src)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
    }
    Files.createDirectories(out);
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      // an empty class path: javac in this JVM would otherwise default to the test class path,
      // where the same packages sit in the unnamed module
      Path emptyClassPath = Files.createDirectories(out.resolveSibling("empty-class-path"));
      List<String> options = List.of("--release", "17", "-proc:none", "-d", out.toString(),
          "--class-path", emptyClassPath.toString(), "--module-path", joined(modulePath));
      StringWriter log = new StringWriter();
      boolean ok = javac.getTask(log, fm, diagnostics, options, null,
          fm.getJavaFileObjectsFromPaths(sources)).call();
      StringBuilder text = new StringBuilder(log.toString());
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        text.append(d.getKind()).append(": ").append(d.getMessage(java.util.Locale.ROOT)).append('\n');
      }
      return new Compilation(ok, text.toString());
    }
  }

  private String run(Path classes, String mainModuleAndClass, String stdin) throws Exception {
    return run(classes, mainModuleAndClass, stdin, List.of(), stdin);
  }

  /** Runs the consumer in a new JVM on the module path; {@code value} must not be in its output. */
  private String run(Path classes, String mainModuleAndClass, String stdin, List<String> args, String value)
      throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<Path> path = new ArrayList<>();
    path.add(classes);
    path.addAll(modulePath);
    Path log = work.resolve("consumer.log");
    List<String> command = new ArrayList<>(List.of(java.toString(), "--module-path", joined(path),
        "-m", mainModuleAndClass));
    command.addAll(args);
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    boolean done = p.waitFor(50, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String output;
    try (InputStream logIn = Files.newInputStream(log)) {
      output = new String(logIn.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertNoCanary(output, value);
    assertThat(done).as("consumer finished").isTrue();
    assertThat(p.exitValue()).as("consumer exit code; output:%n%s", output).isZero();
    return output;
  }

  /** Checked before any assertion that would print the output. */
  private static void assertNoCanary(String output, String canary) {
    byte[] raw = canary.getBytes(StandardCharsets.UTF_8);
    List<String> forms = List.of(canary, Base64.getEncoder().encodeToString(raw),
        Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
        URLEncoder.encode(canary, StandardCharsets.UTF_8), HexFormat.of().formatHex(raw));
    for (String form : forms) {
      assertThat(output.contains(form)).as("the consumer's output contains the value (or an encoding)").isFalse();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static String joined(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
