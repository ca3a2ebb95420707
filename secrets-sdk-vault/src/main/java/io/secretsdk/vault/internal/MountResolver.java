package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.vault.MountKind;
import io.secretsdk.vault.VaultOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the mount of a ref path and how to read it: configured mounts first (longest prefix), then
 * mounts detected earlier, then {@code GET sys/internal/ui/mounts/<path>} (what the {@code vault kv}
 * command does: {@code data.path} is the mount, {@code data.type} and {@code data.options.version}
 * its kind; a 404 means an old server and KV v1). When detection is off or not permitted, the first
 * path segment is the mount and {@link VaultOptions#defaultMountKind()} its kind.
 *
 * <p>Refs may address secrets engines only. A ref whose first segment is one of Vault's own
 * top-level paths ({@link #RESERVED}: {@code auth}, {@code sys}, {@code identity}, {@code cubbyhole},
 * {@code token}, {@code audit}) is refused before any request, and a ref whose mount is detected as
 * one of Vault's own engines (type {@code system}, {@code token}, {@code identity},
 * {@code cubbyhole}, also as {@code ns_*} under a namespace prefix) is refused before it is read —
 * unless {@link VaultOptions#allowedMounts()} admits its path. Without this,
 * {@code vault://auth/token/lookup-self#id} would resolve to the provider's own token.
 *
 * <p>Vault does not allow nested mounts, so a detected mount is cached for every path under it.
 *
 * <p>Thread-safe.
 */
public final class MountResolver {
  private static final Logger LOG = LoggerFactory.getLogger(MountResolver.class);
  private static final int MAX_DETECTED = 1024;
  /** Vault's own top-level paths: not secrets engines. */
  static final Set<String> RESERVED = Set.of("auth", "sys", "identity", "cubbyhole", "token", "audit");
  private static final Set<String> RESERVED_TYPES = Set.of("system", "token", "identity", "cubbyhole",
      "ns_system", "ns_token", "ns_identity", "ns_cubbyhole");

  /** A mount path (no slashes at either end) and its kind. */
  public static final class Mount {
    public final String path;
    public final MountKind kind;

    Mount(String path, MountKind kind) {
      this.path = path;
      this.kind = kind;
    }

    /** The mount path's segments. */
    public List<String> segments() {
      return List.of(path.split("/"));
    }

    @Override
    public String toString() {
      return path + "(" + kind + ")";
    }
  }

  private final Map<String, MountKind> configured;
  private final Map<String, MountKind> detected = new ConcurrentHashMap<>();
  private final boolean detect;
  private final MountKind fallback;
  private final Set<String> allowed;

  public MountResolver(VaultOptions options) {
    this.configured = options.mounts();
    this.detect = options.detectMounts();
    this.fallback = options.defaultMountKind();
    this.allowed = options.allowedMounts();
  }

  /**
   * The mount of {@code ref}.
   *
   * @throws InvalidSecretRefException if the ref addresses one of Vault's own paths rather than a
   *     secrets engine (see the class comment)
   * @throws io.secretsdk.SecretException when detection fails with a transient error
   */
  public Mount resolve(SecretRef ref, VaultClient client) {
    String path = ref.path();
    String first = ref.segments().get(0);
    if (RESERVED.contains(first.toLowerCase(Locale.ROOT)) && !allowed(path)) {
      throw refused(ref, "'" + first + "/' is one of Vault's own paths, not a secrets engine");
    }
    Mount m = longestPrefix(configured, path);
    if (m == null) {
      m = longestPrefix(detected, path);
    }
    if (m != null) {
      return m;
    }
    if (!detect) {
      return new Mount(first, fallback);
    }
    List<String> segs = new ArrayList<>(List.of("sys", "internal", "ui", "mounts"));
    segs.addAll(ref.segments());
    VaultResponse r = client.call("GET", segs, Map.of(), null, ref);
    if (r.successful()) {
      // the OpenBao docs show this answer without the usual data envelope: accept both
      JsonNode d = r.data().isObject() ? r.data() : r.json();
      String mountPath = d.path("path").asText("").replaceAll("^/+|/+$", "");
      if (mountPath.isEmpty() || !(path.equals(mountPath) || path.startsWith(mountPath + "/"))) {
        mountPath = first;
      }
      String type = d.path("type").asText("");
      if (RESERVED_TYPES.contains(type.toLowerCase(Locale.ROOT)) && !allowed(path)) {
        throw refused(ref, "its mount is Vault's own " + ProviderText.shown(type) + " engine, not a secrets engine");
      }
      String version = d.path("options").path("version").asText("");
      MountKind kind;
      if (type.equals("kv") || type.equals("generic") || type.isEmpty()) {
        kind = version.equals("2") ? MountKind.KV_V2 : MountKind.KV_V1;
      } else {
        kind = MountKind.GENERIC;
      }
      if (detected.size() < MAX_DETECTED) {
        detected.put(mountPath, kind);
      }
      LOG.debug("Vault mount {} detected as {}", mountPath, kind);
      return new Mount(mountPath, kind);
    }
    if (r.status() == 404) {
      return new Mount(first, MountKind.KV_V1);
    }
    if (r.status() == 429 || r.status() >= 500) {
      throw client.error(ref, Op.MOUNTS, "the mount of " + ref.withoutField(), r);
    }
    LOG.debug("Vault mount lookup for {} answered HTTP {}; assuming {} at '{}'", ref.withoutField(), r.status(), fallback, first);
    return new Mount(first, fallback);
  }

  /** The path of {@code ref} under {@code mount}, as segments; never empty. */
  public static List<String> rest(SecretRef ref, Mount mount) {
    int n = mount.segments().size();
    List<String> segs = ref.segments();
    if (segs.size() <= n) {
      throw new InvalidSecretRefException(ref, "the ref names the mount '" + mount.path + "' but no secret under it");
    }
    return segs.subList(n, segs.size());
  }

  private boolean allowed(String path) {
    for (String a : allowed) {
      if (path.equals(a) || path.startsWith(a + "/")) {
        return true;
      }
    }
    return false;
  }

  private static InvalidSecretRefException refused(SecretRef ref, String why) {
    return new InvalidSecretRefException(ref, "vault ref " + ref.withoutField() + " refused: " + why
        + "; refs may address secrets engines only (VaultOptions.Builder.allowMount to allow a path)");
  }

  private static Mount longestPrefix(Map<String, MountKind> mounts, String path) {
    String best = null;
    for (String m : mounts.keySet()) {
      if ((path.equals(m) || path.startsWith(m + "/")) && (best == null || m.length() > best.length())) {
        best = m;
      }
    }
    return best == null ? null : new Mount(best, mounts.get(best));
  }
}
