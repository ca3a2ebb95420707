package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Property tests of {@link SecretRef}: generated valid refs round-trip, generated garbage fails
 * only with {@link InvalidSecretRefException} and never echoes its input.
 *
 * <p>Generation is a seeded {@link Random}, so every run checks the same cases and a failure
 * names the seed and the case that reproduce it; {@code -Dsecretsdk.seed=N} explores other
 * cases. (jqwik is not used: its maintainer asks, since 1.10, that AI coding agents not use it,
 * and this project respects that.)
 */
@Timeout(60)
final class SecretRefPropertiesTest {
  private static final long SEED = Long.getLong("secretsdk.seed", 0x5EC2E7L);
  private static final int VALID_CASES = 3000;
  private static final int GARBAGE_CASES = 20000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String RAW_UNSAFE = "\\\"<>`{}|^";
  /** Decoded characters a part may hold (more are added per part kind). */
  private static final String[] ALPHABET = {
      "a", "b", "z", "A", "Q", "0", "7", "-", "_", ".", ":", "@", "+", "$", "!", "~", "'", "(",
      ")", "*", ",", ";", "&", "=", "[", "]", " ", "%", "?", "#", "é", "ß", "Ω", "日", "本",
      "\uD83D\uDD11", "\\", "\"", "<", ">", "`", "{", "}", "|", "^"};

  // ---- valid refs ----

  @Test
  void parse_generatedValidRefs_roundTripWithPartsPreserved() throws Exception {
    Random rnd = new Random(SEED);
    for (int i = 0; i < VALID_CASES; i++) {
      Generated g = generateValid(rnd);
      String where = "seed=" + SEED + " case=" + i + " input=" + g.input;
      SecretRef r;
      try {
        r = SecretRef.parse(g.input);
      } catch (InvalidSecretRefException e) {
        fail(where + " was rejected: " + e.getMessage());
        return;
      }
      assertThat(r.scheme()).as(where).isEqualTo(g.scheme);
      assertThat(r.segments()).as(where).isEqualTo(g.segments);
      assertThat(r.query()).as(where).isEqualTo(g.query);
      assertThat(r.field().orElse(null)).as(where).isEqualTo(g.field);
      assertThat(r.path()).as(where)
          .isEqualTo((g.scheme.equals("file") ? "/" : "") + String.join("/", g.segments));

      String canonical = r.toString();
      SecretRef again = SecretRef.parse(canonical);
      assertThat(again).as(where).isEqualTo(r).hasSameHashCodeAs(r);
      assertThat(again.toString()).as(where).isEqualTo(canonical);
      assertThat(again.segments()).as(where).isEqualTo(g.segments);

      assertThat(javaRoundTrip(r)).as(where).isEqualTo(r);
      String json = JSON.writeValueAsString(r);
      assertThat(json).as(where).isEqualTo(JSON.writeValueAsString(canonical));
      assertThat(JSON.readValue(json, SecretRef.class)).as(where).isEqualTo(r);
    }
  }

