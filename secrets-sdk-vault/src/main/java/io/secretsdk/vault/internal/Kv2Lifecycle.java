package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KV v2 version history and revocation: {@code GET <mount>/metadata/<path>} for describe,
 * {@code POST <mount>/delete/<path>} (soft delete, restorable with undelete) and
 * {@code PUT <mount>/destroy/<path>} (permanent) for revoke.
 *
 * <p>Every string Vault supplies (version keys, times, custom metadata keys and values) goes
 * through {@link ProviderText#shown(String)}; error text through {@link VaultErrors}. A revoke reads
 * the metadata first, so an unknown version is {@link SecretNotFoundException} before anything is
 * changed, and one already deleted or destroyed is reported, not deleted again.
 *
 * <p>Thread-safe (stateless apart from its collaborators).
 */
public final class Kv2Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(Kv2Lifecycle.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Versions shown at most, newest first: Vault keeps 10 by default, {@code max_versions} more. */
  static final int MAX_VERSIONS = 256;
  static final int MAX_CUSTOM_METADATA = 64;
  private static final List<String> SETTINGS = List.of("created_time", "updated_time", "max_versions",
      "oldest_version", "cas_required", "delete_version_after");

  private final VaultClient client;
  private final Clock clock;

  public Kv2Lifecycle(VaultClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Describes the secret at {@code ref} on the KV v2 {@code mount} from its metadata. */
  public SecretDescription describe(SecretRef ref, MountResolver.Mount mount) {
    JsonNode meta = readMetadata(ref, mount);
    Instant now = clock.instant();
    List<SecretVersionInfo> versions = new ArrayList<>();
    for (Map.Entry<Long, JsonNode> e : versions(ref, meta)) {
      versions.add(version(e.getKey(), e.getValue(), now));
      if (versions.size() == MAX_VERSIONS) {
        break;
      }
    }
    Map<String, String> shown = new LinkedHashMap<>();
    shown.put("vault.mount", mount.path);
    shown.put("vault.kv_version", "2");
    for (String key : SETTINGS) {
      JsonNode v = meta.path(key);
      if (!v.isMissingNode() && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
        shown.put(key, ProviderText.shown(v.asText()));
      }
    }
    customMetadata(meta, shown::put);
    long current = meta.path("current_version").asLong(0);
    LOG.debug("Vault KV v2 metadata read for {}: {} versions, current {}", ref.withoutField(), versions.size(), current);
    return new SecretDescription(ref.withoutField(), current > 0 ? String.valueOf(current) : null, versions, shown);
  }

  /**
   * Passes each {@code custom_metadata} entry of a KV v2 metadata object (at most
   * {@value #MAX_CUSTOM_METADATA}) as {@code custom_metadata.<key>} and value, both shown through
   * {@link ProviderText#shown}.
   */
  public static void customMetadata(JsonNode meta, BiConsumer<String, String> sink) {
    JsonNode custom = meta.path("custom_metadata");
    if (!custom.isObject()) {
      return;
    }
    int n = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = custom.properties().iterator(); it.hasNext() && n < MAX_CUSTOM_METADATA; n++) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      sink.accept("custom_metadata." + ProviderText.shown(e.getKey()), ProviderText.shown(v.isTextual() ? v.asText() : v.toString()));
    }
  }

  /**
   * Deletes ({@link RevokeRequest.Mode#DISABLE}) or destroys ({@link RevokeRequest.Mode#DESTROY})
   * one version; {@code version} null for the current one.
   */
  public RevokeResult revoke(SecretRef ref, MountResolver.Mount mount, Long version, RevokeRequest.Mode mode) {
    JsonNode meta = readMetadata(ref, mount);
    List<String> steps = new ArrayList<>();
    long target;
    if (version == null) {
      target = meta.path("current_version").asLong(0);
      if (target < 1) {
        throw new SecretNotFoundException(ref, "no current version of " + ref.withoutField() + " to revoke");
      }
      steps.add("read metadata of " + ref.withoutField() + ": current version is " + target);
    } else {
      target = version;
      steps.add("read metadata of " + ref.withoutField());
    }
    JsonNode state = meta.path("versions").path(String.valueOf(target));
    if (!state.isObject()) {
      throw new SecretNotFoundException(ref, "no version " + target + " of " + ref.withoutField()
          + " (nothing was changed)");
    }
    SecretVersionInfo info = version(target, state, clock.instant());
    String which = "version " + target + " of " + ref.withoutField();
    if (info.state() == SecretVersionInfo.State.DESTROYED) {
      steps.add(which + " was already destroyed; nothing sent");
      return new RevokeResult(String.valueOf(target), steps);
    }
    if (mode == RevokeRequest.Mode.DISABLE && info.state() == SecretVersionInfo.State.DISABLED) {
      steps.add(which + " was already deleted; nothing sent");
      return new RevokeResult(String.valueOf(target), steps);
    }
    ObjectNode body = JSON.createObjectNode();
    body.putArray("versions").add(target);
    boolean destroy = mode == RevokeRequest.Mode.DESTROY;
    String method = destroy ? "PUT" : "POST";
    List<String> segs = path(ref, mount, destroy ? "destroy" : "delete");
    VaultResponse r = client.call(method, segs, Map.of(), body, ref);
    if (!r.successful()) {
      // a 4xx is a refusal; after a 5xx (a proxy's 502 included) the delete may have been applied
      throw client.error(ref, Op.REVOKE, which + (r.status() < 500 ? " (nothing was changed)"
          : " (whether it was applied is unknown: describe the secret to check)"), r);
    }
    steps.add(destroy ? "destroyed " + which + " (permanent; its data cannot be restored)"
        : "deleted " + which + " (KV v2 soft delete; restorable with undelete)");
    LOG.debug("Vault KV v2 {} {}", destroy ? "destroyed" : "deleted", which);
    return new RevokeResult(String.valueOf(target), steps);
  }

  private JsonNode readMetadata(SecretRef ref, MountResolver.Mount mount) {
    VaultResponse r = client.call("GET", path(ref, mount, "metadata"), Map.of(), null, ref);
    if (r.status() == 404) {
      throw new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
    }
    if (!r.successful()) {
      throw client.error(ref, Op.METADATA, ref.withoutField().toString(), r);
    }
    JsonNode data = r.data();
    if (!data.isObject() || !data.path("versions").isObject()) {
      throw new ProviderUnavailableException(ref, "malformed Vault response for " + ref.withoutField()
          + ": metadata has no versions object");
    }
    return data;
  }

  /** The numbered versions of a metadata answer, newest first; keys that are not numbers skipped. */
  private static List<Map.Entry<Long, JsonNode>> versions(SecretRef ref, JsonNode meta) {
    List<Map.Entry<Long, JsonNode>> out = new ArrayList<>();
    int skipped = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("versions").properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      long n = number(e.getKey());
      if (n < 1 || !e.getValue().isObject()) {
        skipped++;
        continue;
      }
      out.add(Map.entry(n, e.getValue()));
    }
    if (skipped > 0) {
      LOG.debug("Vault KV v2 metadata for {} had {} version entries that are not numbered objects; skipped",
          ref.withoutField(), skipped);
    }
    out.sort(Comparator.comparing((Map.Entry<Long, JsonNode> e) -> e.getKey()).reversed());
    return out;
  }

  private static SecretVersionInfo version(long n, JsonNode v, Instant now) {
    Instant deletion = null;
    boolean deleted = false;
    JsonNode d = v.path("deletion_time");
    if (d.isTextual() && !d.asText().isBlank()) {
      deletion = instant(d.asText());
      // set but unreadable counts as deleted, as on read
      deleted = deletion == null || !deletion.isAfter(now);
    }
    boolean destroyed = v.path("destroyed").asBoolean(false);
    SecretVersionInfo.State state = destroyed ? SecretVersionInfo.State.DESTROYED
        : deleted ? SecretVersionInfo.State.DISABLED : SecretVersionInfo.State.ENABLED;
    return new SecretVersionInfo(String.valueOf(n), Set.of(), state, instant(v.path("created_time").asText("")),
        deletion);
  }

  private static long number(String key) {
    try {
      return key.length() > 18 ? -1 : Long.parseLong(key);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Instant instant(String text) {
    try {
      return text.isEmpty() ? null : OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static List<String> path(SecretRef ref, MountResolver.Mount mount, String op) {
    List<String> segs = new ArrayList<>(mount.segments());
    segs.add(op);
    segs.addAll(MountResolver.rest(ref, mount));
    return segs;
  }
}
