package io.secretsdk.testing;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit 5 extension that gives each test a {@link SecretsClient} over a
 * {@link FakeSecretProvider} holding canary values, watches everything the test emits — Logback
 * events (message, arguments, MDC, stack traces), {@code System.out}, {@code System.err} and the
 * exception the test throws — and fails the test when a canary value or one of its encoded forms
 * (base64, URL, JSON, XML, hex) shows up. The failure names the ref and where it leaked, never
 * the value.
 *
 * <pre>{@code
 * @RegisterExtension
 * final SecretsExtension secrets = SecretsExtension.builder()
 *     .canary("openai/api")            // a random canary value at fake://openai/api
 *     .build();
 *
 * @Test
 * void runnerCallsVendor() {
 *   new MyRunner(secrets.client()).run(secrets.ref("openai/api"));
 * }
 * }</pre>
 *
 * <p>Register it on an instance field: each test gets a fresh provider, client and capture.
 * Logback capture is active when Logback is the SLF4J backend. Not for concurrent use by tests
 * running in parallel in one JVM (standard streams are process-wide).
 */
public final class SecretsExtension
    implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {
  private final String scheme;
  private final Map<String, String> canaries;
  private final RunEnvironment environment;
  private final Consumer<SecretsClient.Builder> customizer;

  private FakeSecretProvider provider;
  private SecretsClient client;
  private RedactionIndex canaryIndex;
  private PrintStream savedOut;
  private PrintStream savedErr;
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;
  private AutoCloseable logCapture;
  private final List<String> logLines = new ArrayList<>();
  private Throwable thrown;

  private SecretsExtension(Builder b) {
    this.scheme = b.scheme;
    this.canaries = Map.copyOf(b.canaries);
    this.environment = b.environment;
    this.customizer = b.customizer;
  }

  /** Starts configuring the extension. */
  public static Builder builder() {
    return new Builder();
  }

  /** This test's client; closed after the test. */
  public SecretsClient client() {
    requireRunning();
    return client;
  }

  /** This test's fake provider, to script versions, failures and latency. */
  public FakeSecretProvider provider() {
    requireRunning();
    return provider;
  }

  /** The ref of a canary path, e.g. {@code ref("openai/api")} → {@code fake://openai/api}. */
  public SecretRef ref(String path) {
    return SecretRef.parse(scheme + "://" + path);
  }

  /** An index holding this test's canary values, for {@link LeakAssertions} on other outputs. */
  public RedactionIndex canaries() {
    requireRunning();
    return canaryIndex;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    provider = FakeSecretProvider.create(scheme);
    canaryIndex = RedactionIndex.create();
    for (Map.Entry<String, String> c : canaries.entrySet()) {
      String value = c.getValue();
      provider.set(c.getKey(), value);
      canaryIndex.register(ref(c.getKey()), value.getBytes(StandardCharsets.UTF_8));
    }
    SecretsClient.Builder b = SecretsClient.builder().provider(provider).environment(environment);
    customizer.accept(b);
    client = b.build();
    thrown = null;
    logLines.clear();
    savedOut = System.out;
    savedErr = System.err;
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new TeeStream(savedOut, out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new TeeStream(savedErr, err), true, StandardCharsets.UTF_8));
    logCapture = LogCapture.startIfLogback(logLines);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    thrown = throwable;
    throw throwable;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      System.out.flush();
      System.err.flush();
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
      if (logCapture != null) {
        logCapture.close();
      }
      client.close();
    }
    LeakAssertions.assertNoLeak(canaryIndex, "System.out", out.toString(StandardCharsets.UTF_8));
    LeakAssertions.assertNoLeak(canaryIndex, "System.err", err.toString(StandardCharsets.UTF_8));
    synchronized (logLines) {
      for (String line : logLines) {
        LeakAssertions.assertNoLeak(canaryIndex, "a log event", line);
      }
    }
    if (thrown != null && !(thrown instanceof AssertionError && isOurs(thrown))) {
      LeakAssertions.assertNoLeak(canaryIndex, thrown);
    }
  }

  private static boolean isOurs(Throwable t) {
    return t.getMessage() != null && t.getMessage().startsWith("secret value leaked into");
  }

  private void requireRunning() {
    if (client == null) {
      throw new IllegalStateException("SecretsExtension is used outside a test: register it with"
          + " @RegisterExtension on an instance field");
    }
  }

  private static String randomCanary() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return "canary-" + HexFormat.of().formatHex(b);
  }

  @Override
  public String toString() {
    return "SecretsExtension[scheme=" + scheme + ", canaries=" + canaries.keySet() + "]";
  }

  /** Configures a {@link SecretsExtension}. Not thread-safe. */
  public static final class Builder {
    private String scheme = "fake";
    private final Map<String, String> canaries = new LinkedHashMap<>();
    private RunEnvironment environment = RunEnvironment.LOCAL;
    private Consumer<SecretsClient.Builder> customizer = b -> { };

    private Builder() {}

    /** The fake provider's scheme; default {@code fake}. */
    public Builder scheme(String scheme) {
      this.scheme = Objects.requireNonNull(scheme, "scheme");
      SecretRef.parse(scheme + "://x"); // validates the scheme
      return this;
    }

    /** A canary with a fresh random value (at least 32 characters) at {@code path}. */
    public Builder canary(String path) {
      canaries.put(Objects.requireNonNull(path, "path"), randomCanary());
      return this;
    }

    /**
     * A canary with a given value; it must be at least as long as the redaction minimum (8).
     *
     * @throws IllegalArgumentException if the value is shorter than 8 characters
     */
    public Builder canary(String path, String value) {
      Objects.requireNonNull(value, "value");
      if (value.length() < 8) {
        throw new IllegalArgumentException("canary values must be at least 8 characters");
      }
      canaries.put(Objects.requireNonNull(path, "path"), value);
      return this;
    }

    /** The client's run environment; default {@link RunEnvironment#LOCAL}. */
    public Builder environment(RunEnvironment environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** Further client settings (ticker, policy, …), applied to each test's builder. */
    public Builder client(Consumer<SecretsClient.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** Builds the extension. */
    public SecretsExtension build() {
      return new SecretsExtension(this);
    }
  }

  /** Writes to the original stream and a capture buffer. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream original;
    private final ByteArrayOutputStream capture;

    TeeStream(java.io.OutputStream original, ByteArrayOutputStream capture) {
      this.original = original;
      this.capture = capture;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      original.write(b);
      capture.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
      original.write(b, off, len);
      capture.write(b, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      original.flush();
    }
  }
}
