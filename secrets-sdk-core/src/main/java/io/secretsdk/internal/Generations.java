package io.secretsdk.internal;

import io.secretsdk.SecretRef;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-ref generations, striped: invalidating, revoking or closing bumps the generation of the
 * refs concerned, and a fetch that started under an older generation is not cached. One ref's
 * invalidation therefore throws away only fetches of refs in its stripe (1 in {@value #STRIPES}
 * for an unrelated ref), never all of them, in a fixed 8 KiB per client.
 */
final class Generations {
  static final int STRIPES = 1024;

  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);

  long of(SecretRef ref) {
    return stripes.get(stripe(ref));
  }

  void bump(SecretRef ref) {
    stripes.incrementAndGet(stripe(ref));
  }

  void bumpAll() {
    for (int i = 0; i < STRIPES; i++) {
      stripes.incrementAndGet(i);
    }
  }

  private static int stripe(SecretRef ref) {
    int h = ref.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
