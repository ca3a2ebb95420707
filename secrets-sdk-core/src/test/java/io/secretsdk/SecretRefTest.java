package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
final class SecretRefTest {

  /** label (printable), input, expected message fragment, parts of the input that must not show. */
  static Stream<Arguments> malformed() {
    List<Arguments> cases = new ArrayList<>();
    // credentials
    add(cases, "user-info with password", "vault://admin:hunter2@host/x", "user-info", "hunter2", "admin");
    add(cases, "user-info without password", "vault://admin@vault.corp/secret/x", "user-info", "admin@");
    add(cases, "user-info on aws-sm", "aws-sm://AKIAEXAMPLE:s3cr3tPassw0rd@prod/stripe", "user-info",
        "s3cr3tPassw0rd", "AKIAEXAMPLE");
    add(cases, "user-info with '?' in password", "vault://admin:hun?ter2@host/x", "no '=value'", "hun?ter2");
    add(cases, "percent-encoded user-info", "vault://admin:hunter2%40host/x", "user-info", "hunter2", "admin");
    // dot segments
    add(cases, "'..' segment", "vault://secret/../sys/x", "dot segment");
    add(cases, "'.' segment", "vault://secret/./x", "dot segment");
    add(cases, "'..' as last segment", "vault://secret/..", "dot segment");
    add(cases, "'%2e%2e' segment", "vault://secret/%2e%2e/x", "dot segment");
    add(cases, "'%2E.' segment", "vault://secret/%2E./x", "dot segment");
    add(cases, "'.%2e' segment", "vault://secret/.%2e/x", "dot segment");
    add(cases, "'..' in file path", "file:///run/secrets/../../etc/shadow", "dot segment");
    // control, format and whitespace characters
    add(cases, "NUL", "vault://secret/a\u0000b", "control character (U+0000)");
    add(cases, "BEL", "vault://secret/a\u0007b", "control character (U+0007)");
    add(cases, "DEL", "vault://secret/a\u007Fb", "control character (U+007F)");
    add(cases, "ESC (ANSI)", "vault://secret/\u001B[2Kx", "control character (U+001B)");
    add(cases, "inner tab", "vault://secret/a\tb", "control character (U+0009)");
    add(cases, "inner newline", "vault://secret/a\nb", "control character (U+000A)");
    add(cases, "C1 control", "vault://secret/a\u0085b", "control character (U+0085)");
    add(cases, "U+202E right-to-left override", "vault://secret/\u202Etxt.exe", "bidirectional override (U+202E)");
    add(cases, "U+202D left-to-right override", "vault://secret/a\u202Db", "(U+202D)");
    add(cases, "U+202A left-to-right embedding", "vault://secret/a\u202Ab", "(U+202A)");
    add(cases, "U+2066 isolate", "vault://secret/a\u2066b", "(U+2066)");
    add(cases, "U+2069 pop isolate", "vault://secret/a\u2069b", "(U+2069)");
    add(cases, "U+200F right-to-left mark", "vault://secret/a\u200Fb", "(U+200F)");
    add(cases, "U+200B zero-width space", "vault://secret/op\u200Benai", "invisible formatting character");
    add(cases, "U+200D zero-width joiner", "vault://secret/a\u200Db", "(U+200D)");
    add(cases, "U+FEFF byte-order mark", "\uFEFFvault://secret/a", "(U+FEFF)");
    add(cases, "U+2060 word joiner", "vault://secret/a\u2060b", "(U+2060)");
    add(cases, "no-break space", "vault://secret/a\u00A0b", "whitespace character other than space (U+00A0)");
    add(cases, "line separator", "vault://secret/a\u2028b", "(U+2028)");
    add(cases, "leading space", " vault://secret/a", "leading or trailing whitespace");
    add(cases, "trailing space", "vault://secret/a ", "leading or trailing whitespace");
    add(cases, "trailing tab", "vault://secret/a\t", "leading or trailing whitespace");
    add(cases, "trailing newline", "env://OPENAI_API_KEY\n", "leading or trailing whitespace");
    add(cases, "trailing CRLF", "env://OPENAI_API_KEY\r\n", "leading or trailing whitespace");
    add(cases, "segment with leading space", "op://Private/ My Item/password", "path segment 2 has leading or trailing whitespace");
    add(cases, "segment with trailing space", "op://Private/My Item /password", "path segment 2 has leading or trailing whitespace");
    add(cases, "unpaired surrogate", "vault://secret/a\uD800b", "unpaired surrogate");
    add(cases, "private-use character", "vault://secret/a\uE000b", "private-use code point (U+E000)");
    add(cases, "unassigned code point", "vault://secret/a\u0378b", "unassigned code point (U+0378)");
    // empty parts
    add(cases, "empty ref", "", "ref is empty");
    add(cases, "empty path", "vault://", "path is empty");
    add(cases, "empty segment", "vault://secret//x", "path segment 2 is empty");
    add(cases, "leading slash on relative scheme", "vault:///secret/x", "path segment 1 is empty");
    add(cases, "trailing slash", "vault://secret/x/", "path segment 3 is empty");
    add(cases, "empty file path", "file:///", "path is empty");
    // percent-encoding
    add(cases, "bad escape %zz", "vault://secret/%zz", "invalid percent-escape");
    add(cases, "short escape %4", "vault://secret/%4", "incomplete percent-escape");
    add(cases, "lone %", "vault://secret/50%", "incomplete percent-escape");
    add(cases, "invalid UTF-8 %C3%28", "vault://secret/%C3%28", "not valid UTF-8");
    add(cases, "overlong UTF-8 %C0%AF", "vault://secret/%C0%AF", "not valid UTF-8");
    add(cases, "lone continuation %80", "vault://secret/%80", "not valid UTF-8");
    add(cases, "encoded NUL", "vault://secret/a%00b", "percent-encoded a control character");
    add(cases, "encoded U+202E", "vault://secret/%E2%80%AEx", "percent-encoded an invisible formatting");
    add(cases, "encoded slash in segment", "vault://secret/a%2Fb", "percent-encoded '/'");
    add(cases, "raw '<'", "vault://secret/a<b", "percent-encode it");
    add(cases, "raw '\"'", "vault://secret/\"x\"", "percent-encode it");
    add(cases, "raw '{'", "vault://secret/{x}", "percent-encode it");
    // length
    add(cases, "over-long ref", "vault://" + "a/".repeat(1100) + "a", "at most " + SecretRef.MAX_LENGTH);
    add(cases, "over-long segment", "vault://secret/" + "s".repeat(SecretRef.MAX_PART_LENGTH + 1),
        "longer than " + SecretRef.MAX_PART_LENGTH);
    add(cases, "too many segments", "vault://" + "s/".repeat(SecretRef.MAX_SEGMENTS) + "s",
        "more than " + SecretRef.MAX_SEGMENTS + " segments");
    // query
    add(cases, "empty query '?'", "vault://secret/x?", "query after '?' is empty");
    add(cases, "query without value '?a'", "vault://secret/x?a", "has no '=value'");
    add(cases, "query without name '?=x'", "vault://secret/x?=x", "invalid name");
    add(cases, "empty parameter '&&'", "vault://secret/x?a=1&&b=2", "parameter 2 is empty");
    add(cases, "trailing '&'", "vault://secret/x?a=1&", "parameter 2 is empty");
    add(cases, "duplicate parameter", "vault://secret/x?a=1&a=2", "'a' appears more than once");
    add(cases, "empty value", "vault://secret/x?version=", "'version' has an empty value");
    add(cases, "raw '=' in value", "vault://secret/x?a=b=c", "raw '='");
    add(cases, "second '?'", "vault://secret/x?a=1?b=2", "second '?'");
    add(cases, "space in parameter name", "vault://secret/x?a b=1", "invalid name");
    add(cases, "value with encoded trailing space", "vault://secret/x?a=v%20", "leading or trailing whitespace");
    add(cases, "bad escape in value", "vault://secret/x?a=%zz", "invalid percent-escape");
    // field
    add(cases, "empty field", "vault://secret/x#", "field after '#' is empty");
    add(cases, "two '#'", "vault://secret/x#a#b", "more than one '#'");
    add(cases, "'/' in field", "vault://secret/x#a/b", "field contains '/'");
    add(cases, "field with encoded trailing space", "vault://secret/x#f%20", "leading or trailing whitespace");
    add(cases, "'?' in field", "vault://secret/x#a?b", "field contains '?'");
    // scheme
    add(cases, "missing '://'", "vault:secret/x", "'://' is missing");
    add(cases, "single slash", "vault:/secret/x", "'://' is missing");
    add(cases, "no scheme at all", "OPENAI_API_KEY", "'://' is missing");
    add(cases, "empty scheme", "://secret/x", "scheme is empty");
    add(cases, "scheme starting with digit", "1vault://secret/x", "scheme is invalid");
    add(cases, "scheme with underscore", "aws_sm://prod/x", "scheme is invalid");
    add(cases, "over-long scheme", "s".repeat(40) + "://x", "scheme is invalid");
    add(cases, "relative file ref", "file://relative/path", "absolute path");
    add(cases, "file ref with host", "file://localhost/etc/x", "absolute path");
    // a value pasted where a ref belongs
    add(cases, "pasted API key", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", "'://' is missing",
        "sk-proj-abcdefghijklmnop");
    return cases.stream();
  }

