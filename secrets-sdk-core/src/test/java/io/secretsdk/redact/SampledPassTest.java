package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The sampled byte pass (eight bytes per step) against the pass that hashes at every byte: over
 * random texts holding values in every stored form, token formats and encoded-form triggers at
 * every alignment, scanned from every start offset, both find exactly the same spans and agree
 * on whether a form may start. The texts are built from canaries made at run time.
 */
final class SampledPassTest {
  private static final String FILLER = "abcXYZ019 \"\\/<>&'%+=-_~.:;[],\n\ré€ß\u00a0\t";

  @Test
  void sampledPass_findsWhatTheBytePassFinds_atEveryAlignment() {
    long seed = java.nio.ByteBuffer.wrap(Canaries.bytes(8)).getLong();
    Random random = new Random(seed);
    RedactionIndex withDetectors = RedactionIndex.create();
    RedactionIndex noDetectors =
        RedactionIndex.create(RedactionOptions.builder().detectors(Set.of()).build());
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String value = value(random, i);
      SecretRef ref = SecretRef.parse("mem://sampled/v" + i);
      withDetectors.register(ref, value.getBytes(UTF_8));
      noDetectors.register(ref, value.getBytes(UTF_8));
      pieces.addAll(forms(value, random));
    }
    pieces.addAll(tokens());
    int compared = 0;
    int withMatches = 0;
    for (int round = 0; round < 600; round++) {
      byte[] text = text(random, pieces).getBytes(UTF_8);
      for (int from = 0; from < Math.min(9, text.length); from++) {
        for (int cut = 0; cut < 9 && text.length - cut > from; cut += 3) {
          int to = text.length - cut;
          for (RedactionIndex index : List.of(withDetectors, noDetectors)) {
            RedactionIndex.Table t = (RedactionIndex.Table) index.tableForTest();
            RedactionIndex.Matches sampled =
                index.sampledPass(text, from, to, t, index.detectors());
            RedactionIndex.Matches perByte = index.detectors().isEmpty()
                ? index.hashPass(text, from, to, t)
                : index.hashAndDetectorPass(text, from, to, t, index.detectors());
            assertThat(spans(sampled)).as("seed %d, round %d, [%d, %d)", seed, round, from, to)
                .isEqualTo(spans(perByte));
            assertThat(formsSeen(sampled)).as("seed %d, round %d, forms in [%d, %d)", seed, round, from, to)
                .isEqualTo(formsSeen(perByte));
            compared++;
            if (!spans(perByte).isEmpty()) {
              withMatches++;
            }
          }
        }
      }
    }
    // the comparison is only worth something if most texts hold something to find
    assertThat(withMatches).isGreaterThan(compared / 2);
  }

  @Test
  void sampledPass_valueAtEveryOffsetOfAShortText_found() {
    RedactionIndex index = RedactionIndex.create();
    String value = Canaries.alnum(8);
    index.register(SecretRef.parse("mem://sampled/short"), value.getBytes(UTF_8));
    for (int before = 0; before < 9; before++) {
      for (int after = 0; after < 9; after++) {
        String text = "-".repeat(before) + value + ".".repeat(after);
        assertThat(new String(index.redactUtf8(text.getBytes(UTF_8)), UTF_8))
            .as("%d before, %d after", before, after)
            .isEqualTo("-".repeat(before) + "[REDACTED:mem://sampled/short]" + ".".repeat(after));
      }
    }
  }

  @Test
  void gramFilter_afterManyRemovals_rebuiltAndStillFindsLiveValues() {
    RedactionIndex index = RedactionIndex.create(RedactionOptions.builder().maxValues(50).build());
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String v = Canaries.alnum(20);
      index.register(SecretRef.parse("mem://sampled/churn" + i), v.getBytes(UTF_8));
      live.add(v);
    }
    RedactionIndex.Table t = (RedactionIndex.Table) index.tableForTest();
    assertThat(t.removed).as("stale grams are dropped by a rebuild")
        .isLessThanOrEqualTo(Math.max(1024, t.live) + 8);
    for (String v : live.subList(live.size() - 50, live.size())) {
      assertThat(new String(index.redactUtf8(("k=" + v).getBytes(UTF_8)), UTF_8))
          .doesNotContain(v);
    }
    assertThat(new String(index.redactUtf8(("k=" + live.get(0)).getBytes(UTF_8)), UTF_8))
        .as("evicted long ago").contains(live.get(0));
  }

  private static String value(Random random, int i) {
    if (i % 3 == 0) {
      StringBuilder sb = new StringBuilder();
      int n = 8 + random.nextInt(24);
      while (sb.length() < n) {
        sb.append(FILLER.charAt(random.nextInt(FILLER.length())));
      }
      return sb + Canaries.alnum(2);
    }
    if (i % 3 == 1) {
      // 8 to 10 bytes: grams at half steps; '-' and '_' fold into base64's '+' and '/'
      return Canaries.alnum(6 + random.nextInt(3)) + (random.nextBoolean() ? "-_" : "+/");
    }
    return Canaries.alnum(8 + random.nextInt(40));
  }

  /** The value as the index stores or decodes it, in random letter case where that is folded. */
  private static List<String> forms(String value, Random random) {
    byte[] bytes = value.getBytes(UTF_8);
    List<String> out = new ArrayList<>();
    out.add(value);
    out.add(flipCase(value, random));
    out.add(HexFormat.of().formatHex(bytes));
    out.add(HexFormat.of().withUpperCase().formatHex(bytes));
    for (int pad = 0; pad < 3; pad++) {
      byte[] padded = new byte[bytes.length + pad];
      System.arraycopy(bytes, 0, padded, pad, bytes.length);
      out.add(Base64.getEncoder().encodeToString(padded));
      out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(padded));
    }
    out.add(URLEncoder.encode(value, UTF_8));
    return out;
  }

  private static String flipCase(String s, Random random) {
    StringBuilder sb = new StringBuilder(s);
    for (int i = 0; i < sb.length(); i++) {
      if (random.nextBoolean()) {
        char c = sb.charAt(i);
        sb.setCharAt(i, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  /** Token formats the detectors know, made at run time. */
  private static List<String> tokens() {
    return List.of(
        "gh" + "p_" + Canaries.alnum(36),
        "AK" + "IA" + Canaries.digits(16).replace('0', 'Q').replace('1', 'Z').replace('8', 'X').replace('9', 'Y'),
        "ey" + "J" + Canaries.alnum(12) + ".ey" + "J" + Canaries.alnum(12) + "." + Canaries.alnum(16),
        "xo" + "xb-" + Canaries.digits(10) + "-" + Canaries.alnum(24),
        "hv" + "s." + Canaries.alnum(30),
        "AI" + "za" + Canaries.alnum(35),
        "np" + "m_" + Canaries.alnum(36),
        "gl" + "pat-" + Canaries.alnum(20),
        "s" + "k-proj-" + Canaries.alnum(30),
        "s" + "k-" + Canaries.alnum(20) + "T3Blbk" + "FJ" + Canaries.alnum(20),
        "s" + "k-ant-api03-" + Canaries.alnum(90),
        "s" + "k_live_" + Canaries.alnum(24),
        "git" + "hub_pat_" + Canaries.alnum(82),
        "op" + "s_eyJ" + Canaries.alnum(40) + "+/" + Canaries.alnum(70) + "==",
        "A3" + "TX" + "ABCDEFGHIJKLMNOP",
        "xo" + "xp-1-" + Canaries.alnum(10),
        "-----BEGIN " + "PRIVATE KEY-----\n" + Canaries.alnum(64) + "\n-----END " + "PRIVATE KEY-----",
        "-----BEGIN " + "EC PRIVATE KEY-----\n" + Canaries.alnum(3) + "\n-----END " + "EC PRIVATE KEY-----",
        "--- ---- -----x -- -");
  }

  /** Filler, pieces and triggers in random order, with random separators (or none). */
  private static String text(Random random, List<String> pieces) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      int fill = random.nextInt(9);
      for (int k = 0; k < fill; k++) {
        sb.append(FILLER.charAt(random.nextInt(FILLER.length())));
      }
      if (random.nextInt(4) == 0) {
        sb.append(List.of("\\n", "&amp;", "%2F", "\"\"", "[1, 2]", "\n").get(random.nextInt(6)));
      }
      sb.append(pieces.get(random.nextInt(pieces.size())));
    }
    return sb.toString();
  }

  private static TreeSet<String> spans(RedactionIndex.Matches m) {
    TreeSet<String> out = new TreeSet<>();
    if (m == null || m.size == 0) {
      return out;
    }
    for (int k = 0; k < m.size; k++) {
      out.add(m.starts[k] + ".." + m.ends[k] + " " + System.identityHashCode(m.owners[k]));
    }
    return out;
  }

  private static boolean formsSeen(RedactionIndex.Matches m) {
    return m != null && (m.formsSeen || m.size == 0);
  }
}
