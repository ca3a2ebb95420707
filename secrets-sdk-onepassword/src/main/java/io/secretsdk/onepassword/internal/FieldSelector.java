package io.secretsdk.onepassword.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.onepassword.AmbiguousReferenceException;
import io.secretsdk.onepassword.OnePasswordReference;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Picks the field or file attachment an {@code op://} reference names out of a Connect FullItem.
 *
 * <p>Rules, as 1Password's tools apply them: a section segment matches a section's id, else its
 * label (ignoring case); the field segment matches a field's or file's id, else a field's label
 * or a file's name (ignoring case), within the section when one is given and across the whole
 * item otherwise. Ids win over labels because ids are unique; two matches of one kind are an
 * {@link AmbiguousReferenceException}, never a guess.
 *
 * <p>Stateless and thread-safe.
 */
public final class FieldSelector {
  /** Ids the server sends must look like ids before they go into a URL path or a message. */
  static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private FieldSelector() {}

  /** What the reference selected. */
  public static final class Selection {
    private final JsonNode node;
    private final boolean file;

    Selection(JsonNode node, boolean file) {
      this.node = node;
      this.file = file;
    }

    /** The field or file object. */
    public JsonNode node() {
      return node;
    }

    /** Whether it is a file attachment rather than a field. */
    public boolean isFile() {
      return file;
    }

    /** Its id (validated as id-shaped by the selector). */
    public String id() {
      return node.path("id").asText("");
    }

    @Override
    public String toString() {
      return (file ? "file " : "field ") + id();
    }
  }

  /**
   * Selects the field or file {@code ref} names in {@code item}; ids in messages are shown
   * through {@code strings}.
   *
   * @throws SecretNotFoundException if nothing matches
   * @throws AmbiguousReferenceException if more than one section or field matches
   */
  public static Selection select(JsonNode item, OnePasswordReference ref, ProviderStrings strings) {
    String sectionId = null;
    if (ref.section().isPresent()) {
      String wanted = ref.section().get();
      List<JsonNode> byId = new ArrayList<>();
      List<JsonNode> byLabel = new ArrayList<>();
      for (JsonNode s : item.path("sections")) {
        if (wanted.equals(s.path("id").asText(null))) {
          byId.add(s);
        } else if (wanted.equalsIgnoreCase(s.path("label").asText(""))) {
          byLabel.add(s);
        }
      }
      List<JsonNode> hits = byId.isEmpty() ? byLabel : byId;
      if (hits.isEmpty()) {
        throw new SecretNotFoundException(ref.ref(),
            "1Password item has no section matching the reference's section for " + ref);
      }
      if (hits.size() > 1) {
        throw new AmbiguousReferenceException(ref.ref(), "section", ids(hits, strings));
      }
      sectionId = hits.get(0).path("id").asText("");
    }
    String wanted = ref.field();
    List<Selection> byId = new ArrayList<>();
    List<Selection> byName = new ArrayList<>();
    collect(item.path("fields"), "label", false, sectionId, wanted, byId, byName);
    collect(item.path("files"), "name", true, sectionId, wanted, byId, byName);
    List<Selection> hits = byId.isEmpty() ? byName : byId;
    if (hits.isEmpty()) {
      throw new SecretNotFoundException(ref.ref(), "1Password item has no field or file matching "
          + (sectionId == null ? "the reference's field" : "the reference's field in that section")
          + " for " + ref);
    }
    if (hits.size() > 1) {
      List<String> ids = new ArrayList<>();
      for (Selection s : hits) {
        ids.add(safeId(s.node(), strings));
      }
      throw new AmbiguousReferenceException(ref.ref(), "field", ids);
    }
    Selection s = hits.get(0);
    if (s.isFile() && !SAFE_ID.matcher(s.id()).matches()) {
      throw new SecretNotFoundException(ref.ref(),
          "1Password Connect returned a file without a usable id for " + ref);
    }
    return s;
  }

  private static void collect(JsonNode array, String nameKey, boolean file, String sectionId,
      String wanted, List<Selection> byId, List<Selection> byName) {
    for (JsonNode n : array) {
      if (sectionId != null && !sectionId.equals(n.path("section").path("id").asText(null))) {
        continue;
      }
      if (wanted.equals(n.path("id").asText(null))) {
        byId.add(new Selection(n, file));
      } else if (wanted.equalsIgnoreCase(n.path(nameKey).asText(""))) {
        byName.add(new Selection(n, file));
      }
    }
  }

  private static List<String> ids(List<JsonNode> nodes, ProviderStrings strings) {
    List<String> ids = new ArrayList<>();
    for (JsonNode n : nodes) {
      ids.add(safeId(n, strings));
    }
    return ids;
  }

  /**
   * The node's id when it is id-shaped and passes {@link ProviderStrings#shown}, its fingerprint
   * when it is id-shaped but fails, else a placeholder: server text never reaches messages raw.
   */
  static String safeId(JsonNode n, ProviderStrings strings) {
    String id = n.path("id").asText("");
    return SAFE_ID.matcher(id).matches() ? strings.shown(id) : "<invalid id>";
  }
}
