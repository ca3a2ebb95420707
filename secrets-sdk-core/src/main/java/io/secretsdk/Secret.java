package io.secretsdk;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.secretsdk.internal.ProviderText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A resolved secret value, held as bytes, with the non-secret facts about it.
 *
 * <p>Reading the value is always an explicit, greppable call: {@link #reveal()},
 * {@link #revealBytes()}, {@link #useBytes(Function)} or {@link #useChars(Function)}. Nothing else
 * exposes it: {@link #toString()} prints the ref, the version and {@code ****}; there are no bean
 * getters; Java serialization is refused (the class is not {@code Serializable}); Jackson writes
 * only the ref, whatever its configuration ({@link JsonSerializable} is honoured even with
 * annotations off). Reflection finds no path to the value: the bytes are held inside a JDK
 * holder ({@link Optional}), whose fields the JDK does not open to reflection, in a
 * {@code transient} field — a reflective serializer such as Gson writes only the ref, and one configured to include
 * transient fields fails on the JDK type instead of writing bytes. {@link #equals(Object)}
 * compares values in constant time and {@link #hashCode()} is derived from the ref only.
 *
 * <p>Each caller of {@code SecretsClient.resolve} gets its own instance and copy of the bytes;
 * {@link #close()} wipes that copy. Prefer {@link #useBytes(Function)} or {@link #useChars(Function)}
 * over {@link #reveal()}: a {@code String} cannot be wiped and lives until garbage collection.
 *
 * <p>Thread-safe for reads; {@link #close()} may race with a read on another thread, in which case
 * the read either completes with the value or fails with {@link IllegalStateException}.
 */
public final class Secret implements AutoCloseable, JsonSerializable {
  private static final String MASK = "****";

  // Only the ref is visible to reflective serializers; the rest is transient.
  private final SecretRef ref;
  private final transient String version;
  private final transient Instant createdAt;
  private final transient Map<String, String> metadata;
  /**
   * The bytes, inside a JDK holder: java.base does not open java.util, so field reflection that
   * reaches this (transient) field cannot go further. The smallest such holder, so a hit costs
   * one 16-byte object more than a bare array.
   */
  private final transient Optional<byte[]> value;
  private transient volatile boolean closed;

  private Secret(
      SecretRef ref, byte[] value, String version, Instant createdAt, Map<String, String> metadata) {
    this(ref, Objects.requireNonNull(value, "value").clone(), checked(version, value), createdAt,
        checked(Objects.requireNonNull(metadata, "metadata"), value), true);
  }

  /** A caller-supplied version as it may be shown: fingerprinted if it holds anything secret. */
  private static String checked(String version, byte[] value) {
    if (version == null) {
      return null;
    }
    String shown = ProviderText.shown(version);
    return shown.equals(version) && holds(version, value) ? ProviderText.fingerprint(version) : shown;
  }

  private static Map<String, String> checked(Map<String, String> metadata, byte[] value) {
    if (metadata.isEmpty()) {
      return metadata;
    }
    java.util.HashMap<String, String> out = new java.util.HashMap<>();
    metadata.forEach((k, v) -> out.putIfAbsent(checked(k, value), checked(v, value)));
    return out;
  }

  /** Whether {@code text} contains the value (as UTF-8), for values long enough to tell. */
  private static boolean holds(String text, byte[] value) {
    if (value.length < 4) {
      return false;
    }
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + value.length <= t.length; i++) {
      for (int k = 0; k < value.length; k++) {
        if (t[i + k] != value[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Takes ownership of {@code ownedValue}: used by the engine, which made the copy itself. */
  private Secret(SecretRef ref, byte[] ownedValue, String version, Instant createdAt,
      Map<String, String> metadata, boolean owned) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.value = Optional.of(Objects.requireNonNull(ownedValue, "value"));
    this.version = version;
    this.createdAt = createdAt;
    this.metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }

  /**
   * Creates a secret holding a copy of {@code value}; the caller keeps (and should wipe) its array.
   *
   * @param ref the ref the value was resolved from
   * @param value the secret bytes; copied
   * @param version the provider's version id, or {@code null}; like metadata, shown as a keyed
   *     fingerprint when it holds the value, a registered value, a token or random key material
   * @param createdAt when the provider created this version, or {@code null}
   * @param metadata non-secret metadata (tags, stages); copied
   * @throws NullPointerException if {@code ref}, {@code value} or {@code metadata} is null
   */
  public static Secret copyOf(
      SecretRef ref, byte[] value, String version, Instant createdAt, Map<String, String> metadata) {
    return new Secret(ref, value, version, createdAt, metadata);
  }

  /**
   * Takes ownership of {@code ownedValue} without copying it. Package-private: only the client
   * built by {@link SecretsClient.Builder} hands values over this way, so no code outside core can
   * construct the engine's secrets or see the bytes on their way to the caller.
   */
  static Secret adopt(SecretRef ref, byte[] ownedValue, String version, Instant createdAt,
      Map<String, String> metadata) {
    return new Secret(ref, ownedValue, version, createdAt, metadata, true);
  }

  /** Creates a secret holding a copy of {@code value}, with no version or metadata. */
  public static Secret copyOf(SecretRef ref, byte[] value) {
    return new Secret(ref, value, null, null, Map.of());
  }

  /** The ref this value was resolved from. */
  public SecretRef ref() {
    return ref;
  }

  /** The provider's version id of this value, when the provider has versions. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** When the provider created this version, when it says. */
  public Optional<Instant> createdAt() {
    return Optional.ofNullable(createdAt);
  }

  /** Non-secret metadata from the provider (tags, stages, custom metadata). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The value decoded as UTF-8. The returned {@code String} cannot be wiped; prefer
   * {@link #useChars(Function)} where the consumer accepts a {@code char[]}.
   *
   * @throws IllegalStateException if this secret was closed
   */
  public String reveal() {
    byte[] copy = revealBytes();
    try {
      return new String(copy, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /**
   * A fresh copy of the value's bytes; the caller owns it and should wipe it after use.
   *
   * @throws IllegalStateException if this secret was closed
   */
  public byte[] revealBytes() {
    byte[] copy = value.get().clone();
    if (closed) {
      Arrays.fill(copy, (byte) 0);
      throw closedException();
    }
    return copy;
  }

  /**
   * Calls {@code action} with a copy of the value's bytes and wipes the copy when it returns.
   * The action must not keep a reference to the array.
   *
   * @throws IllegalStateException if this secret was closed
   */
  public <T> T useBytes(Function<? super byte[], ? extends T> action) {
    Objects.requireNonNull(action, "action");
    byte[] copy = revealBytes();
    try {
      return action.apply(copy);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /**
   * Calls {@code action} with the value decoded as UTF-8 into a {@code char[]}, and wipes the
   * array when it returns. The action must not keep a reference to the array.
   *
   * @throws IllegalStateException if this secret was closed, or the value is not valid UTF-8
   */
  public <T> T useChars(Function<? super char[], ? extends T> action) {
    Objects.requireNonNull(action, "action");
    byte[] bytes = revealBytes();
    CharBuffer chars = null;
    try {
      chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      char[] array = new char[chars.remaining()];
      chars.get(array);
      try {
        return action.apply(array);
      } finally {
        Arrays.fill(array, '\0');
      }
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("the value of " + ref + " is not valid UTF-8");
    } finally {
      Arrays.fill(bytes, (byte) 0);
      if (chars != null && chars.hasArray()) {
        Arrays.fill(chars.array(), '\0');
      }
    }
  }

  /** Whether {@link #close()} was called; a closed secret's value cannot be read. */
  public boolean isClosed() {
    return closed;
  }

  /** Wipes this instance's copy of the value. Idempotent. */
  @Override
  public void close() {
    closed = true;
    Arrays.fill(value.get(), (byte) 0);
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("the secret for " + ref + " was closed");
  }

  /**
   * Equal when the refs are equal and the values are equal, compared in constant time. A closed
   * secret is equal only to itself.
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Secret)) {
      return false;
    }
    Secret other = (Secret) o;
    if (closed || other.closed || !ref.equals(other.ref)) {
      return false;
    }
    return MessageDigest.isEqual(value.get(), other.value.get()) && !closed && !other.closed;
  }

  /** Derived from the ref only, so a hash never reveals anything about the value. */
  @Override
  public int hashCode() {
    return ref.hashCode();
  }

  /** The ref, the version and a mask; never the value. */
  @Override
  public String toString() {
    return "Secret[ref=" + ref + (version == null ? "" : ", version=" + version)
        + ", value=" + MASK + (closed ? ", closed" : "") + "]";
  }

  /** Jackson writes a secret as its ref string, even with annotations disabled. */
  @Override
  public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
    gen.writeString(ref.toString());
  }

  /** Jackson writes a secret as its ref string, also under polymorphic typing. */
  @Override
  public void serializeWithType(JsonGenerator gen, SerializerProvider serializers,
      TypeSerializer typeSer) throws IOException {
    gen.writeString(ref.toString());
  }
}
