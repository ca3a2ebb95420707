package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchResult;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every change to a ref's entry: install, rotation hand-over, failures, generations. */
final class EntryStoreTest {
  private static final SecretRef REF = SecretRef.parse("mem://app/db");
  private final AtomicLong nanos = new AtomicLong();
  private RotationKeeper keeper;
  private EntryStore store;

  @BeforeEach
  void setUp() throws Exception {
    SecretsClient client = SecretsClient.builder().provider(MemSecretProvider.create())
        .environment(RunEnvironment.LOCAL).ticker(nanos::get)
        .redactionIndex(RedactionIndex.create())
        .defaultTtl(Duration.ofMinutes(1)).negativeTtl(Duration.ofSeconds(10)).build();
    Field f = DefaultSecretsClient.class.getDeclaredField("s");
    f.setAccessible(true);
    ClientSettings settings = (ClientSettings) f.get(client);
    client.close();
    EngineClock clock = new EngineClock(nanos::get);
    keeper = new RotationKeeper(Duration.ofHours(24).toNanos(), Duration.ofHours(1).toNanos());
    store = new EntryStore(settings, clock, keeper, new Auditor(settings));
  }

  private static FetchResult result(String version) {
    return FetchResult.builder(("v-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8))
        .version(version).build();
  }

  private EntryStore.Installed install(String version) {
    return store.install(REF, result(version), store.generation(REF), null, false, true);
  }

  @Test
  void aNewVersionHandsTheOldOneToTheKeeperAndTheSameVersionWipesIt() {
    CachedValue first = install("1").entry.current;
    EntryStore.Installed same = install("1");
    assertThat(first.isWiped()).as("replaced by the same version").isTrue();
    assertThat(same.rotated).isFalse();

    EntryStore.Installed rotated = install("2");
    assertThat(rotated.rotated).isTrue();
    assertThat(same.entry.current.isWiped()).isFalse();
    assertThat(keeper.live(REF, nanos.get())).containsExactly(same.entry.current);
  }

  @Test
  void aFetchStartedBeforeAnInvalidationIsServedOnceButNotCached() {
    long started = store.generation(REF);
    store.bump(REF);
    EntryStore.Installed installed = store.install(REF, result("1"), started, null, true, true);
    assertThat(installed.cached).isFalse();
    assertThat(installed.callerCopy).isNotNull();
    assertThat(store.get(REF)).isNull();
  }

  @Test
  void notFoundReplacesAValueAndDropsKeptVersionsOtherFailuresKeepAServableOne() {
    install("1");
    install("2");
    store.rememberFailure(REF, new InvalidSecretRefException(REF, "odd"), store.generation(REF));
    assertThat(store.get(REF).isNegative()).as("a servable value outlives a bad answer").isFalse();

    CachedValue current = store.get(REF).current;
    store.rememberFailure(REF, new SecretNotFoundException(REF, "gone"), store.generation(REF));
    assertThat(store.get(REF).isNegative()).isTrue();
    assertThat(current.isWiped()).isTrue();
    assertThat(keeper.size()).as("gone at the source: no version served").isZero();
  }

  @Test
  void anExpiredValueCountsAsAbsentForFailuresAndBackoff() {
    CachedValue expired = install("1").entry.current;
    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    store.backOffMiss(REF, new ProviderUnavailableException(REF, "down"), store.generation(REF),
        store.get(REF));
    assertThat(store.get(REF).isNegative()).isTrue();
    assertThat(expired.isWiped()).isTrue();
    assertThat(store.backingOff(REF)).isInstanceOf(ProviderUnavailableException.class);

    nanos.addAndGet(Duration.ofSeconds(10).toNanos()); // past the backoff (200 ms at first)
    assertThat(store.backingOff(REF)).isNull();
  }
}
