package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Authenticated Vault calls: takes the session's token, and after a 403 lets the session drop the
 * token and retries once with a fresh one (so an expired token costs one login, shared by all
 * callers that hit it).
 *
 * <p>Thread-safe.
 */
public final class VaultClient {
  private final VaultTransport transport;
  private final SessionManager sessions;

  public VaultClient(VaultTransport transport, SessionManager sessions) {
    this.transport = transport;
    this.sessions = sessions;
  }

  /** Sends one authenticated request; see {@link VaultTransport#send}. */
  public VaultResponse call(String method, List<String> segments, Map<String, String> query, JsonNode body, SecretRef ref) {
    String token = sessions.token();
    VaultResponse r = transport.send(method, segments, query, body, token, ref);
    if (r.status() == 403 && token != null) {
      sessions.rejected(token);
      String fresh = sessions.token();
      if (!fresh.equals(token)) {
        r = transport.send(method, segments, query, body, fresh, ref);
      }
    }
    return r;
  }

  /** The exception for a failed answer, with Vault's text scrubbed. */
  public SecretException error(SecretRef ref, Op op, String target, VaultResponse r) {
    return VaultErrors.map(ref, op, target, r, sessions.sensitive());
  }

  /** The exception for a failed answer, also masking {@code extra} strings (e.g. values written). */
  public SecretException error(SecretRef ref, Op op, String target, VaultResponse r, Collection<String> extra) {
    Set<String> known = new HashSet<>(sessions.sensitive());
    known.addAll(extra);
    return VaultErrors.map(ref, op, target, r, known);
  }
}
