package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the documentation's command-line example and Java snippet (from README.md once the section
 * is pasted there, else from docs/readme-secrets-cli.md).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SecretsCliReadmeTest {
  @TempDir Path dir;

  @Test
  void readme_cliExample_everyCommandSucceeds() throws Exception {
    String block = block("<!-- example:cli", "bash");
    Path build = Files.createDirectories(dir.resolve("build"));
    Files.writeString(build.resolve("run.log"), "resolved local://openai/dev version 2\n");
    Map<String, String> env = Map.of(
        LocalStoreOptions.STORE_VARIABLE, build.resolve("dev-store.json").toString(),
        LocalStoreOptions.KEY_FILE_VARIABLE, build.resolve("dev.key").toString());
    String canary = SecretsCliTest.canary();
    int commands = 0;
    for (String raw : block.split("\n")) {
      String line = raw.replaceAll("\\s+#.*$", "").trim();
      String stdin = "";
      if (line.startsWith("printf %s ")) {
        stdin = canary + commands;
        line = line.substring(line.indexOf('|') + 1).trim();
      }
      if (!line.startsWith("secrets ")) {
        continue;
      }
      List<String> args = new ArrayList<>();
      for (String word : line.substring("secrets ".length()).trim().split("\\s+")) {
        args.add(word.equals("build") || word.startsWith("build/") ? dir.resolve(word).toString()
            : word);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = SecretsCli.run(args.toArray(String[]::new), new CliIo(
          new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(out, true, StandardCharsets.UTF_8), env, null));
      String output = out.toString(StandardCharsets.UTF_8);
      assertThat(exit).as(line + "\n" + output).isZero();
      assertThat(output).doesNotContain(canary);
      commands++;
    }
    assertThat(commands).isGreaterThanOrEqualTo(8);
  }

  @Test
  void readme_localSnippet_matchesAndRuns() throws Exception {
    assertThat(normalize(block("<!-- snippet:local", "java"))).isEqualTo(normalize(sourceRegion()));
    Path store = dir.resolve("store.json");
    Path keyFile = dir.resolve("key");
    io.secretsdk.provider.local.LocalKeys.writeKeyFile(keyFile,
        io.secretsdk.provider.local.LocalKeys.generate());
    try (LocalSecretProvider seed = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(store).keyFile(keyFile).build())) {
      seed.put("openai/dev", "sk-example".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(local(store, keyFile)).isEqualTo("Bearer sk-example");
  }

  private String called;

  private void callVendor(String header) {
    called = header;
  }

  private String local(Path store, Path keyFile) {
    // snippet:local:start
    LocalSecretProvider local = LocalSecretProvider.create(LocalStoreOptions.builder()
        .storeFile(store)      // default: $SECRETS_SDK_LOCAL_STORE, else ~/.secrets-sdk/local-store.json
        .keyFile(keyFile)      // read when $SECRETS_SDK_LOCAL_KEY is unset; must be mode 0600
        .build());
    try (SecretsClient client = SecretsClient.builder().provider(local).build();
         Secret key = client.resolve("local://openai/dev")) {
      callVendor(key.useChars(chars -> "Bearer " + new String(chars)));
    }
    // snippet:local:end
    return called;
  }

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return here.getFileName().toString().equals("secrets-cli") ? here.getParent() : here;
  }

  private static String block(String marker, String language) throws IOException {
    Path readme = root().resolve("README.md");
    String text = Files.isRegularFile(readme) ? Files.readString(readme) : "";
    if (!text.contains(marker)) {
      text = Files.readString(root().resolve("docs/readme-secrets-cli.md"));
    }
    Matcher m = Pattern.compile(Pattern.quote(marker) + "[^>]*-->\\s*```" + language + "\\n(.*?)```",
        Pattern.DOTALL).matcher(text);
    assertThat(m.find()).as("documentation has " + marker).isTrue();
    return m.group(1);
  }

  private static String sourceRegion() throws IOException {
    String src = Files.readString(root().resolve(
        "secrets-cli/src/test/java/io/secretsdk/cli/SecretsCliReadmeTest.java"));
    int start = src.indexOf("// snippet:local:start");
    int end = src.indexOf("// snippet:local:end");
    return src.substring(src.indexOf('\n', start) + 1, end);
  }

  private static String normalize(String code) {
    return Arrays.stream(code.split("\n")).map(String::strip).filter(l -> !l.isEmpty())
        .reduce("", (a, b) -> a + b + "\n");
  }
}