  private static void add(List<Arguments> cases, String label, String input, String fragment,
      String... sensitive) {
    cases.add(Arguments.of(label, input, fragment, sensitive));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("malformed")
  void parse_malformed_throwsInvalidRefSayingWhatIsWrongWithoutEchoingInput(
      String label, String input, String fragment, String[] sensitive) {
    InvalidSecretRefException e =
        catchThrowableOfType(InvalidSecretRefException.class, () -> SecretRef.parse(input));

    assertThat(e).as(label).isNotNull();
    assertThat(e.getMessage()).as(label).contains(fragment);
    assertThat(e.ref()).isEmpty();
    if (!input.isEmpty()) {
      assertThat(e.getMessage()).as(label).doesNotContain(input);
    }
    for (String s : sensitive) {
      assertThat(e.toString()).as(label).doesNotContain(s);
    }
    // The part after the scheme never appears either (the scheme alone is safe to name).
    int sep = input.indexOf("://");
    if (sep >= 0 && input.length() > sep + 3 + 3) {
      assertThat(e.getMessage()).as(label).doesNotContain(input.substring(sep + 3));
    }
  }

  @Test
  void malformedTable_hasAtLeast45Cases() {
    assertThat(malformed().count()).isGreaterThanOrEqualTo(45);
  }

  @Test
  void parse_null_throwsNullPointer() {
    assertThatThrownBy(() -> SecretRef.parse(null)).isInstanceOf(NullPointerException.class);
  }

  // ---- valid refs ----

  @Test
  void parse_vaultRefWithQueryAndField_keepsParts() {
    SecretRef r = SecretRef.parse("vault://secret/openai/ci?version=3#api_key");

    assertThat(r.scheme()).isEqualTo("vault");
    assertThat(r.segments()).containsExactly("secret", "openai", "ci");
    assertThat(r.path()).isEqualTo("secret/openai/ci");
    assertThat(r.query()).containsExactly(Map.entry("version", "3"));
    assertThat(r.queryParam("version")).contains("3");
    assertThat(r.field()).contains("api_key");
    assertThat(r.toString()).isEqualTo("vault://secret/openai/ci?version=3#api_key");
  }

  @Test
  void parse_awsArnWithColons_keepsArnAsOneSegmentChain() {
    String arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-AbCdEf";
    SecretRef r = SecretRef.parse("aws-sm://" + arn + "#api_key");

    assertThat(r.scheme()).isEqualTo("aws-sm");
    assertThat(r.path()).isEqualTo(arn);
    assertThat(r.segments()).containsExactly(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod", "stripe-AbCdEf");
    assertThat(r.query()).isEmpty();
    assertThat(r.field()).contains("api_key");
    assertThat(r.toString()).isEqualTo("aws-sm://" + arn + "#api_key");
  }

  @Test
  void parse_awsStage_keepsQueryAndField() {
    SecretRef r = SecretRef.parse("aws-sm://prod/stripe?stage=AWSPREVIOUS#api_key");

    assertThat(r.segments()).containsExactly("prod", "stripe");
    assertThat(r.queryParam("stage")).contains("AWSPREVIOUS");
    assertThat(r.field()).contains("api_key");
  }

  @Test
  void parse_onePasswordNameWithInnerSpace_keepsSpace() {
    SecretRef r = SecretRef.parse("op://Private/My Item/password");

    assertThat(r.scheme()).isEqualTo("op");
    assertThat(r.segments()).containsExactly("Private", "My Item", "password");
    assertThat(r.field()).isEmpty();
    assertThat(r.toString()).isEqualTo("op://Private/My Item/password");
  }

  @Test
  void parse_envRef_hasOneSegment() {
    SecretRef r = SecretRef.parse("env://OPENAI_API_KEY");

    assertThat(r.scheme()).isEqualTo("env");
    assertThat(r.segments()).containsExactly("OPENAI_API_KEY");
    assertThat(r.path()).isEqualTo("OPENAI_API_KEY");
  }

  @Test
  void parse_fileRef_hasAbsolutePath() {
    SecretRef r = SecretRef.parse("file:///run/secrets/openai");

    assertThat(r.scheme()).isEqualTo("file");
    assertThat(r.segments()).containsExactly("run", "secrets", "openai");
    assertThat(r.path()).isEqualTo("/run/secrets/openai");
    assertThat(r.toString()).isEqualTo("file:///run/secrets/openai");
  }

  @Test
  void parse_memAndLocalRefs_keepSegments() {
    assertThat(SecretRef.parse("mem://test/openai").segments()).containsExactly("test", "openai");
    assertThat(SecretRef.parse("local://openai/dev").segments()).containsExactly("openai", "dev");
  }

  @Test
  void parse_nonAsciiNames_areKeptVerbatim() {
    SecretRef r = SecretRef.parse("op://Entwicklung/Zugänge für Café/パスワード#clé");

    assertThat(r.segments()).containsExactly("Entwicklung", "Zugänge für Café", "パスワード");
    assertThat(r.field()).contains("clé");
    assertThat(SecretRef.parse("mem://emoji/\uD83D\uDD11").segments()).containsExactly("emoji", "\uD83D\uDD11");
  }

  @Test
  void parse_percentEncodedParts_areDecodedAndRenderedCanonically() {
    SecretRef r = SecretRef.parse("vault://secret/a%3fb%23/%25x%41?q=a%26b%3Dc%2Fd#f%23g");

    assertThat(r.segments()).containsExactly("secret", "a?b#", "%xA");
    assertThat(r.query()).containsExactly(Map.entry("q", "a&b=c/d"));
    assertThat(r.field()).contains("f#g");
    assertThat(r.toString()).isEqualTo("vault://secret/a%3Fb%23/%25xA?q=a%26b%3Dc%2Fd#f%23g");
  }

  @Test
  void parse_schemeIsCaseInsensitive_pathIsNot() {
    SecretRef r = SecretRef.parse("VAULT://Secret/X");

    assertThat(r.scheme()).isEqualTo("vault");
    assertThat(r.segments()).containsExactly("Secret", "X");
    assertThat(r).isEqualTo(SecretRef.parse("vault://Secret/X")).isNotEqualTo(SecretRef.parse("vault://secret/x"));
  }

  @Test
  void parse_queryParameters_areSortedInCanonicalForm() {
    SecretRef a = SecretRef.parse("vault://s/x?version=3&mount=kv");
    SecretRef b = SecretRef.parse("vault://s/x?mount=kv&version=3");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).isEqualTo("vault://s/x?mount=kv&version=3");
  }

  @Test
  void parse_maximumLength_isAccepted() {
    String prefix = "vault://";
    StringBuilder sb = new StringBuilder(prefix);
    while (sb.length() + 101 <= SecretRef.MAX_LENGTH) {
      sb.append("a".repeat(100)).append('/');
    }
    sb.append("b".repeat(SecretRef.MAX_LENGTH - sb.length()));

    assertThat(SecretRef.parse(sb.toString()).toString()).hasSize(SecretRef.MAX_LENGTH);
  }

  @Test
  void withScheme_mapsAliasAndRejectsMismatch() {
    SecretRef kv = SecretRef.parse("kv://secret/openai#api_key");

    assertThat(kv.withScheme("vault").toString()).isEqualTo("vault://secret/openai#api_key");
    assertThatThrownBy(() -> kv.withScheme("file")).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> kv.withScheme("1bad")).isInstanceOf(InvalidSecretRefException.class);
  }

