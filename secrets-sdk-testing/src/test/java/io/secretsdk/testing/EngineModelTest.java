package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the client with random sequences of resolve, refresh, warm-up, invalidate and revoke,
 * provider answers (value, rotation, not found, denied, invalid, unavailable, a
 * {@code RuntimeException}) and clock moves, and checks each step against a small reference model
 * of one ref's cache state: how many provider calls it makes (at most one per ref per step, none
 * while a value is fresh, a failure is remembered or a backoff runs), what it serves (the model's
 * version, as the provider made it), which failure type it throws, and that every handed-out value
 * is wiped on close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class EngineModelTest {
  private static final Duration TTL = Duration.ofSeconds(60);
  private static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);
  /** Transient backoff: the first interval is 0.5 to 1 s (equal jitter), capped at 1 s. */
  private static final long BACKOFF_MIN = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long BACKOFF_MAX = TimeUnit.SECONDS.toNanos(1);
  private static final List<String> PATHS = List.of("team/a", "team/b");

  /** What the provider does on its next calls for one path. */
  enum Mode { OK, NOT_FOUND, DENIED, INVALID, UNAVAILABLE, RUNTIME }

  /** The reference model of one ref in the client. */
  enum State { ABSENT, VALUE, NEGATIVE, BACKOFF }

  static final class RefModel {
    State state = State.ABSENT;
    int version;          // VALUE: the version served
    long until;           // VALUE: expiry; NEGATIVE: end; BACKOFF: earliest end
    long untilLatest;     // BACKOFF: latest end
    Mode failure;         // NEGATIVE: what is remembered
  }

  /** A provider whose answers the test sets, counting calls per path. */
  static final class ModelProvider implements SecretProvider {
    final String runId = UUID.randomUUID().toString();
    final Map<String, Integer> versions = new ConcurrentHashMap<>();
    final Map<String, Mode> modes = new ConcurrentHashMap<>();
    final Map<String, Integer> calls = new ConcurrentHashMap<>();

    @Override
    public String scheme() {
      return "model";
    }

    String valueOf(String path, int version) {
      return "model-" + runId + "-" + path + "-v" + version;
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      String path = ref.path();
      calls.merge(path, 1, Integer::sum);
      switch (modes.getOrDefault(path, Mode.OK)) {
        case NOT_FOUND:
          throw new SecretNotFoundException(ref, "no such secret");
        case DENIED:
          throw new SecretAccessDeniedException(ref, "denied");
        case INVALID:
          throw new InvalidSecretRefException(ref, "not servable");
        case UNAVAILABLE:
          throw new ProviderUnavailableException(ref, "down");
        case RUNTIME:
          throw new IllegalStateException("provider bug");
        default:
          int v = versions.getOrDefault(path, 1);
          return FetchResult.builder(valueOf(path, v).getBytes(StandardCharsets.UTF_8))
              .version(String.valueOf(v)).build();
      }
    }

    int calls(String path) {
      return calls.getOrDefault(path, 0);
    }
  }

  @Test
  void randomSequencesAgreeWithTheModel() {
    long base = new Random().nextLong();
    for (int run = 0; run < 150; run++) {
      long seed = base + run;
      try {
        runSequence(seed, 120);
      } catch (AssertionError e) {
        throw new AssertionError("sequence with seed " + seed + " disagreed with the model: "
            + e.getMessage(), e);
      }
    }
  }

  private void runSequence(long seed, int steps) {
    Random random = new Random(seed);
    ModelProvider provider = new ModelProvider();
    FakeTicker ticker = new FakeTicker();
    ManualExecutor refreshes = new ManualExecutor();
    Map<String, RefModel> model = new ConcurrentHashMap<>();
    PATHS.forEach(p -> model.put(p, new RefModel()));
    List<Secret> handedOut = new ArrayList<>();
    List<String> trace = new ArrayList<>();
    try (SecretsClient client = SecretsClient.builder()
        .provider(provider)
        .environment(RunEnvironment.LOCAL)
        .ticker(ticker)
        .refreshExecutor(refreshes)
        .auditSink(AuditSink.none())
        .defaultTtl(TTL)
        .refreshAhead(1.0, 0.0)  // no refresh-ahead: a hit never calls the provider
        .keepWarm(0)             // no refresh without a reader
        .negativeTtl(NEGATIVE_TTL)
        .retry(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5))
        .build()) {
      for (int step = 0; step < steps; step++) {
        String path = PATHS.get(random.nextInt(PATHS.size()));
        SecretRef ref = SecretRef.parse("model://" + path);
        RefModel m = model.get(path);
        int op = random.nextInt(100);
        long now = ticker.read();
        if (op < 40) {
          trace.add("resolve " + path);
          resolveStep(client, provider, ref, path, m, now, handedOut);
        } else if (op < 48) {
          trace.add("refresh " + path);
          explicitFetchStep(provider, path, m, now, () -> client.refresh(ref), handedOut);
        } else if (op < 53) {
          trace.add("warmUp " + path);
          explicitFetchStep(provider, path, m, now, () -> {
            Map<SecretRef, SecretException> failed = client.warmUp(List.of(ref));
            if (failed.containsKey(ref)) {
              throw failed.get(ref);
            }
            return client.resolve(ref); // a hit after a successful warm-up
          }, handedOut);
        } else if (op < 58) {
          trace.add("invalidate " + path);
          client.invalidate(ref);
          m.state = State.ABSENT;
        } else if (op < 61) {
          trace.add("revoke " + path);
          client.revoke(ref);
          m.state = State.ABSENT;
        } else if (op < 70) {
          trace.add("rotate " + path);
          provider.versions.put(path, provider.versions.getOrDefault(path, 1) + 1);
        } else if (op < 82) {
          Mode mode = Mode.values()[random.nextInt(Mode.values().length)];
          trace.add("mode " + path + " " + mode);
          provider.modes.put(path, mode);
        } else {
          long[] moves = {100, 400, 700, 1_000, 5_000, 11_000, 30_000, 61_000};
          long ms = moves[random.nextInt(moves.length)];
          trace.add("advance " + ms + " ms");
          ticker.advance(Duration.ofMillis(ms));
        }
        assertThat(refreshes.pending()).as("no background refresh in this configuration")
            .isZero();
      }
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n  steps: " + trace, e);
    }
    for (Secret s : handedOut) {
      s.close();
      assertThat(s.isClosed()).isTrue();
    }
  }

  private void resolveStep(SecretsClient client, ModelProvider provider, SecretRef ref,
      String path, RefModel m, long now, List<Secret> handedOut) {
    int before = provider.calls(path);
    boolean expectCall;
    switch (m.state) {
      case VALUE:
        expectCall = now >= m.until;
        break;
      case NEGATIVE:
        expectCall = now >= m.until;
        break;
      case BACKOFF:
        if (now < m.until) {
          expectCall = false;
        } else if (now >= m.untilLatest) {
          expectCall = true;
        } else {
          expectCall = resolveAndSee(client, provider, ref, path, m, now, handedOut, before);
          return;
        }
        break;
      default:
        expectCall = true;
    }
    if (!expectCall) {
      Object outcome = attempt(() -> client.resolve(ref));
      assertThat(provider.calls(path)).as("no provider call for %s in state %s", path, m.state)
          .isEqualTo(before);
      checkServedFromModel(provider, path, m, outcome, handedOut);
      return;
    }
    Object outcome = attempt(() -> client.resolve(ref));
    assertThat(provider.calls(path) - before).as("one provider call for %s (%s)", path, m.state)
        .isEqualTo(1);
    applyMiss(provider, path, m, now, outcome, handedOut);
  }

  /** In the backoff's random tail: whichever the client did must be consistent. */
  private boolean resolveAndSee(SecretsClient client, ModelProvider provider, SecretRef ref,
      String path, RefModel m, long now, List<Secret> handedOut, int before) {
    Object outcome = attempt(() -> client.resolve(ref));
    int made = provider.calls(path) - before;
    assertThat(made).as("at most one provider call for %s", path).isBetween(0, 1);
    if (made == 0) {
      checkServedFromModel(provider, path, m, outcome, handedOut);
    } else {
      applyMiss(provider, path, m, now, outcome, handedOut);
    }
    return made == 1;
  }

  private void checkServedFromModel(ModelProvider provider, String path, RefModel m,
      Object outcome, List<Secret> handedOut) {
    switch (m.state) {
      case VALUE:
        assertServed(provider, path, m.version, outcome, handedOut);
        break;
      case NEGATIVE:
        assertFailure(m.failure, outcome);
        break;
      case BACKOFF:
        assertThat(outcome).isInstanceOf(ProviderUnavailableException.class);
        break;
      default:
        fail("absent ref served without a provider call");
    }
  }

  /** The model after a provider call made by a miss. */
  private void applyMiss(ModelProvider provider, String path, RefModel m, long now,
      Object outcome, List<Secret> handedOut) {
    Mode mode = provider.modes.getOrDefault(path, Mode.OK);
    switch (mode) {
      case OK:
        int v = provider.versions.getOrDefault(path, 1);
        assertServed(provider, path, v, outcome, handedOut);
        m.state = State.VALUE;
        m.version = v;
        m.until = now + TTL.toNanos();
        break;
      case UNAVAILABLE:
      case RUNTIME:
        assertFailure(mode, outcome);
        backOff(m, now);
        break;
      default:
        assertFailure(mode, outcome);
        m.state = State.NEGATIVE;
        m.failure = mode;
        m.until = now + NEGATIVE_TTL.toNanos();
    }
  }

  /** {@code refresh} and {@code warmUp}: one call unless backing off; servable values survive. */
  private void explicitFetchStep(ModelProvider provider, String path, RefModel m, long now,
      java.util.function.Supplier<Secret> fetch, List<Secret> handedOut) {
    int before = provider.calls(path);
    Object outcome = attempt(fetch);
    int made = provider.calls(path) - before;
    if (m.state == State.BACKOFF && now < m.until) {
      assertThat(made).as("explicit fetch of %s during its backoff", path).isZero();
      assertThat(outcome).isInstanceOf(ProviderUnavailableException.class);
      return;
    }
    if (m.state == State.BACKOFF && now < m.untilLatest && made == 0) {
      assertThat(outcome).isInstanceOf(ProviderUnavailableException.class);
      return;
    }
    assertThat(made).as("explicit fetch of %s in state %s", path, m.state).isEqualTo(1);
    Mode mode = provider.modes.getOrDefault(path, Mode.OK);
    boolean servable = m.state == State.VALUE && now < m.until;
    switch (mode) {
      case OK:
        int v = provider.versions.getOrDefault(path, 1);
        assertServed(provider, path, v, outcome, handedOut);
        m.state = State.VALUE;
        m.version = v;
        m.until = now + TTL.toNanos();
        break;
      case NOT_FOUND:
      case DENIED:
        assertFailure(mode, outcome); // gone or forbidden: the value goes too
        m.state = State.NEGATIVE;
        m.failure = mode;
        m.until = now + NEGATIVE_TTL.toNanos();
        break;
      case INVALID:
        assertFailure(mode, outcome);
        if (!servable) {
          m.state = State.NEGATIVE;
          m.failure = mode;
          m.until = now + NEGATIVE_TTL.toNanos();
        }
        break;
      default:
        assertFailure(mode, outcome);
        if (!servable) {
          backOff(m, now);
        }
    }
  }

  private static void backOff(RefModel m, long now) {
    m.state = State.BACKOFF;
    m.until = now + BACKOFF_MIN;
    m.untilLatest = now + BACKOFF_MAX;
  }

  private static void assertServed(ModelProvider provider, String path, int version,
      Object outcome, List<Secret> handedOut) {
    assertThat(outcome).as("a value of %s", path).isInstanceOf(Secret.class);
    Secret s = (Secret) outcome;
    handedOut.add(s);
    assertThat(s.version()).contains(String.valueOf(version));
    assertThat(s.reveal()).isEqualTo(provider.valueOf(path, version));
  }

  private static void assertFailure(Mode mode, Object outcome) {
    Class<?> expected;
    switch (mode) {
      case NOT_FOUND:
        expected = SecretNotFoundException.class;
        break;
      case DENIED:
        expected = SecretAccessDeniedException.class;
        break;
      case INVALID:
        expected = InvalidSecretRefException.class;
        break;
      default:
        expected = ProviderUnavailableException.class;
    }
    assertThat(outcome).as("failure for mode %s", mode).isInstanceOf(expected);
    assertThat(((Throwable) outcome).getMessage()).doesNotContain("provider bug");
  }

  private static Object attempt(java.util.function.Supplier<Secret> call) {
    try {
      return call.get();
    } catch (SecretException e) {
      return e;
    }
  }
}
