package io.secretsdk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
final class SecretTest {
  private static final String CANARY = "canary-secret-8b1f0e6d2a";
  private static final byte[] CANARY_BYTES = CANARY.getBytes(UTF_8);
  private static final SecretRef REF = SecretRef.parse("mem://test/openai");

  private static Secret secret() {
    return Secret.copyOf(REF, CANARY_BYTES, "7", Instant.parse("2026-01-01T00:00:00Z"),
        Map.of("stage", "AWSCURRENT"));
  }

  /** Every form in which the canary could leak: raw, base64, hex, and as JSON numbers or chars. */
  private static List<String> leakForms() {
    List<String> forms = new ArrayList<>();
    forms.add(CANARY);
    forms.add(Base64.getEncoder().encodeToString(CANARY_BYTES));
    forms.add(Base64.getUrlEncoder().encodeToString(CANARY_BYTES));
    forms.add(Base64.getEncoder().encodeToString(CANARY_BYTES).substring(4, 20));
    forms.add(HexFormat.of().formatHex(CANARY_BYTES));
    forms.add(IntStream.range(0, 8).mapToObj(i -> String.valueOf(CANARY_BYTES[i]))
        .collect(Collectors.joining(",")));
    forms.add(IntStream.range(0, 8).mapToObj(i -> "\"" + CANARY.charAt(i) + "\"")
        .collect(Collectors.joining(",")));
    return forms;
  }

  private static void assertNoLeak(String text) {
    for (String form : leakForms()) {
      assertThat(text).doesNotContain(form);
    }
  }