  // ---- regression tests for bugs these tests found ----

  @Test
  void parse_percentEncodedUserInfo_isRejectedWithoutEchoingPassword() {
    // Was accepted: '%40' decoded to '@' in the first segment, and toString() then printed
    // "vault://admin:hunter2@host/x", password included.
    InvalidSecretRefException e = catchThrowableOfType(InvalidSecretRefException.class,
        () -> SecretRef.parse("vault://admin:hunter2%40host/x"));

    assertThat(e).hasMessageContaining("user-info");
    assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("admin");
  }

  @Test
  void parse_fieldOrQueryValueWithEncodedOuterSpace_roundTripsOrIsRejected() {
    // Was a round-trip break: "#x%20" parsed to field "x ", whose canonical form "...#x " ends in
    // whitespace and so did not parse again.
    for (String input : List.of("vault://s/x#f%20", "vault://s/x?a=v%20", "vault://s/x#%20f",
        "vault://s/x?a=%20v")) {
      SecretRef r;
      try {
        r = SecretRef.parse(input);
      } catch (InvalidSecretRefException e) {
        assertThat(e).hasMessageContaining("leading or trailing whitespace");
        continue;
      }
      assertThat(SecretRef.parse(r.toString())).as(input).isEqualTo(r);
    }
  }

