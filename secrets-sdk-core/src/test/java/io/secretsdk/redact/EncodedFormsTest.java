package io.secretsdk.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.SecretRef;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamWriter;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The forms the index recognises by decoding the text rather than by storing them: escapes at
 * any depth, entities, wrapped base64 and {@code Arrays.toString}; each checked in the char and
 * the UTF-8 path, with canaries made at run time.
 */
final class EncodedFormsTest {
  private static final SecretRef REF = SecretRef.parse("mem://forms/value");
  private static final String MARK = "[REDACTED:" + REF + "]";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedactionIndex index = RedactionIndex.create();

  /** A value with every character JSON, XML and HTML escape, non-ASCII and one outside the BMP. */
  private static String awkwardValue() {
    return "q\"b\\s/<a&b>'t" + Canaries.alnum(12) + "é€\uD83D\uDE00\t";
  }

  private String register(String value) {
    index.register(REF, value.getBytes(UTF_8));
    return value;
  }

  /** Masked in both paths, and no form of the value's random core is left. */
  private void assertMasked(String text, String value) {
    String chars = index.redact(text);
    String bytes = new String(index.redactUtf8(text.getBytes(UTF_8)), UTF_8);
    for (String out : List.of(chars, bytes)) {
      assertThat(out).contains(MARK);
      assertThat(out.contains(core(value))).as("random core left in the output").isFalse();
    }
  }

  /** The random letters of an {@link #awkwardValue()} (or the whole value otherwise). */
  private static String core(String value) {
    int at = value.indexOf('t', 12);
    return at > 0 && value.length() > at + 12 ? value.substring(at + 1, at + 13) : value;
  }

  private static String jsonString(String s) throws Exception {
    return JSON.writeValueAsString(s);
  }

  @Test
  void jsonEscapedOnceTwiceAndThrice_masked() throws Exception {
    String value = register(awkwardValue());
    String once = jsonString(value);
    String twice = jsonString("{\"password\":" + once + "}");
    String thrice = jsonString("{\"event\":" + twice + "}");
    for (String text : List.of(once, twice, thrice)) {
      assertMasked("{\"message\":" + text + "}", value);
    }
  }

  @Test
  void jsonEscaped_staysValidJsonAfterRedaction() throws Exception {
    String value = register(awkwardValue());
    String inner = JSON.writeValueAsString(Map.of("password", value, "user", "svc"));
    String line = JSON.writeValueAsString(Map.of("message", "payload " + inner, "level", "INFO"));
    String out = index.redact(line);
    JsonNode node = JSON.readTree(out);
    assertThat(node.get("message").asText()).contains(MARK).doesNotContain(core(value));
    JsonNode payload = JSON.readTree(node.get("message").asText().substring("payload ".length()));
    assertThat(payload.get("password").asText()).isEqualTo(MARK);
  }

  @Test
  void surrogatePairsEscapedOtherNonAsciiRaw_masked() {
    String value = register("ключ-" + Canaries.alnum(16) + "\uD83D\uDD11");
    StringBuilder logstashStyle = new StringBuilder();
    for (char c : value.toCharArray()) {
      logstashStyle.append(Character.isSurrogate(c) ? String.format("\\u%04X", (int) c) : c);
    }
    assertMasked("{\"message\":\"v=" + logstashStyle + "\"}", value);
    assertMasked("v=" + value.chars().mapToObj(c -> String.format("\\u%04x", c))
        .collect(Collectors.joining()), value);
  }

  @Test
  void xmlStreamWriterTextAndAttribute_masked() throws Exception {
    String value = register(awkwardValue().replace("\t", ""));
    StringWriter out = new StringWriter();
    XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
    xml.writeStartElement("config");
    xml.writeAttribute("password", value);
    xml.writeCharacters(value);
    xml.writeEndElement();
    xml.close();
    assertThat(out.toString()).doesNotContain(value);
    String text = out.toString();
    String redacted = index.redact(text);
    assertThat(redacted).doesNotContain(core(value));
    assertThat(redacted.split("\\[REDACTED:", -1)).hasSize(3);
    assertMasked(text, value);
  }

