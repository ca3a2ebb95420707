package io.secretsdk.onepassword.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.http.internal.BoundedBody;
import io.secretsdk.http.internal.ProviderHttpClient;
import io.secretsdk.onepassword.AmbiguousReferenceException;
import io.secretsdk.onepassword.OnePasswordConnectOptions;
import io.secretsdk.onepassword.OnePasswordReference;
import io.secretsdk.onepassword.OnePasswordReference.Attribute;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretDescription;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code op://} references from a 1Password Connect server's REST API.
 *
 * <p>Vault and item names are turned into ids with the API's SCIM {@code eq} filter
 * ({@code GET /v1/vaults?filter=name eq "…"}, {@code GET /v1/vaults/{id}/items?filter=title eq "…"}),
 * checked again on the client ignoring case (references are case-insensitive), and, when the
 * filtered answer has no match, once more against the unfiltered list (the filter is
 * case-sensitive on some servers). The lookups are cached for their own TTL; a cached id that
 * has gone (404) is looked up afresh once. The item is then read whole and the field selected by
 * {@link FieldSelector}; file attachments come from the {@code /content} endpoint.
 *
 * <p>HTTP goes through the SDK's kit ({@link ProviderHttpClient}): the bearer token is set after
 * the user's interceptors by the interceptor that refuses any other host, and redirects are never
 * followed; the token is registered as credential {@value #TOKEN_KIND} when the backend is made.
 * Response bodies are read up to a bound ({@link BoundedBody}); error bodies contribute only their
 * {@code message}, scrubbed before it is cut ({@link ProviderStrings#scrub}), and ids, types and
 * the version the server sends are shown through {@link ProviderStrings#shown}. Thread-safe.
 */
public final class ConnectBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectBackend.class);
  private static final int MAX_ERROR_BODY = 16 * 1024;
  /** The credential kind the Connect token is registered under for redaction. */
  public static final String TOKEN_KIND = "onepassword/connect-token";

  private final OnePasswordConnectOptions options;
  private final ProviderHttpClient http;
  private final HttpUrl base;
  private final ObjectMapper mapper;
  private final ProviderStrings strings;
  private final Cache<String, String> vaultIds;
  private final Cache<String, String> itemIds;

  /** Creates a backend with its own OkHttp client, released by {@link #close()}. */
  public ConnectBackend(OnePasswordConnectOptions options) {
    this.options = options;
    this.base = HttpUrl.get(options.host().toString());
    String token = options.token();
    // registered before the client that sends it exists
    this.strings = new ProviderStrings(TOKEN_KIND, token);
    this.http = ProviderHttpClient.builder("1Password", base)
        .derivedFrom(options.httpClient().orElse(null))
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.callTimeout())
        .callTimeout(options.callTimeout())
        // set after the given client's application interceptors: they never see the token
        .header("Authorization", "Bearer " + token)
        .header("User-Agent", "secrets-sdk-onepassword")
        .build();
    this.mapper = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    if (options.nameCacheTtl().isZero()) {
      this.vaultIds = null;
      this.itemIds = null;
    } else {
      this.vaultIds = newCache();
      this.itemIds = newCache();
    }
  }

  private Cache<String, String> newCache() {
    return Caffeine.newBuilder()
        .expireAfterWrite(options.nameCacheTtl())
        .maximumSize(options.nameCacheSize())
        .ticker(options.ticker()::read)
        .build();
  }

  /** The OkHttp client, for tests that check {@link #close()} released it. */
  public OkHttpClient httpClient() {
    return http.okHttp();
  }

  @Override
  public String describe() {
    return "connect(" + base.scheme() + "://" + base.host() + ":" + base.port() + ")";
  }

  @Override
  public FetchResult fetch(OnePasswordReference ref) {
    if (http.isClosed()) {
      throw new IllegalStateException("the 1Password provider is closed");
    }
    if (ref.sshFormat().isPresent()) {
      throw new InvalidSecretRefException(ref.ref(), "1Password reference " + ref
          + " asks for ssh-format=openssh, which only the op CLI (service accounts) converts;"
          + " Connect returns the key as stored");
    }
    ReadItem read = readItem(ref);
    String vaultId = read.vaultId;
    String itemId = read.itemId;
    JsonNode full = read.item;
    if (!full.has("files")) {
      full = withFiles(ref, vaultId, itemId, (ObjectNode) full);
    }
    FieldSelector.Selection sel = FieldSelector.select(full, ref, strings);
    return sel.isFile() ? fileResult(ref, vaultId, itemId, full, sel)
        : fieldResult(ref, vaultId, itemId, full, sel);
  }

  /**
   * Describes the item {@code ref} names from {@code GET /v1/vaults/{v}/items/{i}}: see
   * {@link ItemDescription}. One request once the ids are known; no value is kept.
   */
  @Override
  public SecretDescription describeItem(OnePasswordReference ref) {
    if (http.isClosed()) {
      throw new IllegalStateException("the 1Password provider is closed");
    }
    ReadItem read = readItem(ref);
    return ItemDescription.of(ref, read.vaultId, read.itemId, read.item, strings);
  }

  /** An item read whole, with the ids it was read by. */
  private static final class ReadItem {
    final String vaultId;
    final String itemId;
    final JsonNode item;

    ReadItem(String vaultId, String itemId, JsonNode item) {
      this.vaultId = vaultId;
      this.itemId = itemId;
      this.item = item;
    }
  }

  /** Resolves the vault and item ids (once afresh when cached ones have gone) and reads the item. */
  private ReadItem readItem(OnePasswordReference ref) {
    Resolved vault = vaultId(ref);
    Resolved item;
    JsonNode full;
    try {
      item = itemId(ref, vault.id);
      full = getJson(itemUrl(vault.id, item.id).build(), ref, "the item");
    } catch (SecretNotFoundException e) {
      boolean anyCached = vault.cached || (itemIds != null
          && itemIds.getIfPresent(itemKey(vault.id, ref.item())) != null);
      if (!anyCached) {
        throw e;
      }
      // a cached id may belong to a vault or item deleted and re-created since: look up afresh
      // once (a correctness step, not a retry: transient failures are left to the client)
      LOG.debug("cached 1Password ids for {} are stale; looking them up again", ref);
      if (vaultIds != null) {
        vaultIds.invalidate(vaultKey(ref.vault()));
      }
      if (itemIds != null) {
        itemIds.invalidate(itemKey(vault.id, ref.item()));
      }
      vault = vaultId(ref);
      item = itemId(ref, vault.id);
      full = getJson(itemUrl(vault.id, item.id).build(), ref, "the item");
    }
    if (!full.isObject()) {
      throw malformed(ref, "the item");
    }
    return new ReadItem(vault.id, item.id, full);
  }

  /**
   * Servers that leave {@code files} out of the item are asked for the item's files, but only
   * when the reference did not name a field: a plain field read costs one request.
   */
  private JsonNode withFiles(OnePasswordReference ref, String vaultId, String itemId, ObjectNode full) {
    try {
      FieldSelector.select(full, ref, strings);
      return full;
    } catch (SecretNotFoundException e) {
      JsonNode files = getJson(itemUrl(vaultId, itemId).addPathSegment("files").build(), ref,
          "the item's files");
      if (!files.isArray()) {
        throw malformed(ref, "the item's files");
      }
      return full.set("files", files);
    }
  }

  private FetchResult fieldResult(
      OnePasswordReference ref, String vaultId, String itemId, JsonNode item, FieldSelector.Selection sel) {
    JsonNode field = sel.node();
    Attribute attribute = ref.attribute().orElse(Attribute.VALUE);
    String type = field.path("type").asText("STRING");
    FetchResult.Builder b;
    switch (attribute) {
      case VALUE:
        b = FetchResult.builder(utf8(field.path("value").asText("")));
        break;
      case TYPE:
        b = FetchResult.builder(utf8(type.toLowerCase(Locale.ROOT)));
        break;
      case ID:
        b = FetchResult.builder(utf8(sel.id()));
        break;
      case PURPOSE:
        b = FetchResult.builder(utf8(field.path("purpose").asText("").toLowerCase(Locale.ROOT)));
        break;
      case OTP:
        if (!type.equalsIgnoreCase("OTP") && !type.equalsIgnoreCase("TOTP")) {
          throw new InvalidSecretRefException(ref.ref(), "1Password reference " + ref
              + " asks for a one-time password, but the field is of type "
              + strings.shown(typeName(type)) + ", not otp");
        }
        Instant now = options.clock().instant();
        try (Totp totp = Totp.parse(field.path("value").asText(""))) {
          b = FetchResult.builder(utf8(totp.code(now))).ttl(totp.remainingValidity(now));
        } catch (IllegalArgumentException e) {
          // the message names what is wrong and never quotes the field value
          throw new SecretException(ref.ref(), "cannot compute the one-time password for " + ref
              + ": " + e.getMessage());
        }
        break;
      default:
        throw new InvalidSecretRefException(ref.ref(), "1Password reference " + ref + " asks for"
            + " attribute " + attribute.name().toLowerCase(Locale.ROOT)
            + ", which applies to file attachments; the reference names a field");
    }
    b.metadata("op.field_id", FieldSelector.safeId(field, strings))
        .metadata("op.field_type", strings.shown(typeName(type)));
    return finish(b, vaultId, itemId, item);
  }

  private FetchResult fileResult(
      OnePasswordReference ref, String vaultId, String itemId, JsonNode item, FieldSelector.Selection sel) {
    JsonNode file = sel.node();
    Attribute attribute = ref.attribute().orElse(Attribute.CONTENT);
    FetchResult.Builder b;
    switch (attribute) {
      case CONTENT:
        HttpUrl url = itemUrl(vaultId, itemId).addPathSegment("files").addPathSegment(sel.id())
            .addPathSegment("content").build();
        byte[] content = getBytes(url, ref, "the file content", options.maxFileBytes());
        try {
          b = FetchResult.builder(content);
        } finally {
          Arrays.fill(content, (byte) 0);
        }
        break;
      case SIZE:
        b = FetchResult.builder(utf8(Long.toString(file.path("size").asLong(0))));
        break;
      case ID:
        b = FetchResult.builder(utf8(sel.id()));
        break;
      case NAME:
        b = FetchResult.builder(utf8(file.path("name").asText("")));
        break;
      case TYPE:
        b = FetchResult.builder(utf8("file"));
        break;
      default:
        throw new InvalidSecretRefException(ref.ref(), "1Password reference " + ref + " asks for"
            + " attribute " + attribute.name().toLowerCase(Locale.ROOT)
            + ", which applies to fields; the reference names a file attachment"
            + " (use content, size, id, name or type)");
    }
    b.metadata("op.file_id", strings.shown(sel.id()));
    return finish(b, vaultId, itemId, item);
  }

  /** A field type as shown: lower case, letters and '_' only (an empty one reads "unknown"). */
  private static String typeName(String type) {
    String t = type.toLowerCase(Locale.ROOT).replaceAll("[^a-z_]", "");
    return t.isEmpty() ? "unknown" : t;
  }

  /** Ids and the version the server sent go into the result only through {@link ProviderStrings#shown}. */
  private FetchResult finish(FetchResult.Builder b, String vaultId, String itemId, JsonNode item) {
    b.metadata("op.vault_id", strings.shown(vaultId)).metadata("op.item_id", strings.shown(itemId));
    if (item.path("version").canConvertToLong()) {
      b.version(strings.shown(Long.toString(item.path("version").asLong())));
    }
    String updated = item.path("updatedAt").asText(null);
    if (updated != null) {
      try {
        b.createdAt(Instant.parse(updated));
      } catch (DateTimeParseException ignored) {
        // an unreadable timestamp is metadata we can do without
      }
    }
    return b.build();
  }

  // ---- name → id -------------------------------------------------------------------------

  private static final class Resolved {
    final String id;
    final boolean cached;

    Resolved(String id, boolean cached) {
      this.id = id;
      this.cached = cached;
    }
  }

  private static String vaultKey(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static String itemKey(String vaultId, String title) {
    return vaultId + '\u0000' + title.toLowerCase(Locale.ROOT);
  }

  private Resolved vaultId(OnePasswordReference ref) {
    String name = ref.vault();
    if (OnePasswordReference.isId(name)) {
      return new Resolved(name, false);
    }
    if (vaultIds == null) {
      return new Resolved(lookupVault(ref, name), false);
    }
    String key = vaultKey(name);
    String cached = vaultIds.getIfPresent(key);
    if (cached != null) {
      return new Resolved(cached, true);
    }
    return new Resolved(vaultIds.get(key, k -> lookupVault(ref, name)), false);
  }

  private Resolved itemId(OnePasswordReference ref, String vaultId) {
    String title = ref.item();
    if (OnePasswordReference.isId(title)) {
      return new Resolved(title, false);
    }
    if (itemIds == null) {
      return new Resolved(lookupItem(ref, vaultId, title), false);
    }
    String key = itemKey(vaultId, title);
    String cached = itemIds.getIfPresent(key);
    if (cached != null) {
      return new Resolved(cached, true);
    }
    return new Resolved(itemIds.get(key, k -> lookupItem(ref, vaultId, title)), false);
  }

  private String lookupVault(OnePasswordReference ref, String name) {
    HttpUrl.Builder url = v1().addPathSegment("vaults");
    List<JsonNode> hits = matching(ref, getJson(url.build().newBuilder()
        .addQueryParameter("filter", "name eq " + scimString(name)).build(), ref, "the vault list"),
        "name", name, false, "the vault list");
    if (hits.isEmpty()) {
      hits = matching(ref, getJson(url.build(), ref, "the vault list"), "name", name, false,
          "the vault list");
    }
    return single(ref, "vault", hits, "no vault matching the reference's vault is visible to this"
        + " Connect token");
  }

  private String lookupItem(OnePasswordReference ref, String vaultId, String title) {
    HttpUrl url = v1().addPathSegment("vaults").addPathSegment(vaultId).addPathSegment("items").build();
    List<JsonNode> hits = matching(ref, getJson(url.newBuilder()
        .addQueryParameter("filter", "title eq " + scimString(title)).build(), ref, "the item list"),
        "title", title, true, "the item list");
    if (hits.isEmpty()) {
      hits = matching(ref, getJson(url, ref, "the item list"), "title", title, true, "the item list");
    }
    return single(ref, "item", hits, "no item matching the reference's item is in the vault");
  }

  /** A SCIM string literal: quoted, with backslash and quote escaped. */
  static String scimString(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private List<JsonNode> matching(OnePasswordReference ref, JsonNode list, String key, String name,
      boolean skipInactive, String what) {
    if (!list.isArray()) {
      throw malformed(ref, what);
    }
    List<JsonNode> hits = new ArrayList<>();
    for (JsonNode n : list) {
      if (!name.equalsIgnoreCase(n.path(key).asText(""))) {
        continue;
      }
      if (skipInactive) {
        String state = n.path("state").asText("");
        if (state.equals("ARCHIVED") || state.equals("DELETED") || n.path("trashed").asBoolean(false)) {
          continue;
        }
      }
      if (!FieldSelector.SAFE_ID.matcher(n.path("id").asText("")).matches()) {
        throw malformed(ref, what);
      }
      hits.add(n);
    }
    return hits;
  }

  private String single(OnePasswordReference ref, String kind, List<JsonNode> hits, String none) {
    if (hits.isEmpty()) {
      throw new SecretNotFoundException(ref.ref(), "1Password Connect: " + none + " for " + ref);
    }
    if (hits.size() > 1) {
      List<String> ids = new ArrayList<>();
      for (JsonNode n : hits) {
        ids.add(FieldSelector.safeId(n, strings));
      }
      throw new AmbiguousReferenceException(ref.ref(), kind, ids);
    }
    return hits.get(0).path("id").asText();
  }

  // ---- HTTP ------------------------------------------------------------------------------

  private HttpUrl.Builder v1() {
    return base.newBuilder().addPathSegment("v1");
  }

  private HttpUrl.Builder itemUrl(String vaultId, String itemId) {
    return v1().addPathSegment("vaults").addPathSegment(vaultId).addPathSegment("items")
        .addPathSegment(itemId);
  }

  private JsonNode getJson(HttpUrl url, OnePasswordReference ref, String what) {
    byte[] body = getBytes(url, ref, what, options.maxResponseBytes());
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException e) {
      // no cause: Jackson's message can quote the body, and the body holds values
      throw malformed(ref, what);
    } catch (IOException e) {
      throw malformed(ref, what);
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  private byte[] getBytes(HttpUrl url, OnePasswordReference ref, String what, long max) {
    if (http.isClosed()) {
      throw new IllegalStateException("the 1Password provider is closed");
    }
    Request request = new Request.Builder().url(url).get().build();
    try {
      return http.call(request, response -> {
        int code = response.code();
        if (code >= 200 && code < 300) {
          try {
            return BoundedBody.read(response.body(), max);
          } catch (BoundedBody.TooLargeException e) {
            throw tooLarge(ref, what, max);
          }
        }
        throw mapError(ref, what, response);
      });
    } catch (InterruptedIOException e) {
      throw new ProviderUnavailableException(ref.ref(), "1Password Connect: timed out reading "
          + what + " for " + ref, e);
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref.ref(), "1Password Connect: I/O error reading "
          + what + " for " + ref + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static SecretException tooLarge(OnePasswordReference ref, String what, long max) {
    return new SecretException(ref.ref(), "1Password Connect: " + what + " for " + ref
        + " is larger than the limit of " + max + " bytes");
  }

  private static SecretException malformed(OnePasswordReference ref, String what) {
    return new SecretException(ref.ref(), "1Password Connect: malformed response for " + what
        + " of " + ref);
  }

  private SecretException mapError(OnePasswordReference ref, String what, Response response)
      throws IOException {
    int code = response.code();
    String reason = errorMessage(response);
    String message = "1Password Connect answered HTTP " + code + " reading " + what + " for " + ref
        + (reason.isEmpty() ? "" : ": " + reason);
    SecretRef r = ref.ref();
    if (code >= 300 && code < 400) {
      return new SecretException(r, message + " (a redirect; redirects are not followed, so the"
          + " token never leaves the configured host: point OP_CONNECT_HOST at the final URL)");
    }
    switch (code) {
      case 400:
        return new InvalidSecretRefException(r, message);
      case 401:
      case 403:
        return new SecretAccessDeniedException(r, message);
      case 404:
        return new SecretNotFoundException(r, message);
      case 408:
      case 429:
        return new ProviderUnavailableException(r, message, null, retryAfter(response));
      default:
        if (code >= 500) {
          return new ProviderUnavailableException(r, message, null, retryAfter(response));
        }
        return new SecretException(r, message);
    }
  }

  /** The scrubbed {@code message} of a {@code {"status","message"}} body, or empty. */
  private String errorMessage(Response response) {
    ResponseBody body = response.body();
    if (body == null) {
      return "";
    }
    byte[] bytes = null;
    try {
      bytes = BoundedBody.readPrefix(body, MAX_ERROR_BODY);
      JsonNode node = mapper.readTree(bytes);
      JsonNode msg = node == null ? null : node.get("message");
      if (msg == null || !msg.isTextual()) {
        return "";
      }
      return strings.scrub(msg.asText());
    } catch (IOException | RuntimeException e) {
      return ""; // not JSON (a proxy's HTML page, a truncated body): say nothing rather than quote it
    } finally {
      if (bytes != null) {
        Arrays.fill(bytes, (byte) 0);
      }
    }
  }

  private Duration retryAfter(Response response) {
    String header = response.header("Retry-After");
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.trim();
    try {
      long seconds = Long.parseLong(h);
      return Duration.ofSeconds(Math.max(0, Math.min(seconds, 86_400)));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(options.clock().instant(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (http.isClosed()) {
      return;
    }
    http.close();
    if (vaultIds != null) {
      vaultIds.invalidateAll();
      itemIds.invalidateAll();
    }
  }
}