  @Test
  void javaSerialization_craftedInvalidForm_isRefused() throws Exception {
    // The serialized form carries the canonical text; a stream edited to hold an invalid ref
    // must not yield a SecretRef.
    byte[] bytes = javaBytes(SecretRef.parse("vault://secret/abcdefgh"));
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("vault://secret/abcdefgh");
    assertThat(at).isPositive();
    byte[] edited = s.replace("vault://secret/abcdefgh", "vault://secret/../efghi")
        .getBytes(StandardCharsets.ISO_8859_1);

    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(edited))) {
      in.readObject();
      fail("an invalid serialized ref was accepted");
    } catch (java.io.InvalidObjectException e) {
      assertThat(e).hasMessageContaining("dot segment");
    }
  }

  @Test
  void jackson_invalidRefText_failsWithoutEchoingIt() {
    String json = "\"vault://admin:hunter2@host/x\"";

    Throwable t = org.assertj.core.api.Assertions.catchThrowable(
        () -> JSON.readValue(json, SecretRef.class));

    assertThat(t).isNotNull();
    assertThat(t).hasRootCauseInstanceOf(InvalidSecretRefException.class);
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain("hunter2");
    }
  }

  // ---- garbage ----

  @Test
  void parse_generatedGarbage_onlyEverThrowsInvalidRefWithoutEchoingInput() {
    Random rnd = new Random(SEED + 1);
    int rejected = 0;
    int accepted = 0;
    for (int i = 0; i < GARBAGE_CASES; i++) {
      String password = "pw" + Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36);
      String input = switch (i % 4) {
        case 0 -> randomText(rnd, rnd.nextInt(60));
        case 1 -> mutate(rnd, generateValid(rnd).input);
        case 2 -> mutate(rnd, pick(rnd, "vault", "aws-sm", "op", "file") + "://admin:" + password
            + "@" + generateValid(rnd).input.replaceFirst("^[^:]*://", ""));
        default -> mutate(rnd, mutate(rnd, generateValid(rnd).input));
      };
      String where = "seed=" + SEED + " case=" + i + " input=" + escape(input);
      SecretRef r;
      try {
        r = SecretRef.parse(input);
      } catch (InvalidSecretRefException e) {
        rejected++;
        String message = e.getMessage();
        assertThat(message).as(where).startsWith("invalid secret ref: ");
        if (input.strip().length() >= 6) {
          assertThat(message).as(where).doesNotContain(input);
        }
        if (input.contains(password)) {
          assertThat(message).as(where).doesNotContain(password);
        }
        assertThat(e.getCause()).as(where).isNull();
        continue;
      } catch (Throwable t) {
        fail(where + " threw " + t);
        return;
      }
      accepted++;
      // Whatever is accepted must be canonical-stable.
      SecretRef again;
      try {
        again = SecretRef.parse(r.toString());
      } catch (InvalidSecretRefException e) {
        fail(where + " was accepted, but its canonical form " + escape(r.toString())
            + " is rejected: " + e.getMessage());
        return;
      }
      assertThat(again).as(where).isEqualTo(r);
      assertThat(again.toString()).as(where).isEqualTo(r.toString());
    }
    // The generator must exercise both outcomes to mean anything.
    assertThat(rejected).isGreaterThan(GARBAGE_CASES / 10);
    assertThat(accepted).isGreaterThan(GARBAGE_CASES / 20);
  }

  // ---- generators ----

  private static final class Generated {
    String input;
    String scheme;
    List<String> segments;
    Map<String, String> query;
    String field;
  }

  private static Generated generateValid(Random rnd) {
    Generated g = new Generated();
    g.scheme = rnd.nextInt(5) == 0 ? randomScheme(rnd)
        : pick(rnd, "vault", "aws-sm", "op", "mem", "local", "env", "file", "kv");
    boolean absolute = g.scheme.equals("file");
    int n = 1 + rnd.nextInt(5);
    g.segments = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String seg;
      do {
        seg = part(rnd, 1 + rnd.nextInt(12), "/");
      } while (seg.equals(".") || seg.equals("..") || (i == 0 && !absolute && seg.contains("@")));
      g.segments.add(seg);
    }
    g.query = new TreeMap<>();
    int q = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 0;
    for (int i = 0; i < q; i++) {
      g.query.put(queryKey(rnd), part(rnd, 1 + rnd.nextInt(10), ""));
    }
    g.field = rnd.nextBoolean() ? part(rnd, 1 + rnd.nextInt(10), "/?") : null;

    StringBuilder sb = new StringBuilder(randomCase(rnd, g.scheme)).append("://");
    if (absolute) {
      sb.append('/');
    }
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(encode(rnd, g.segments.get(i), ""));
    }
    char sep = '?';
    List<String> keys = new ArrayList<>(g.query.keySet());
    java.util.Collections.shuffle(keys, rnd);
    for (String k : keys) {
      sb.append(sep).append(k).append('=').append(encode(rnd, g.query.get(k), "&="));
      sep = '&';
    }
    if (g.field != null) {
      sb.append('#').append(encode(rnd, g.field, ""));
    }
    g.input = sb.toString();
    return g;
  }

  /** A decoded part: no forbidden characters, no leading or trailing space. */
  private static String part(Random rnd, int length, String forbidden) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < length) {
      String c = ALPHABET[rnd.nextInt(ALPHABET.length)];
      if (forbidden.contains(c)) {
        continue;
      }
      if (c.equals(" ") && (sb.length() == 0 || sb.length() + 1 >= length)) {
        continue;
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Percent-encodes what must be, and randomly some of what need not be (decoding normalizes). */
  private static String encode(Random rnd, String decoded, String alsoEncode) {
    StringBuilder sb = new StringBuilder();
    decoded.codePoints().forEach(cp -> {
      String c = new String(Character.toChars(cp));
      boolean must = "%/?#".contains(c) || RAW_UNSAFE.contains(c) || alsoEncode.contains(c);
      if (must || (rnd.nextInt(8) == 0 && !c.equals(" "))) {
        for (byte b : c.getBytes(StandardCharsets.UTF_8)) {
          String hex = String.format("%02X", b & 0xFF);
          sb.append('%').append(rnd.nextBoolean() ? hex : hex.toLowerCase(java.util.Locale.ROOT));
        }
      } else {
        sb.append(c);
      }
    });
    return sb.toString();
  }

  private static String randomScheme(Random rnd) {
    String first = "abcdefghijklmnopqrstuvwxyz";
    String rest = first + "0123456789+.-";
    StringBuilder sb = new StringBuilder().append(first.charAt(rnd.nextInt(first.length())));
    int n = rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      sb.append(rest.charAt(rnd.nextInt(rest.length())));
    }
    String s = sb.toString();
    return s.equals("file") ? "files" : s;
  }

  private static String randomCase(Random rnd, String s) {
    return rnd.nextInt(4) == 0 ? s.toUpperCase(java.util.Locale.ROOT) : s;
  }

  private static String queryKey(Random rnd) {
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    StringBuilder sb = new StringBuilder();
    int n = 1 + rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      sb.append(chars.charAt(rnd.nextInt(chars.length())));
    }
    return sb.toString();
  }

  /** Characters that stress the parser: delimiters, escapes, controls, bidi, zero-width, spaces. */
  private static final String[] NASTY = {
      "/", "//", "?", "#", "&", "=", "%", "%2e", "%2E%2e", "%zz", "%4", "%C3%28", "%00", "%2F",
      "%40", "%20", "@", ":", "://", ".", "..", " ", "\t", "\n", "\r", "\u0000", "\u007F",
      "\u202E", "\u2066", "\u200B", "\uFEFF", "\u00A0", "\u2028", "\uD800", "\uE000", "é",
      "\uD83D\uDD11", "<", "\\", "a", "Z", "9", "-", "_"};

  private static String randomText(Random rnd, int length) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < length) {
      if (rnd.nextInt(3) == 0) {
        sb.append(NASTY[rnd.nextInt(NASTY.length)]);
      } else {
        sb.append((char) rnd.nextInt(rnd.nextBoolean() ? 0x80 : 0x3000));
      }
    }
    return sb.toString();
  }

  private static String mutate(Random rnd, String s) {
    StringBuilder sb = new StringBuilder(s);
    int mutations = 1 + rnd.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      int at = sb.length() == 0 ? 0 : rnd.nextInt(sb.length() + 1);
      String nasty = NASTY[rnd.nextInt(NASTY.length)];
      switch (rnd.nextInt(3)) {
        case 0 -> sb.insert(at, nasty);
        case 1 -> {
          if (at < sb.length()) {
            sb.deleteCharAt(at);
          }
        }
        default -> {
          if (at < sb.length()) {
            sb.replace(at, at + 1, nasty);
          } else {
            sb.append(nasty);
          }
        }
      }
    }
    return sb.toString();
  }

  @SafeVarargs
  private static <T> T pick(Random rnd, T... options) {
    return options[rnd.nextInt(options.length)];
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().forEach(c -> {
      if (c < 0x20 || c > 0x7E) {
        sb.append(String.format("\\u%04X", c));
      } else {
        sb.append((char) c);
      }
    });
    return sb.toString();
  }

  private static byte[] javaBytes(Object o) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(o);
    }
    return out.toByteArray();
  }

  private static Object javaRoundTrip(Object o) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(javaBytes(o)))) {
      return in.readObject();
    }
  }

}