  // ---- 1Password's documented references ----

  @Test
  void parse_onePasswordDocumentedExamples_keepVaultItemSectionField() throws IOException {
    Path file = specsDir().map(d -> d.resolve("onepassword/secret-reference-syntax.json"))
        .filter(Files::isRegularFile).orElse(null);
    assumeTrue(file != null, "1Password specs not found (set -Dsecretsdk.specs.dir or place"
        + " ../shared/specs beside the repository)");
    JsonNode examples = new ObjectMapper().readTree(file.toFile()).path("examples");
    assertThat(examples.isArray()).isTrue();
    int checked = 0;
    for (JsonNode ex : examples) {
      String reference = ex.path("reference").asText();
      SecretRef r = SecretRef.parse(reference);
      List<String> expected = new ArrayList<>();
      expected.add(ex.path("vault").asText());
      expected.add(ex.path("item").asText());
      if (!ex.path("section").isNull() && !ex.path("section").isMissingNode()) {
        expected.add(ex.path("section").asText());
      }
      expected.add(ex.path("field").asText());
      assertThat(r.scheme()).as(reference).isEqualTo("op");
      assertThat(r.segments()).as(reference).isEqualTo(expected);
      Map<String, String> query = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = ex.path("query").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> q = it.next();
        query.put(q.getKey(), q.getValue().asText());
      }
      assertThat(r.query()).as(reference).isEqualTo(query);
      assertThat(SecretRef.parse(r.toString())).as(reference).isEqualTo(r);
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
  }

  static Optional<Path> specsDir() {
    String prop = System.getProperty("secretsdk.specs.dir");
    if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop))) {
      return Optional.of(Path.of(prop));
    }
    for (Path candidate : List.of(Path.of("../shared/specs"), Path.of("../../shared/specs"))) {
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