  @Test
  void domTransformerTextAndAttribute_masked() throws Exception {
    String value = register(awkwardValue());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
    Element root = doc.createElement("secret");
    root.setAttribute("value", value);
    root.setTextContent(value);
    doc.appendChild(root);
    StringWriter out = new StringWriter();
    var transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.ENCODING, "US-ASCII");
    transformer.transform(new DOMSource(doc), new StreamResult(out));
    String text = out.toString();
    assertThat(text).contains("&#"); // non-ASCII as numeric references
    String redacted = index.redact(text);
    assertThat(redacted.split("\\[REDACTED:", -1)).hasSize(3);
    assertMasked(text, value);
  }

  @Test
  void htmlEscapersNamedDecimalAndHexReferences_masked() {
    String value = register("Pässw<ö>rd&\"'" + Canaries.alnum(12));
    List<UnaryOperator<String>> escapers = List.of(
        // Apache commons-text escapeHtml4: named entities, Latin-1 included
        v -> v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&quot;").replace("ä", "&auml;").replace("ö", "&ouml;"),
        // Guava HtmlEscapers / Spring HtmlUtils: decimal quotes
        v -> v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&quot;").replace("'", "&#39;"),
        // OWASP encoder: hexadecimal references
        v -> v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\"", "&#x22;").replace("'", "&#x27;"),
        // everything numeric
        v -> v.codePoints().mapToObj(c -> "&#" + c + ";").collect(Collectors.joining()));
    for (UnaryOperator<String> escaper : escapers) {
      String escaped = escaper.apply(value);
      assertMasked("<input value=\"" + escaped + "\">" + escaped + "</input>", value);
    }
  }

  @Test
  void arraysToStringOfBytesCharsAndCodePoints_masked() {
    String value = register("pässwörd-" + Canaries.alnum(12));
    List<String> forms = List.of(
        Arrays.toString(value.getBytes(UTF_8)),
        Arrays.toString(value.toCharArray()),
        value.codePoints().boxed().collect(Collectors.toList()).toString(),
        Arrays.toString(value.chars().toArray()));
    for (String form : forms) {
      assertMasked("bytes=" + form + " done", value);
    }
  }

  @Test
  void byteEscapes_hexAndOctal_masked() {
    String value = register("pässwörd-" + Canaries.alnum(12));
    StringBuilder hex = new StringBuilder();
    StringBuilder octal = new StringBuilder();
    for (byte b : value.getBytes(UTF_8)) {
      if (b < 0) {
        hex.append(String.format("\\x%02x", b & 0xFF));
        octal.append(String.format("\\%03o", b & 0xFF));
      } else {
        hex.append((char) b);
        octal.append((char) b);
      }
    }
    assertMasked("b'" + hex + "'", value);
    assertMasked("path \"" + octal + "\" changed", value);
  }

  @ParameterizedTest(name = "line end {index}")
  @ValueSource(strings = {"\n", "\r\n"})
  void mimeBase64_everyAlignmentAndLineEnd_masked(String lineEnd) {
    String value = register(Canaries.alnum(48) + "é");
    for (int prefix = 0; prefix < 3; prefix++) {
      for (int lead = 0; lead < 76; lead += 7) {
        byte[] payload = (Canaries.alnum(lead + prefix) + value + Canaries.alnum(5)).getBytes(UTF_8);
        String mime = new String(Base64.getMimeEncoder(76, lineEnd.getBytes(UTF_8)).encode(payload),
            UTF_8);
        assertMasked("body:\n" + mime + lineEnd + "end", value);
        String pem = new String(Base64.getMimeEncoder(64, lineEnd.getBytes(UTF_8)).encode(payload),
            UTF_8);
        assertMasked(pem, value);
      }
    }
  }

  @Test
  void mimeBase64InsideJsonString_masked() throws Exception {
    String value = register(Canaries.alnum(60));
    byte[] payload = (Canaries.alnum(70) + value).getBytes(UTF_8);
    String mime = Base64.getMimeEncoder().encodeToString(payload);
    assertMasked("{\"attachment\":" + jsonString(mime) + "}", value);
  }

  @Test
  void privateKeyAfterEscapedNewline_detected() throws Exception {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(Canaries.bytes(300));
    String pem = "-----BEGIN " + "PRIVATE KEY-----\n" + body + "\n-----END " + "PRIVATE KEY-----";
    String line = "{\"message\":" + jsonString("key:\n" + pem) + "}";
    String out = index.redact(line);
    assertThat(out).contains("[REDACTED:private-key]").doesNotContain(body.substring(0, 40));
    assertThat(new String(index.redactUtf8(line.getBytes(UTF_8)), UTF_8))
        .contains("[REDACTED:private-key]").doesNotContain(body.substring(0, 40));
    JSON.readTree(out);
  }

  @Test
  void percentEncodedOnceAndTwice_masked() {
    String value = register("p&ss=wörd/" + Canaries.alnum(12) + "?x");
    String once = java.net.URLEncoder.encode(value, UTF_8);
    String twice = java.net.URLEncoder.encode("https://app/cb?token=" + once, UTF_8);
    assertMasked("GET /login?redirect=" + twice + " 302", value);
    String rfc = java.net.URI.create("https://h/p").resolve("?q=" + once).toString();
    assertMasked(rfc, value);
  }

  @Test
  void codePointEscapesOfOtherLanguages_masked() {
    String value = register("key-" + Canaries.alnum(12) + "\uD83D\uDD11");
    String braces = value.codePoints().mapToObj(c -> "\\u{" + Integer.toHexString(c) + "}")
        .collect(Collectors.joining());
    String eight = value.codePoints().mapToObj(c -> String.format("\\U%08x", c))
        .collect(Collectors.joining());
    assertMasked("js: \"" + braces + "\"", value);
    assertMasked("py: '" + eight + "'", value);
  }

  @Test
  void csvAndSqlDoubledQuotes_masked() {
    String value = register("it's \"" + Canaries.alnum(12) + "\" done");
    assertMasked("name,password\nsvc,\"" + value.replace("\"", "\"\"") + "\"\n", value);
    assertMasked("UPDATE users SET pw = '" + value.replace("'", "''") + "';", value);
  }

  @Test
  void largeTextDecodedInChunks_formsAcrossChunkBoundariesMasked() throws Exception {
    String value = register(awkwardValue());
    String escaped = jsonString(value);
    String mime = Base64.getMimeEncoder().encodeToString(("x".repeat(30) + value).getBytes(UTF_8));
    StringBuilder text = new StringBuilder();
    int placed = 0;
    java.util.Random random = new java.util.Random();
    while (text.length() < 400_000) {
      text.append("filler line ").append(Canaries.alnum(random.nextInt(100))).append(" \\ x\n");
      if (random.nextInt(40) == 0) {
        text.append(placed % 2 == 0 ? "{\"v\":" + escaped + "}\n" : mime + "\n");
        placed++;
      }
    }
    String out = index.redact(text);
    String outBytes = new String(index.redactUtf8(text.toString().getBytes(UTF_8)), UTF_8);
    for (String o : List.of(out, outBytes)) {
      assertThat(o.split(java.util.regex.Pattern.quote(MARK), -1).length - 1)
          .as("one mark per placed form").isGreaterThanOrEqualTo(placed);
      assertThat(o.contains(core(value))).isFalse();
      assertThat(o.contains(escaped)).isFalse();
    }
  }

  @Test
  void cleanTextWithEscapes_unchanged() {
    register(awkwardValue());
    String text = "{\"msg\":\"a \\\"quoted\\\" word &amp; [1, 2, 3] \\u00e9 %41 ''\",\"e\":\"\"}";
    assertThat(index.redact(text)).isSameAs(text);
    assertThat(index.redactUtf8(text.getBytes(UTF_8))).isEqualTo(text.getBytes(UTF_8));
  }

  /** Random values × random chains of forms × random text around them: never survive. */
  @Test
  void randomValuesThroughRandomChainsOfForms_neverSurvive() throws Exception {
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    String alphabet = "abcXYZ019 \"\\/<>&'%+=-_~.:;é€ß\u00a0\t\n";
    List<UnaryOperator<String>> forms = new ArrayList<>(List.of(
        v -> quietJson(v),
        v -> v.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;")
            .replace("'", "&#39;"),
        v -> v.codePoints().mapToObj(c -> c > 0x7E ? "&#x" + Integer.toHexString(c) + ";"
            : String.valueOf((char) c)).collect(Collectors.joining()),
        v -> java.net.URLEncoder.encode(v, UTF_8),
        v -> Arrays.toString(v.getBytes(UTF_8)),
        v -> Base64.getMimeEncoder().encodeToString(("x".repeat(random.nextInt(80)) + v)
            .getBytes(UTF_8))));
    for (int round = 0; round < 400; round++) {
      RedactionIndex idx = RedactionIndex.create();
      StringBuilder v = new StringBuilder(Canaries.alnum(10));
      int extra = random.nextInt(20);
      for (int i = 0; i < extra; i++) {
        v.insert(random.nextInt(v.length() + 1), alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String value = v.toString();
      SecretRef ref = SecretRef.parse("mem://random/r" + round);
      idx.register(ref, value.getBytes(UTF_8));
      String text = value;
      int depth = 1 + random.nextInt(3);
      StringBuilder chain = new StringBuilder();
      for (int d = 0; d < depth; d++) {
        int f = random.nextInt(forms.size());
        if (f >= 4 && d > 0) {
          f = random.nextInt(4); // base64 and byte lists end a chain: their output is ASCII
        }
        chain.append(f);
        text = forms.get(f).apply(text);
        if (f >= 4) {
          break;
        }
      }
      String line = Canaries.alnum(random.nextInt(4)) + " " + text + " " + Canaries.alnum(3);
      String out = idx.redact(line);
      String outBytes = new String(idx.redactUtf8(line.getBytes(UTF_8)), UTF_8);
      for (String o : List.of(out, outBytes)) {
        assertThat(o.contains("[REDACTED:mem://random/r" + round + "]"))
            .as("seed %d round %d chain %s masked", seed, round, chain).isTrue();
        assertThat(o.contains(text))
            .as("seed %d round %d chain %s: encoded text left", seed, round, chain).isFalse();
      }
    }
  }

  private static String quietJson(String v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
