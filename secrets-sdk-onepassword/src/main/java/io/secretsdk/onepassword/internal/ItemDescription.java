package io.secretsdk.onepassword.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.onepassword.OnePasswordReference;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A 1Password item as {@code secrets describe} shows it, built from a Connect {@code FullItem}
 * without touching any field's {@code value}: the item's {@code version} as the one version
 * 1Password exposes (Connect has no version history), {@code ENABLED} unless the item is archived
 * or deleted, {@code updatedAt} as the time it was written; metadata {@code op.title},
 * {@code op.category}, {@code op.created_at}, {@code op.updated_at}, {@code op.last_edited_by},
 * {@code op.tags} (comma-separated), {@code field.<label>} = the field's type and
 * {@code file.<name>} = its size. Every string the server sent goes through
 * {@link ProviderStrings#shown}.
 *
 * <p>Stateless and thread-safe.
 */
final class ItemDescription {
  static final int MAX_FIELDS = 64;
  static final int MAX_TAGS = 32;

  private ItemDescription() {}

  static SecretDescription of(OnePasswordReference ref, String vaultId, String itemId, JsonNode item,
      ProviderStrings strings) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("op.vault_id", strings.shown(vaultId));
    meta.put("op.item_id", strings.shown(itemId));
    text(meta, "op.title", item.path("title"), strings);
    text(meta, "op.category", item.path("category"), strings);
    text(meta, "op.created_at", item.path("createdAt"), strings);
    text(meta, "op.updated_at", item.path("updatedAt"), strings);
    text(meta, "op.last_edited_by", item.path("lastEditedBy"), strings);
    text(meta, "op.state", item.path("state"), strings);
    List<String> tags = new ArrayList<>();
    for (JsonNode t : item.path("tags")) {
      if (t.isTextual() && tags.size() < MAX_TAGS) {
        tags.add(strings.shown(t.asText()));
      }
    }
    if (!tags.isEmpty()) {
      meta.put("op.tags", String.join(",", tags));
    }
    int n = 0;
    for (JsonNode f : item.path("fields")) {
      if (n++ >= MAX_FIELDS) {
        break;
      }
      String label = f.path("label").asText("");
      String name = label.isEmpty() ? f.path("id").asText("") : label;
      if (!name.isEmpty()) {
        // the type only: a field's value is never read here
        meta.putIfAbsent("field." + strings.shown(name),
            strings.shown(f.path("type").asText("string").toLowerCase(Locale.ROOT)));
      }
    }
    n = 0;
    for (JsonNode f : item.path("files")) {
      if (n++ >= MAX_FIELDS) {
        break;
      }
      String name = f.path("name").asText("");
      if (!name.isEmpty()) {
        meta.putIfAbsent("file." + strings.shown(name), Long.toString(f.path("size").asLong(0)));
      }
    }
    String state = item.path("state").asText("");
    boolean gone = state.equals("ARCHIVED") || state.equals("DELETED") || item.path("trashed").asBoolean(false);
    String version = item.path("version").canConvertToLong()
        ? strings.shown(Long.toString(item.path("version").asLong())) : null;
    List<SecretVersionInfo> versions = version == null ? List.of()
        : List.of(new SecretVersionInfo(version, Set.of(),
            gone ? SecretVersionInfo.State.DISABLED : SecretVersionInfo.State.ENABLED,
            instant(item.path("updatedAt").asText("")), null));
    return new SecretDescription(ref.ref(), version, versions, meta);
  }

  private static void text(Map<String, String> meta, String key, JsonNode v, ProviderStrings strings) {
    if (v.isTextual() && !v.asText().isEmpty()) {
      meta.put(key, strings.shown(v.asText()));
    }
  }

  private static Instant instant(String text) {
    try {
      return text.isEmpty() ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
