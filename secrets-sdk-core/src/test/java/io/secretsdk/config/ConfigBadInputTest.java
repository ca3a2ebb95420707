package io.secretsdk.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.SecretConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad registry and policy files: each a typed error naming file, line and field. */
@Timeout(30)
final class ConfigBadInputTest {
  @TempDir Path dir;

  private static final String ENTRY = "openai:\n  dev:\n    secret_ref: \"mem://openai/dev/key\"\n";

  private static Arguments yaml(String name, String content, int line, String field,
      String fragment) {
    return Arguments.of(name + ".yaml", content, line, field, fragment);
  }

  private static Arguments json(String name, String content, int line, String field,
      String fragment) {
    return Arguments.of(name + ".json", content, line, field, fragment);
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        // --- registry ---
        yaml("unknown-entry-key", ENTRY + "    secret_rf: x\n", 4, "openai.dev.secret_rf",
            "unknown key"),
        yaml("missing-secret-ref", "openai:\n  dev:\n    scope: [a]\n", 2, "openai.dev",
            "required key 'secret_ref' is missing"),
        yaml("ref-wrong-type", "openai:\n  dev:\n    secret_ref: 42\n", 3,
            "openai.dev.secret_ref", "must be a string, found an integer"),
        yaml("ref-empty", "openai:\n  dev:\n    secret_ref: \"\"\n", 3, "openai.dev.secret_ref",
            "must not be empty"),
        yaml("ref-dot-segment", "openai:\n  ci:\n    secret_ref: \"mem://a/../b\"\n", 3,
            "openai.ci.secret_ref", "dot segment"),
        yaml("ref-no-scheme", "stripe:\n  prod:\n    secret_ref: \"stripe/prod\"\n", 3,
            "stripe.prod.secret_ref", "'://' is missing"),
        yaml("scope-not-list", ENTRY + "    scope: \"llm:chat\"\n", 4, "openai.dev.scope",
            "must be a list"),
        yaml("scope-item-type", ENTRY + "    scope:\n      - llm:chat\n      - 7\n", 6,
            "openai.dev.scope[1]", "must be a string"),
        yaml("scope-bad-label", ENTRY + "    scope: [\"bad label\"]\n", 4, "openai.dev.scope[0]",
            "scope label"),
        yaml("scope-duplicate", ENTRY + "    scope:\n      - a\n      - a\n", 6,
            "openai.dev.scope[1]", "duplicate entry (first on line 5)"),
        yaml("ttl-zero", ENTRY + "    max_ttl_seconds: 0\n", 4, "openai.dev.max_ttl_seconds",
            "at least 1 second"),
        yaml("ttl-negative", ENTRY + "    max_ttl_seconds: -60\n", 4,
            "openai.dev.max_ttl_seconds", "at least 1 second"),
        yaml("ttl-huge", ENTRY + "    max_ttl_seconds: 99999999999999999999\n", 4,
            "openai.dev.max_ttl_seconds", "at most 86400"),
        yaml("ttl-string", ENTRY + "    max_ttl_seconds: \"3600\"\n", 4,
            "openai.dev.max_ttl_seconds", "must be a whole number of seconds, found a string"),
        yaml("ttl-decimal", ENTRY + "    max_ttl_seconds: 3600.5\n", 4,
            "openai.dev.max_ttl_seconds", "found a decimal number"),
        yaml("ttl-hex", ENTRY + "    max_ttl_seconds: 0x10\n", 4, "openai.dev.max_ttl_seconds",
            "not written in plain decimal"),
        yaml("unknown-environment", ENTRY + "  staging:\n    secret_ref: \"mem://a/b\"\n", 4,
            "openai.staging", "unknown environment key"),
        yaml("same-environment-twice", ENTRY + "  local:\n    secret_ref: \"mem://a/b\"\n", 4,
            "openai.local", "same environment (local) as key 'dev' on line 2"),
        yaml("duplicate-key", ENTRY + "    secret_ref: \"mem://openai/dev/other\"\n", 4,
            "openai.dev.secret_ref", "duplicate key (first on line 3)"),
        yaml("duplicate-name", ENTRY + "openai:\n  ci:\n    secret_ref: \"mem://a/b\"\n", 4,
            "openai", "duplicate key (first on line 1)"),
        yaml("anchor", "openai:\n  dev: &base\n    secret_ref: \"mem://a/b\"\n  ci: *base\n", 2,
            "openai.dev", "anchors"),
        yaml("tag-binary", "openai:\n  dev:\n    secret_ref: !!binary aGVsbG8=\n", 3,
            "openai.dev.secret_ref", "tags"),
        yaml("two-documents", ENTRY + "---\nstripe: {}\n", 5, null, "more than one YAML document"),
        yaml("empty", "", 1, null, "file is empty"),
        yaml("only-comment", "# nothing here\n", 1, null, "file is empty"),
        yaml("root-list", "- openai\n- stripe\n", 1, "<root>", "must be a mapping, found a list"),
        yaml("root-scalar", "openai\n", 1, "<root>", "must be a mapping, found a string"),
        yaml("name-null", "openai:\n", 1, "openai", "must be a mapping, found an empty value"),
        yaml("name-no-envs", "openai: {}\n", 1, "openai", "names no environment"),
        yaml("entry-not-mapping", "openai:\n  dev: \"mem://a/b\"\n", 2, "openai.dev",
            "must be a mapping, found a string"),
        yaml("bad-name", "open.ai:\n  dev:\n    secret_ref: \"mem://a/b\"\n", 1, "open.ai",
            "secret name must be"),
        yaml("tab-indent", "openai:\n\tdev:\n", 2, null, "is not valid YAML"),
        yaml("unclosed-flow", "openai:\n  dev:\n    scope: [a, b\n    secret_ref: x\n", 4, null,
            "is not valid YAML"),
        yaml("too-deep", "a:\n  dev:\n    scope: [[[[[[[[x]]]]]]]]\n", 3,
            "a.dev.scope[0][0][0][0][0]", "deeper"),

        // --- policy ---
        json("missing-version", "{\n  \"allowed_secrets\": []\n}\n", 1, "<root>",
            "required key 'version' is missing"),
        json("wrong-version", "{\n  \"version\": 2,\n  \"allowed_secrets\": []\n}\n", 2,
            "version", "must be 1"),
        json("missing-allowed-secrets", "{\n  \"version\": 1\n}\n", 1, "<root>",
            "required key 'allowed_secrets'"),
        json("unknown-policy-key", "{\n  \"version\": 1,\n  \"allowed_secrets\": [],\n"
            + "  \"allowed_secret\": []\n}\n", 4, "allowed_secret", "unknown key"),
        json("allowed-secrets-not-list", "{\"version\": 1,\n\"allowed_secrets\": \"openai\"}\n", 2,
            "allowed_secrets", "must be a list"),
        json("allowed-secrets-bad-name", "{\"version\": 1,\n\"allowed_secrets\": [\n\"openai\",\n"
            + "\"open ai\"]}\n", 4, "allowed_secrets[1]", "secret name must be"),
        json("allowed-secrets-duplicate", "{\"version\": 1,\n\"allowed_secrets\": [\"a\",\n\"a\"]}",
            3, "allowed_secrets[1]", "duplicate entry (first on line 2)"),
        json("pattern-no-scheme", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"allowed_refs\": [\"samples/*\"]}", 2, "allowed_refs[0]", "literal lower-case"),
        json("pattern-triple-star", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"allowed_refs\": [\"mem://a/***\"]}", 2, "allowed_refs[0]", "'***'"),
        json("pattern-dot-segment", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"allowed_refs\": [\"mem://a/../*\"]}", 2, "allowed_refs[0]", "dot segment"),
        json("pattern-not-canonical", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"allowed_refs\": [\"vault://a/b?z=1&a=2\"]}", 2, "allowed_refs[0]",
            "canonical form"),
        json("prefix-no-scheme", "{\"version\": 1, \"allowed_secrets\": [],\n\n"
            + "\"required_prefix\": \"secret/openai/\"}", 3, "required_prefix", "scheme"),
        json("prefix-empty-list", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"required_prefix\": []}", 2, "required_prefix", "empty list"),
        json("prefix-wrong-type", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"required_prefix\": 5}", 2, "required_prefix", "must be a string"),
        json("environment-unknown", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"environments\": [\"dev\",\n\"staging\"]}", 3, "environments[1]",
            "unknown environment"),
        json("environment-twice", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"environments\": [\"dev\", \"local\"]}", 2, "environments[1]", "already listed"),
        json("environments-empty", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"environments\": []}", 2, "environments", "empty list"),
        json("metadata-bad-key", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"required_metadata\": [\"owner\", \"has space\"]}", 2, "required_metadata[1]",
            "metadata key"),
        json("policy-ttl-zero", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"max_ttl_seconds\": 0}", 2, "max_ttl_seconds", "at least 1 second"),
        json("flag-not-boolean", "{\"version\": 1, \"allowed_secrets\": [],\n"
            + "\"no_logging\": \"yes\"}", 2, "no_logging", "must be true or false"),
        json("policy-duplicate-key", "{\"version\": 1,\n\"allowed_secrets\": [],\n"
            + "\"version\": 1}", 3, "version", "duplicate key (first on line 1)"),
        json("trailing-comma", "{\"version\": 1,\n\"allowed_secrets\": [],\n}", 3, null,
            "is not valid JSON"),
        json("comment", "{\"version\": 1,\n// no comments in JSON\n\"allowed_secrets\": []}", 2,
            null, "is not valid JSON"),
        json("policy-root-list", "[1, 2]", 1, "<root>", "must be a mapping, found a list"),
        json("policy-empty", "   \n", 1, null, "file is empty"),
        json("content-after-root", "{\"version\": 1, \"allowed_secrets\": []}\n{}", 2, null,
            "content after the top-level value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void load_badFile_throwsWithFileLineAndField(String fileName, String content, int line,
      String field, String fragment) throws Exception {
    Path file = dir.resolve(fileName);
    Files.writeString(file, content, StandardCharsets.UTF_8);

    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> {
          if (fileName.endsWith(".yaml")) {
            SecretRegistry.load(file);
          } else {
            SecretPolicy.load(file);
          }
        });

    assertThat(e).as("a SecretConfigException for %s", fileName).isNotNull();
    assertThat(e.getClass()).isEqualTo(SecretConfigException.class);
    assertThat(e.file()).contains(file);
    assertThat(e.line()).hasValue(line);
    assertThat(e.getMessage()).startsWith(file + ":" + line + ": ").contains(fragment);
    if (field == null) {
      assertThat(e.field()).isEmpty();
    } else {
      assertThat(e.field()).contains(field);
      assertThat(e.getMessage()).contains(": " + field + ": ");
    }
    assertThat(e.getCause()).isNull();
  }

  static Stream<Arguments> badFilesAsText() {
    return badFiles().limit(5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFilesAsText")
  void parse_badText_namesSourceName(String fileName, String content, int line, String field,
      String fragment) {
    SecretConfigException e = catchThrowableOfType(SecretConfigException.class,
        () -> SecretRegistry.parse(content, "classpath:" + fileName));

    assertThat(e.getMessage()).startsWith("classpath:" + fileName + ":" + line + ": ")
        .contains(fragment);
  }
}
