package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * A provider that breaks the SPI's contract on purpose: it puts its own value, another secret's
 * value and a token in exception messages, causes, suppressed exceptions, versions, lease ids and
 * metadata. Whatever it does, nothing reaches the caller's exception, {@code Secret.toString()},
 * the audit sink or any log line at DEBUG.
 */
@Timeout(30)
final class ContractBreakingProviderTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The value the hostile provider serves (and leaks). */
  private final String own = "own-" + random(28);
  /** A value another provider served first, so only the index knows it. */
  private final String other = "other-" + random(28);

  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private OutputStreamAppender<ILoggingEvent> appender;
  private Level rootLevel;

  private static String random(int n) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  @BeforeEach
  void captureEveryLoggerAtDebug() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%level %logger %msg %mdc%n%ex");
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(ctx);
    appender.setEncoder(encoder);
    appender.setOutputStream(logs);
    appender.start();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    root.addAppender(appender);
  }

  @AfterEach
  void restoreLogging() {
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    root.setLevel(rootLevel);
    appender.stop();
  }

  /** Each way the provider can misbehave on fetch. */
  static Stream<Arguments> misbehaviours() {
    return Stream.<Arguments>of(
        Arguments.of("value in a not-found message", (Function<String[], RuntimeException>) v ->
            new SecretNotFoundException(null, "no such secret, but here it is: " + v[0])),
        Arguments.of("other secret in an access-denied message", (Function<String[], RuntimeException>) v ->
            new SecretAccessDeniedException(null, "denied; the other one is " + v[1])),
        Arguments.of("value in an unavailable message with retry-after",
            (Function<String[], RuntimeException>) v -> new ProviderUnavailableException(null,
                "down " + v[0], null, java.time.Duration.ofMillis(1))),
        Arguments.of("value in the cause", (Function<String[], RuntimeException>) v ->
            new SecretException(null, "wrapped", new IOException("body: " + v[0]))),
        Arguments.of("value deep in the cause chain", (Function<String[], RuntimeException>) v ->
            new SecretException(null, "wrapped", new UncheckedIOException(
                new IOException("x", new IllegalStateException("token " + v[1]))))),
        Arguments.of("value in a suppressed exception", (Function<String[], RuntimeException>) v -> {
          SecretNotFoundException e = new SecretNotFoundException(null, "gone");
          e.addSuppressed(new IOException("while closing: " + v[0]));
          e.addSuppressed(new SecretException(null, "also " + v[1]));
          return e;
        }),
        Arguments.of("value in a plain runtime exception", (Function<String[], RuntimeException>) v ->
            new IllegalArgumentException("bad input " + v[0])),
        Arguments.of("URL-encoded and base64 value in the message",
            (Function<String[], RuntimeException>) v -> new SecretNotFoundException(null,
                URLEncoder.encode(v[0], StandardCharsets.UTF_8) + " "
                    + Base64.getEncoder().encodeToString(v[1].getBytes(StandardCharsets.UTF_8)))),
        Arguments.of("a cause chain with a cycle", (Function<String[], RuntimeException>) v -> {
          IllegalStateException a = new IllegalStateException("a " + v[0]);
          IllegalStateException b = new IllegalStateException("b " + v[1], a);
          a.initCause(b);
          return new SecretException(null, "cyclic", a);
        }),
        Arguments.of("value in a provider subclass", (Function<String[], RuntimeException>) v ->
            new InvalidSecretRefException(null, "bad ref " + v[0]) {
              private static final long serialVersionUID = 1L;
            }));
  }

  private final class Hostile implements SecretProvider {
    final Function<String[], RuntimeException> failure;
    volatile boolean failing;

    Hostile(Function<String[], RuntimeException> failure) {
      this.failure = failure;
    }

    @Override
    public String scheme() {
      return "hostile";
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      if (failing) {
        throw failure.apply(new String[] {own, other});
      }
      return FetchResult.builder(own.getBytes(StandardCharsets.UTF_8))
          .version(own) // a version id holding the value itself
          .metadata("lease_id", "database/creds/" + other)
          .metadata("note", own)
          .metadata(other, "x")
          .build();
    }
  }

  private SecretsClient client(Hostile hostile) {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("first/other", other);
    SecretsClient c = SecretsClient.builder()
        .provider(mem)
        .provider(hostile)
        .environment(RunEnvironment.CI)
        .retry(2, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2),
            java.time.Duration.ofSeconds(2))
        .auditSink(audit::add)
        .build();
    c.resolve(SecretRef.parse("mem://first/other")).close(); // the index now knows `other`
    if (hostile.failure != null) {
      c.resolve(SecretRef.parse("hostile://a/b")).close(); // ... and the hostile one's own value
      hostile.failing = true;
    }
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misbehaviours")
  void failingFetch_nothingTheProviderWroteReachesTheCaller(
      String label, Function<String[], RuntimeException> failure) {
    try (SecretsClient c = client(new Hostile(failure))) {
      SecretRef ref = SecretRef.parse("hostile://a/c");
      List<Throwable> thrown = new ArrayList<>();
      thrown.add(catchThrowable(() -> c.refresh(SecretRef.parse("hostile://a/b"))));
      thrown.add(catchThrowable(() -> c.resolve(ref)));
      thrown.add(catchThrowable(() -> c.resolve(ref))); // from the negative cache, if any
      thrown.add(catchThrowable(() -> c.refresh(ref)));
      thrown.add(catchThrowable(() -> c.resolveAll(ref)));
      Map<SecretRef, SecretException> warm = c.warmUp(List.of(ref));

      for (Throwable t : thrown) {
        assertThat(t).as(label).isInstanceOf(SecretException.class);
        assertClean(t);
      }
      assertThat(warm).containsKey(ref);
      assertClean(warm.get(ref));
      assertThat(warm.toString()).doesNotContain(own, other);
    }
    assertCleanText(logs.toString(StandardCharsets.UTF_8));
    assertCleanText(audit.toString());
  }

  @Test
  void failingFetch_keepsTheCoreTypeAndWhatIsSafe() {
    Throwable t;
    try (SecretsClient c = client(new Hostile(v -> new ProviderUnavailableException(null,
        "down " + v[0], new IOException("io " + v[1]), java.time.Duration.ofMillis(1))))) {
      t = catchThrowable(() -> c.resolve(SecretRef.parse("hostile://a/c")));
    }
    assertThat(t).isInstanceOf(ProviderUnavailableException.class);
    assertThat(t.getMessage()).isEqualTo("down [REDACTED:hostile://a/b]");
    assertThat(((ProviderUnavailableException) t).retryAfter()).isPresent();
    // the non-SDK cause survives as its type name, never its message
    Throwable cause = t.getCause();
    while (cause != null && !String.valueOf(cause.getMessage()).contains("java.io.IOException")) {
      cause = cause.getCause();
    }
    assertThat(cause).as("a stand-in naming java.io.IOException").isNotNull();
    assertThat(cause.getMessage()).contains("message withheld").doesNotContain("io ");
    assertThat(cause.getStackTrace()).isNotEmpty();
  }

  @Test
  void providerStrings_versionLeaseAndMetadata_areShownAsFingerprints() {
    try (SecretsClient c = client(new Hostile(null))) {
      Secret s = c.resolve(SecretRef.parse("hostile://a/b"));
      assertThat(s.reveal()).isEqualTo(own); // the value itself is served as usual
      assertThat(s.version()).get().asString().startsWith("fp:").doesNotContain(own);
      assertThat(s.metadata().get("note")).startsWith("fp:");
      assertThat(s.metadata().get("lease_id")).startsWith("fp:");
      assertThat(s.metadata()).doesNotContainKey(other);
      assertCleanText(s.toString());
      assertCleanText(s.metadata().toString());
      assertCleanText(c.resolveAll(SecretRef.parse("hostile://a/b")).toString());
      s.close();
    }
    assertCleanText(logs.toString(StandardCharsets.UTF_8));
    assertCleanText(audit.toString());
    assertThat(audit).anySatisfy(e -> assertThat(e.version()).get().asString().startsWith("fp:"));
  }

  @Test
  void plainProviderStrings_areShownAsTheyAre() {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("a/b", "value-" + random(20));
    try (SecretsClient c = SecretsClient.builder().provider(mem).environment(RunEnvironment.CI).build();
         Secret s = c.resolve(SecretRef.parse("mem://a/b"))) {
      assertThat(s.version()).contains("1");
      assertThat(s.toString()).contains("version=1");
    }
  }

  @Test
  void factoryText_isScrubbedAtBuild() {
    RedactionIndex.global().registerCredential("test/factory-token", own);
    Throwable t = catchThrowable(() -> SecretsClient.builder()
        .allowFactory(LeakyFactory.class.getName())
        .providerFromFactory("leaky", io.secretsdk.spi.ProviderSettings.of(Map.of("token", own))));
    assertThat(t).isInstanceOf(SecretConfigException.class);
    assertThat(((SecretConfigException) t).field()).contains("leaky.token");
    assertThat(t.getMessage()).contains("[REDACTED:credential://test/factory-token]");
    assertClean(t);
  }

  private void assertClean(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    assertCleanText(trace.toString());
    assertCleanText(String.valueOf(t));
  }

  private void assertCleanText(String text) {
    for (String v : List.of(own, other)) {
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      assertThat(text).doesNotContain(v)
          .doesNotContain(v.substring(4, 24))
          .doesNotContain(Base64.getEncoder().encodeToString(b))
          .doesNotContain(HexFormat.of().formatHex(b));
    }
  }
}
