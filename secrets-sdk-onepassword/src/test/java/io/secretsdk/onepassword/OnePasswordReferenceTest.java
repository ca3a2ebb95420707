package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import io.secretsdk.onepassword.OnePasswordReference.Attribute;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class OnePasswordReferenceTest {

  @Test
  void parse_documentedExamples_matchExpectedParts() throws Exception {
    JsonNode spec = new ObjectMapper().readTree(
        Files.readAllBytes(Specs.onePasswordDir().resolve("secret-reference-syntax.json")));
    int checked = 0;
    for (JsonNode ex : spec.path("examples")) {
      OnePasswordReference ref = OnePasswordReference.parse(ex.path("reference").asText());
      assertThat(ref.vault()).as("vault of %s", ex.path("reference")).isEqualTo(ex.path("vault").asText());
      assertThat(ref.item()).isEqualTo(ex.path("item").asText());
      assertThat(ref.section().orElse(null))
          .isEqualTo(ex.path("section").isNull() ? null : ex.path("section").asText());
      assertThat(ref.field()).isEqualTo(ex.path("field").asText());
      Map<String, String> query = new LinkedHashMap<>();
      ex.path("query").properties().forEach(e -> query.put(e.getKey(), e.getValue().asText()));
      assertThat(ref.ref().query()).isEqualTo(query);
      // the canonical form is the documented text: the CLI gets the reference unchanged
      assertThat(ref.toOpString()).isEqualTo(ex.path("reference").asText());
      checked++;
    }
    assertThat(checked).isEqualTo(10);
  }

  @Test
  void parse_opVscodeVectors_agreeWithTheRegexOnReferences() throws Exception {
    JsonNode spec = new ObjectMapper().readTree(
        Files.readAllBytes(Specs.onePasswordDir().resolve("secret-reference-syntax.json")));
    JsonNode regex = spec.path("op_vscode_regex");
    Pattern pattern = Pattern.compile(regex.path("pattern").asText());
    int checked = 0;
    for (JsonNode v : regex.path("test_vectors")) {
      String input = v.path("input").asText();
      Matcher m = pattern.matcher(input);
      assertThat(m.find()).isEqualTo(v.path("matches").asBoolean());
      if (!v.path("matches").asBoolean()) {
        assertThatThrownBy(() -> OnePasswordReference.parse(input))
            .isInstanceOf(InvalidSecretRefException.class);
      } else if (v.has("groups")) {
        OnePasswordReference ref = OnePasswordReference.parse(input);
        JsonNode g = v.path("groups");
        assertThat(ref.vault()).isEqualTo(g.get(0).asText());
        assertThat(ref.item()).isEqualTo(g.get(1).asText());
        assertThat(ref.field()).isEqualTo(g.get(g.size() - 1).asText());
        assertThat(ref.section().isPresent()).isEqualTo(g.size() == 4);
      } else {
        // the reference embedded in source text parses on its own; the whole line is no reference
        OnePasswordReference ref = OnePasswordReference.parse(v.path("match").asText());
        assertThat(ref.toString()).isEqualTo(m.group());
        assertThatThrownBy(() -> OnePasswordReference.parse(input))
            .isInstanceOf(InvalidSecretRefException.class);
      }
      checked++;
    }
    assertThat(checked).isEqualTo(6);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "op://Prod/Stripe/credential                          | Prod       | Stripe    |          | credential | ",
      "op://Private/My Item/password                        | Private    | My Item   |          | password   | ",
      "op://dev/Stripe/Keys/secret key?attribute=value      | dev        | Stripe    | Keys     | secret key | VALUE",
      "op://dev/Stripe/totp?attr=TOTP                       | dev        | Stripe    |          | totp       | OTP",
      "op://dev/Stripe/field?attribute=Type                 | dev        | Stripe    |          | field      | TYPE",
      "op://dev/Stripe/field?attribute=purpose              | dev        | Stripe    |          | field      | PURPOSE",
      "op://dev/ssh/key.pem?attribute=size                  | dev        | ssh       |          | key.pem    | SIZE",
      "op://ionaiwtdvgclrixbt6ztpqcxnq/p7eflcy7f5mk7vg6zrzf5rjjyu/password | ionaiwtdvgclrixbt6ztpqcxnq | p7eflcy7f5mk7vg6zrzf5rjjyu | | password | ",
  })
  void parse_validReference_readsParts(
      String text, String vault, String item, String section, String field, String attribute) {
    OnePasswordReference ref = OnePasswordReference.parse(text);
    assertThat(ref.vault()).isEqualTo(vault);
    assertThat(ref.item()).isEqualTo(item);
    assertThat(ref.section().orElse(null)).isEqualTo(section);
    assertThat(ref.field()).isEqualTo(field);
    assertThat(ref.attribute().orElse(null)).isEqualTo(attribute == null ? null : Attribute.valueOf(attribute));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "op://vault/item                        | 3 or 4 path segments",
      "op://a/b/c/d/e                         | 3 or 4 path segments",
      "op://vault/item/field#password         | no '#field' part",
      "vault://vault/item/field               | scheme must be 'op'",
      "op://vault/item/field?attribute=secret | unknown attribute",
      "op://vault/item/field?foo=bar          | unknown query parameter",
      "op://vault/item/field?attribute=value&attr=type | not both",
      "op://vault/item/field?ssh-format=pem   | ssh-format supports only",
      "op://vault/it%2Fem/field               | percent-encoded '/'",
      "op://vault/it%40em/field               | write the item's id instead",
      "op://vault/item/f(x)                   | write the field's id instead",
      "op://vault/item/s:x/field              | write the section's id instead",
      "op://vault//field                      | empty",
      "op://user:pw@vault/item/field          | user-info",
      "op://vault/../field                    | dot segment",
  })
  void parse_invalidReference_throwsNamingTheProblem(String text, String problem) {
    assertThatThrownBy(() -> OnePasswordReference.parse(text))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining(problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"op://vault/item/pw-CANARY-s3cr3t?attribute=CANARY-s3cr3t",
      "op://vault/item/pw?CANARY-s3cr3t=1"})
  void parse_invalidReference_neverEchoesUnexpectedText(String text) {
    assertThatThrownBy(() -> OnePasswordReference.parse(text))
        .isInstanceOf(InvalidSecretRefException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain("CANARY");
          assertThat(((InvalidSecretRefException) e).ref()).isEmpty();
        });
  }

  @Test
  void toOpString_normalisesQueryToCliSpelling() {
    assertThat(OnePasswordReference.parse("op://dev/Stripe/totp?attr=TOTP").toOpString())
        .isEqualTo("op://dev/Stripe/totp?attribute=otp");
    assertThat(OnePasswordReference.parse("op://Private/ssh keys/ssh key/private key?ssh-format=OpenSSH&attr=value")
        .toOpString()).isEqualTo("op://Private/ssh keys/ssh key/private key?attribute=value&ssh-format=openssh");
  }

  @Test
  void parse_variable_parsesButIsFlagged() {
    OnePasswordReference ref = OnePasswordReference.parse("op://$APP_ENV/mysql/password");
    assertThat(ref.hasVariables()).isTrue();
    assertThat(OnePasswordReference.parse("op://prod/mysql/password").hasVariables()).isFalse();
  }

  @Test
  void isId_onlyTwentySixLowerCaseLettersAndDigits() {
    assertThat(OnePasswordReference.isId("hu4vwo3bjkawq2uw2fkn5pkjzu")).isTrue();
    assertThat(OnePasswordReference.isId("HU4VWO3BJKAWQ2UW2FKN5PKJZU")).isFalse();
    assertThat(OnePasswordReference.isId("hu4vwo3bjkawq2uw2fkn5pkjz")).isFalse();
    assertThat(OnePasswordReference.isId("3fa85f64-5717-4562-b3fc-2c963f66afa6")).isFalse();
  }

  @Test
  void from_secretRef_roundTripsThroughCanonicalForm() {
    SecretRef core = SecretRef.parse("op://development/aws/Access Keys/access_key_id");
    OnePasswordReference ref = OnePasswordReference.from(core);
    assertThat(ref.ref()).isEqualTo(core);
    assertThat(OnePasswordReference.parse(ref.toString())).isEqualTo(ref);
  }
}