  private static void assertNoLeak(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertNoLeak(String.valueOf(c));
      for (Throwable s : c.getSuppressed()) {
        assertNoLeak(String.valueOf(s));
      }
    }
  }

  private static byte[] backingArray(Secret s) throws ReflectiveOperationException {
    Field f = Secret.class.getDeclaredField("value");
    f.setAccessible(true);
    @SuppressWarnings("unchecked")
    java.util.Optional<byte[]> holder = (java.util.Optional<byte[]>) f.get(s);
    return holder.get();
  }

  // ---- access ----

  @Test
  void reveal_returnsTheValue() {
    try (Secret s = secret()) {
      assertThat(s.reveal()).isEqualTo(CANARY);
      assertThat(s.revealBytes()).isEqualTo(CANARY_BYTES);
      assertThat(s.ref()).isEqualTo(REF);
      assertThat(s.version()).contains("7");
      assertThat(s.metadata()).containsEntry("stage", "AWSCURRENT");
    }
  }

  @Test
  void copyOf_copiesTheCallersArray() {
    byte[] mine = CANARY_BYTES.clone();
    Secret s = Secret.copyOf(REF, mine);

    Arrays.fill(mine, (byte) 'x');

    assertThat(s.reveal()).isEqualTo(CANARY);
  }

  @Test
  void revealBytes_returnsAFreshCopyEachTime() {
    Secret s = secret();
    byte[] first = s.revealBytes();

    Arrays.fill(first, (byte) 0);

    assertThat(s.revealBytes()).isEqualTo(CANARY_BYTES).isNotSameAs(first);
  }

  @Test
  void toString_showsRefVersionAndMaskOnly() {
    Secret s = secret();

    assertThat(s.toString()).contains(REF.toString(), "7", "****");
    assertNoLeak(s.toString());
    s.close();
    assertThat(s.toString()).contains("closed");
    assertNoLeak(s.toString());
  }

  // ---- wiping ----

  @Test
  void close_wipesBackingArrayAndBlocksReads() throws Exception {
    Secret s = secret();
    byte[] backing = backingArray(s);
    assertThat(backing).isEqualTo(CANARY_BYTES);

    s.close();

    assertThat(s.isClosed()).isTrue();
    assertThat(backing).containsOnly((byte) 0);
    assertThatThrownBy(s::reveal).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed").satisfies(SecretTest::assertNoLeak);
    assertThatThrownBy(s::revealBytes).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.useBytes(b -> b.length)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.useChars(c -> c.length)).isInstanceOf(IllegalStateException.class);
    s.close(); // idempotent
    assertThat(backing).containsOnly((byte) 0);
  }

  @Test
  void useBytes_wipesItsCopyAfterTheAction() {
    Secret s = secret();
    byte[][] seen = new byte[1][];

    int length = s.useBytes(b -> {
      seen[0] = b;
      assertThat(b).isEqualTo(CANARY_BYTES);
      return b.length;
    });

    assertThat(length).isEqualTo(CANARY_BYTES.length);
    assertThat(seen[0]).hasSize(CANARY_BYTES.length).containsOnly((byte) 0);
    assertThat(s.reveal()).isEqualTo(CANARY); // the secret's own copy is untouched
  }

  @Test
  void useBytes_actionThrows_stillWipesItsCopy() {
    Secret s = secret();
    byte[][] seen = new byte[1][];

    Throwable t = catchThrowable(() -> s.useBytes(b -> {
      seen[0] = b;
      throw new IllegalArgumentException("boom");
    }));

    assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
    assertThat(seen[0]).containsOnly((byte) 0);
  }

  @Test
  void useChars_wipesItsCopyAfterTheAction() {
    Secret s = Secret.copyOf(REF, (CANARY + "-é日").getBytes(UTF_8));
    char[][] seen = new char[1][];

    String copy = s.useChars(c -> {
      seen[0] = c;
      return new String(c);
    });

    assertThat(copy).isEqualTo(CANARY + "-é日");
    assertThat(seen[0]).hasSize(copy.length()).containsOnly('\0');
  }

  @Test
  void useChars_actionThrows_stillWipesItsCopy() {
    Secret s = secret();
    char[][] seen = new char[1][];

    Throwable t = catchThrowable(() -> s.useChars(c -> {
      seen[0] = c;
      throw new IllegalStateException("boom");
    }));

    assertThat(t).hasMessage("boom");
    assertThat(seen[0]).containsOnly('\0');
  }

  @Test
  void useChars_invalidUtf8_throwsWithoutTheValue() {
    byte[] bytes = Arrays.copyOf(CANARY_BYTES, CANARY_BYTES.length + 1);
    bytes[bytes.length - 1] = (byte) 0xC3;
    Secret s = Secret.copyOf(REF, bytes);

    Throwable t = catchThrowable(() -> s.useChars(c -> c.length));

    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("not valid UTF-8");
    assertNoLeak(t);
  }

  @Test
  void misuse_nullArguments_throwNpeWithoutTheValue() {
    Secret s = secret();

    assertThatThrownBy(() -> s.useBytes(null)).isInstanceOf(NullPointerException.class)
        .satisfies(SecretTest::assertNoLeak);
    assertThatThrownBy(() -> s.useChars(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Secret.copyOf(null, CANARY_BYTES)).isInstanceOf(NullPointerException.class)
        .satisfies(SecretTest::assertNoLeak);
    assertThatThrownBy(() -> Secret.copyOf(REF, null)).isInstanceOf(NullPointerException.class);
  }

  // ---- equality ----

  @Test
  void equals_sameRefAndValue_isEqual() {
    assertThat(secret()).isEqualTo(secret()).hasSameHashCodeAs(secret());
  }

  @Test
  void equals_differentValueOrRefOrLength_isNotEqual() {
    Secret s = secret();

    assertThat(s).isNotEqualTo(Secret.copyOf(REF, (CANARY + "x").getBytes(UTF_8)));
    assertThat(s).isNotEqualTo(Secret.copyOf(REF, CANARY.replace('c', 'C').getBytes(UTF_8)));
    assertThat(s).isNotEqualTo(Secret.copyOf(SecretRef.parse("mem://test/other"), CANARY_BYTES));
    assertThat(s).isNotEqualTo(CANARY).isNotEqualTo(null);
  }

  @Test
  void equals_closedSecret_isEqualOnlyToItself() {
    Secret a = secret();
    Secret b = secret();
    a.close();

    assertThat(a).isEqualTo(a).isNotEqualTo(b);
    assertThat(b).isNotEqualTo(a);
  }

  @Test
  void hashCode_doesNotDependOnTheValue() {
    Secret a = Secret.copyOf(REF, CANARY_BYTES);
    Secret b = Secret.copyOf(REF, "something else entirely".getBytes(UTF_8));
    Secret c = Secret.copyOf(REF, new byte[0]);

    assertThat(a.hashCode()).isEqualTo(b.hashCode()).isEqualTo(c.hashCode()).isEqualTo(REF.hashCode());
    a.close();
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
  }

  // ---- serialization ----

  @Test
  void javaSerialization_isRefusedAndPartialBytesLackTheValue() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    Throwable t = catchThrowable(() -> {
      try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
        oos.writeObject(secret());
      }
    });

    assertThat(t).isInstanceOf(NotSerializableException.class);
    assertNoLeak(t);
    assertNoLeak(new String(out.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Test
  void javaSerialization_insideASerializableContainer_isRefused() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ArrayList<Object> list = new ArrayList<>(List.of("before", secret()));

    Throwable t = catchThrowable(() -> {
      try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
        oos.writeObject(list);
      }
    });

    assertThat(t).isInstanceOf(NotSerializableException.class);
    assertNoLeak(new String(out.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  static Stream<Arguments> jacksonMappers() {
    return Stream.of(
        Arguments.of("default", new ObjectMapper()),
        Arguments.of("field visibility ANY", JsonMapper.builder()
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY).build()),
        Arguments.of("all visibility ANY", JsonMapper.builder()
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.ANY).build()),
        Arguments.of("annotations off + field visibility ANY", JsonMapper.builder()
            .disable(MapperFeature.USE_ANNOTATIONS)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY).build()),
        Arguments.of("annotations off + all visibility ANY + transient marker", JsonMapper.builder()
            .disable(MapperFeature.USE_ANNOTATIONS)
            .enable(MapperFeature.PROPAGATE_TRANSIENT_MARKER)
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.ANY).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jacksonMappers")
  void jackson_anyMapper_neverWritesTheValue(String label, ObjectMapper mapper) {
    for (Secret s : List.of(secret(), Secret.copyOf(REF, CANARY_BYTES))) {
      String json;
      try {
        json = mapper.writeValueAsString(Map.of("secret", s, "list", List.of(s)));
      } catch (Exception e) {
        assertNoLeak(e);
        continue;
      }
      assertNoLeak(json);
      if (mapper.isEnabled(MapperFeature.USE_ANNOTATIONS)) {
        assertThat(json).contains("\"" + REF + "\"");
      }
    }
  }

  @Test
  void jackson_defaultMapper_writesTheRefOnly() throws Exception {
    ObjectMapper mapper = new ObjectMapper();

    assertThat(mapper.writeValueAsString(secret())).isEqualTo("\"mem://test/openai\"");
    assertNoLeak(mapper.valueToTree(secret()).toString());
    assertNoLeak(String.valueOf(mapper.convertValue(Map.of("s", secret()), Map.class)));
  }

  @Test
  void jackson_readingASecret_isNotPossible() {
    Throwable t = catchThrowable(
        () -> new ObjectMapper().readValue("{\"value\":\"" + CANARY + "\"}", Secret.class));

    assertThat(t).isNotNull();
    assertNoLeak(t);
  }

  /** What a Java 17 user registers so that Gson can write java.time types at all. */
  private static GsonBuilder withInstantAdapter(GsonBuilder b) {
    return b.registerTypeAdapter(Instant.class,
        (com.google.gson.JsonSerializer<Instant>) (src, type, ctx) ->
            new com.google.gson.JsonPrimitive(src.toString()));
  }

  static Stream<Arguments> gsons() {
    return Stream.of(
        Arguments.of("default", new Gson(), true),
        Arguments.of("serializeNulls", new GsonBuilder().serializeNulls().create(), true),
        Arguments.of("default + Instant adapter", withInstantAdapter(new GsonBuilder()).create(), true),
        Arguments.of("transient included (exclude STATIC only)",
            new GsonBuilder().excludeFieldsWithModifiers(Modifier.STATIC).create(), false),
        Arguments.of("transient included + Instant adapter", withInstantAdapter(
            new GsonBuilder().excludeFieldsWithModifiers(Modifier.STATIC)).create(), false),
        Arguments.of("no modifier excluded (static and transient included)",
            new GsonBuilder().excludeFieldsWithModifiers().serializeNulls().create(), false),
        Arguments.of("exclude VOLATILE only",
            new GsonBuilder().excludeFieldsWithModifiers(Modifier.VOLATILE).create(), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gsons")
  void gson_anyConfiguration_neverReflectsTheValueOut(String label, Gson gson, boolean writesRef) {
    // The bytes sit inside a java.util.Optional: java.base does not open java.util, so a Gson
    // that includes transient fields fails there; one that skips them writes only the ref.
    for (Secret s : List.of(secret(), Secret.copyOf(REF, CANARY_BYTES))) {
      String json = null;
      StringBuilder partial = new StringBuilder();
      try {
        gson.toJson(Map.of("s", s), partial);
        json = partial.toString();
        assertNoLeak(json);
      } catch (RuntimeException e) {
        assertNoLeak(e);
        assertNoLeak(partial.toString());
      }
      if (writesRef) {
        assertThat(json).isNotNull().contains("openai").doesNotContain("value", "version", "closed");
      }
    }
  }

  @Test
  void gson_closedSecret_stillHasNoValue() {
    Secret s = Secret.copyOf(REF, CANARY_BYTES);
    String before = new GsonBuilder().serializeNulls().create().toJson(s);
    s.close();

    assertNoLeak(before);
    assertThat(before).contains("openai");
    assertNoLeak(new Gson().toJson(s));
  }

  @Test
  void copyOf_versionOrMetadataHoldingTheValue_isShownAsFingerprint() {
    Secret s = Secret.copyOf(REF, CANARY_BYTES, "v-" + CANARY, null,
        Map.of("lease_id", "db/creds/" + CANARY, "stage", "AWSCURRENT"));

    assertThat(s.version()).get().asString().startsWith("fp:");
    assertThat(s.metadata()).containsEntry("stage", "AWSCURRENT");
    assertThat(s.metadata().get("lease_id")).startsWith("fp:");
    assertNoLeak(s.toString());
    assertNoLeak(s.metadata().toString());
    assertThat(Secret.copyOf(REF, CANARY_BYTES, "7", null, Map.of()).version()).contains("7");
  }
}
