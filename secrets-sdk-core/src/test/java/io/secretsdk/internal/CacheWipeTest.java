package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import io.secretsdk.provider.mem.MemSecretProvider;
import io.secretsdk.redact.RedactionIndex;
import org.junit.jupiter.api.Test;

/** The cache's own copies of values are wiped the moment they leave it. */
final class CacheWipeTest {
  private static final SecretRef REF = SecretRef.parse("mem://app/db");

  private DefaultSecretsClient client(MemSecretProvider mem) {
    return (DefaultSecretsClient) SecretsClient.builder().provider(mem)
        .environment(RunEnvironment.LOCAL).auditSink(AuditSink.none())
        .redactionIndex(RedactionIndex.create()).build();
  }

  @Test
  void revoke_wipesCachedBytesAtOnce() {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("app/db", "value-to-wipe-1");
    try (DefaultSecretsClient client = client(mem)) {
      client.resolve(REF).close();
      CachedValue cached = client.cachedValueForTest(REF);
      assertThat(cached.isWiped()).isFalse();

      client.revoke(REF);

      assertThat(cached.isWiped()).isTrue();
      assertThat(cached.copyOrNull()).isNull();
      assertThat(client.cachedValueForTest(REF)).isNull();
    }
  }

  @Test
  void invalidate_wipesCachedBytesAtOnce() {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("app/db", "value-to-wipe-2");
    try (DefaultSecretsClient client = client(mem)) {
      client.resolve(REF).close();
      CachedValue cached = client.cachedValueForTest(REF);
      client.invalidate(REF);
      assertThat(cached.isWiped()).isTrue();
    }
  }

  @Test
  void close_wipesEveryCachedValue() {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("app/db", "value-to-wipe-3");
    DefaultSecretsClient client = client(mem);
    client.resolve(REF).close();
    CachedValue cached = client.cachedValueForTest(REF);
    client.close();
    assertThat(cached.isWiped()).isTrue();
  }

  @Test
  void refresh_sameVersion_wipesReplacedCopy_rotation_keepsOldForGrace() {
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("app/db", "value-v1-aaaaaaaa");
    try (DefaultSecretsClient client = client(mem)) {
      client.resolve(REF).close();
      CachedValue first = client.cachedValueForTest(REF);
      client.refresh(REF).close(); // same version: the old copy is replaced and wiped
      assertThat(first.isWiped()).isTrue();

      CachedValue second = client.cachedValueForTest(REF);
      mem.put("app/db", "value-v2-bbbbbbbb");
      client.refresh(REF).close(); // new version: the old one stays for the grace window
      assertThat(second.isWiped()).isFalse();
      assertThat(client.resolveAll(REF)).hasSize(2);
    }
  }
}
