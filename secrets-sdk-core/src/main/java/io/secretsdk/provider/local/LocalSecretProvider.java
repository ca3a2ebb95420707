package io.secretsdk.provider.local;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.provider.local.StoreModel.SecretEntry;
import io.secretsdk.provider.local.StoreModel.VersionEntry;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretVersionInfo;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The {@code local://} provider: secrets in one encrypted file on this machine, for a developer's
 * laptop, a CI job without a secret server, and the quick start.
 *
 * <p><b>Refs.</b> {@code local://openai/dev} resolves the newest version of secret
 * {@code openai/dev}; {@code local://openai/dev?version=2} a pinned version. No other query
 * parameter and no {@code #field} is accepted.
 *
 * <p><b>Encryption.</b> AES-256-GCM envelope encryption with the JDK: each version's value under
 * its own random data key, the data key wrapped under the key-encryption key (KEK, see
 * {@link LocalStoreOptions}). The name, version, creation time, expiry, metadata and KEK id are
 * bound as associated data, and the whole file carries an HMAC, so an edited, swapped, removed or
 * truncated entry is detected. Values never touch the disk unencrypted.
 *
 * <p><b>Versions and expiry.</b> Every write adds a version (numbers are never reused, even after
 * a revoke); the newest {@link LocalStoreOptions#maxVersions()} are kept. A version may carry an
 * expiry: once past it, it no longer resolves, and it is deleted at the next write. The TTL reported
 * to the client never runs past the expiry.
 *
 * <p><b>Durability.</b> Writers in any number of threads and processes are serialized by a
 * {@link java.nio.channels.FileLock} on a sidecar {@code <store>.lock} file. A write re-reads and
 * verifies the current file, writes a temp file, forces it to disk and renames it over the store
 * atomically, so a crash leaves the old or the new file. Readers take no lock. A file that is
 * corrupted, tampered with or encrypted under another key is never overwritten.
 *
 * <p><b>Errors.</b> A corrupted, truncated, tampered or unsupported store file, a malformed key and
 * a key file readable by others throw {@link SecretConfigException} (the file must be restored or
 * fixed; retrying cannot help). A key that does not open the store throws
 * {@link SecretAccessDeniedException}: like a wrong password, it is a credential that was refused.
 * A missing store, secret or version throws {@link SecretNotFoundException}; an I/O failure or a
 * lock held past {@link LocalStoreOptions#lockTimeout()} throws
 * {@link ProviderUnavailableException}. Messages name files, refs and key ids, never values or keys.
 *
 * <p>Thread-safe.
 */
public final class LocalSecretProvider implements SecretProvider {
  /** The scheme served: {@code local}. */
  public static final String SCHEME = "local";

  private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final int MAX_META_VALUE = 256;
  private static final int MAX_META_ENTRIES = 32;

  private final LocalStoreOptions options;
  private final Path store;
  private final Path lockFile;
  private final Path nextKeyFile;
  /**
   * One in-process lock per lock file, shared by every provider of this JVM: on Linux a process's
   * POSIX file locks are released when it closes <em>any</em> descriptor of the file, so within
   * one JVM only one thread at a time may open the lock file and hold its {@link FileLock}.
   */
  private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS =
      new ConcurrentHashMap<>();

  private final ReentrantLock writeLock;
  private final Object keyGuard = new Object();
  private Kek cachedKek; // guarded by keyGuard
  private byte[] keyOverride; // guarded by keyGuard; set by rotateKey for non-file key sources
  private volatile boolean closed;

  private LocalSecretProvider(LocalStoreOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.store = options.storeFile();
    this.lockFile = store.resolveSibling(store.getFileName() + ".lock");
    this.nextKeyFile = options.keyFile().resolveSibling(options.keyFile().getFileName() + ".next");
    this.writeLock = PROCESS_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
  }

  /** A provider over the store the options name; nothing is read until the first call. */
  public static LocalSecretProvider create(LocalStoreOptions options) {
    return new LocalSecretProvider(options);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /** The store file this provider reads and writes. */
  public Path storeFile() {
    return store;
  }

  /**
   * Fetches the newest, or the pinned, unexpired version.
   *
   * @throws InvalidSecretRefException if the ref has a {@code #field}, a query parameter other
   *     than {@code version}, or a version that is not a positive integer
   * @throws SecretNotFoundException if there is no store, secret or version, or it has expired
   * @throws SecretAccessDeniedException if the key does not open the store
   * @throws SecretConfigException if the store file or the key is unusable
   * @throws ProviderUnavailableException if the store cannot be read
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    ensureOpen();
    int pinned = checkRef(ref);
    Loaded loaded = loadForRead();
    SecretRef base = ref.withoutField();
    if (loaded == null) {
      throw new SecretNotFoundException(ref, "no secret at " + base + ": the local store " + store
          + " does not exist yet");
    }
    SecretEntry entry = loaded.model.secrets().get(ref.path());
    if (entry == null || entry.versions().isEmpty()) {
      throw new SecretNotFoundException(ref, "no secret at " + base);
    }
    VersionEntry v = null;
    if (pinned > 0) {
      for (VersionEntry candidate : entry.versions()) {
        if (candidate.version() == pinned) {
          v = candidate;
        }
      }
      if (v == null) {
        throw new SecretNotFoundException(ref, "no version " + pinned + " of " + base
            + " (revoked, or older than the " + options.maxVersions() + " versions kept)");
      }
    } else {
      v = entry.latest();
    }
    Instant now = options.clock().instant();
    if (v.expired(now)) {
      throw new SecretNotFoundException(ref, "version " + v.version() + " of " + base
          + " expired at " + v.expiresAt());
    }
    byte[] plain = decrypt(loaded, entry.name(), v);
    try {
      FetchResult.Builder result = FetchResult.builder(plain)
          .version(String.valueOf(v.version()))
          .createdAt(v.createdAt())
          .metadata(v.metadata());
      Duration ttl = options.ttl().orElse(null);
      if (v.expiresAt() != null) {
        Duration left = Duration.between(now, v.expiresAt());
        ttl = ttl == null || left.compareTo(ttl) < 0 ? left : ttl;
      }
      if (ttl != null) {
        result.ttl(ttl);
      }
      return result.build();
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * Adds a version of the secret at {@code ref} (which takes no query or field), as
   * {@link #put(String, byte[], Duration, Map, String)} without expiry or metadata.
   */
  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    if (!ref.scheme().equals(SCHEME) || !ref.query().isEmpty() || ref.field().isPresent()) {
      throw new InvalidSecretRefException(ref, "write needs a plain local://name ref, without"
          + " query or #field");
    }
    return put(ref.path(), value, null, Map.of(), expectedVersion);
  }

  /**
   * Adds a version of secret {@code name} with no expiry or metadata.
   *
   * @return the new version number
   * @see #put(String, byte[], Duration, Map, String)
   */
  public String put(String name, byte[] value) {
    return put(name, value, null, Map.of(), null);
  }

  /**
   * Adds a version of secret {@code name}: encrypts {@code value} under a new data key and
   * replaces the store file atomically. Expired versions of every secret are deleted in the same
   * write, and only the newest {@link LocalStoreOptions#maxVersions()} versions are kept.
   *
   * @param name the secret's name, e.g. {@code openai/dev} (the path of {@code local://openai/dev})
   * @param value the value; not kept, the caller should wipe it
   * @param expiresIn how long the version resolves, or {@code null} for no expiry
   * @param metadata non-secret metadata ({@code owner}, {@code ticket}); keys of 1 to 64 letters,
   *     digits, {@code _ . -}, values of at most 256 characters
   * @param expectedVersion the current version the caller expects ({@code "0"} for none), or
   *     {@code null} to write unconditionally
   * @return the new version number
   * @throws IllegalArgumentException if the name, value, expiry or metadata is invalid
   * @throws SecretVersionConflictException if the current version is not {@code expectedVersion}
   * @throws SecretAccessDeniedException if the key does not open the existing store
   * @throws SecretConfigException if the store file or the key is unusable (nothing is written)
   * @throws ProviderUnavailableException if the lock cannot be taken in time or the write fails
   */
  public String put(String name, byte[] value, Duration expiresIn, Map<String, String> metadata,
      String expectedVersion) {
    String key = normalizeName(name);
    Objects.requireNonNull(value, "value");
    if (value.length == 0) {
      throw new IllegalArgumentException("value must not be empty");
    }
    if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
      throw new IllegalArgumentException("expiresIn must be positive");
    }
    SortedMap<String, String> meta = checkMetadata(metadata);
    byte[] plain = value.clone();
    SecretRef ref = SecretRef.parse(SCHEME + "://" + key);
    try {
      return mutate(ref, (model, kek, now) -> {
        SecretEntry entry = model.secrets().get(key);
        int current = entry == null || entry.versions().isEmpty() ? 0 : entry.latest().version();
        if (expectedVersion != null && !expectedVersion.equals(String.valueOf(current))) {
          throw new SecretVersionConflictException(ref, "expected version " + expectedVersion
              + " of " + ref + " but the current version is " + current);
        }
        int version = entry == null ? 1 : entry.nextVersion();
        Instant created = now.truncatedTo(ChronoUnit.MILLIS);
        Instant expires = expiresIn == null ? null : created.plus(expiresIn);
        VersionEntry sealed = Envelope.seal(kek.key, kek.id, key, version, created, expires, meta,
            plain);
        List<VersionEntry> versions = new ArrayList<>(entry == null ? List.of() : entry.versions());
        versions.add(sealed);
        while (versions.size() > options.maxVersions()) {
          versions.remove(0);
        }
        SortedMap<String, SecretEntry> secrets = new TreeMap<>(model.secrets());
        secrets.put(key, new SecretEntry(key, version + 1, versions));
        return new Change<>(new StoreModel(model.keyId(), model.generation(), secrets),
            String.valueOf(version));
      });
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * Deletes every version of secret {@code name}. Its version numbers are not reused.
   *
   * @return whether the secret existed
   * @throws SecretAccessDeniedException if the key does not open the store
   * @throws SecretConfigException if the store file or the key is unusable
   * @throws ProviderUnavailableException if the lock cannot be taken in time or the write fails
   */
  public boolean revoke(String name) {
    return revoke(name, 0);
  }

  /**
   * Deletes one version of secret {@code name}; when it was the newest, the one before becomes
   * current. {@code version} 0 deletes every version.
   *
   * @return whether the version existed
   * @throws IllegalArgumentException if {@code version} is negative
   * @see #revoke(String)
   */
  public boolean revoke(String name, int version) {
    String key = normalizeName(name);
    if (version < 0) {
      throw new IllegalArgumentException("version must be positive, or 0 for all versions");
    }
    SecretRef ref = SecretRef.parse(SCHEME + "://" + key);
    Boolean removed = mutate(ref, (model, kek, now) -> {
      SecretEntry entry = model.secrets().get(key);
      if (entry == null || entry.versions().isEmpty()) {
        return new Change<>(null, false);
      }
      List<VersionEntry> kept = new ArrayList<>(entry.versions());
      boolean any = version == 0 ? !kept.isEmpty() : kept.removeIf(v -> v.version() == version);
      if (version == 0) {
        kept.clear();
      }
      if (!any) {
        return new Change<>(null, false);
      }
      SortedMap<String, SecretEntry> secrets = new TreeMap<>(model.secrets());
      secrets.put(key, new SecretEntry(key, entry.nextVersion(), kept)); // keeps the numbering
      return new Change<>(new StoreModel(model.keyId(), model.generation(), secrets), true);
    });
    return removed;
  }

  /**
   * The secrets in the store, by name, with their versions' metadata and no values. The file is
   * verified with the key first, so what is listed is authentic.
   *
   * @throws SecretAccessDeniedException if the key does not open the store
   * @throws SecretConfigException if the store file or the key is unusable
   * @throws ProviderUnavailableException if the store cannot be read
   */
  public List<LocalSecretInfo> list() {
    ensureOpen();
    Loaded loaded = loadForRead();
    if (loaded == null) {
      return List.of();
    }
    Instant now = options.clock().instant();
    List<LocalSecretInfo> out = new ArrayList<>();
    for (SecretEntry e : loaded.model.secrets().values()) {
      if (!e.versions().isEmpty()) {
        out.add(info(e, now));
      }
    }
    return List.copyOf(out);
  }

  /**
   * One secret's versions and metadata, without values.
   *
   * @return the secret, or empty if the store has no such secret
   * @see #list()
   */
  public Optional<LocalSecretInfo> describe(String name) {
    String key = normalizeName(name);
    ensureOpen();
    Loaded loaded = loadForRead();
    if (loaded == null) {
      return Optional.empty();
    }
    SecretEntry e = loaded.model.secrets().get(key);
    return e == null || e.versions().isEmpty() ? Optional.empty()
        : Optional.of(info(e, options.clock().instant()));
  }

  /**
   * Describes secret {@code ref} (a plain {@code local://name}; a {@code version} parameter is
   * ignored) without decrypting anything: every kept version, newest first, with creation and
   * expiry; an expired version is {@link SecretVersionInfo.State#DISABLED}. Local versions have no
   * stages. The metadata is the newest version's.
   *
   * @throws InvalidSecretRefException if the ref has a {@code #field} or another parameter
   * @throws SecretNotFoundException if the store has no such secret
   * @see #describe(String)
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    checkRef(ref);
    LocalSecretInfo info = describe(ref.path()).orElseThrow(() -> new SecretNotFoundException(ref,
        "no secret at " + ref.withoutField() + " in the local store " + store));
    List<SecretVersionInfo> versions = new ArrayList<>();
    for (LocalSecretInfo.VersionInfo v : info.versions()) {
      versions.add(0, new SecretVersionInfo(String.valueOf(v.version()), java.util.Set.of(),
          v.expired() ? SecretVersionInfo.State.DISABLED : SecretVersionInfo.State.ENABLED,
          v.createdAt(), v.expiresAt()));
    }
    return new SecretDescription(SecretRef.parse(info.ref()),
        String.valueOf(info.current().version()), versions, info.current().metadata());
  }

  /**
   * Deletes one version of secret {@code ref} from the store (the current one unless the request
   * or the ref's {@code version} parameter names one), as {@link #revoke(String, int)}: the version before it becomes current. A
   * local version cannot be restored, so {@link RevokeRequest.Mode#DISABLE} and
   * {@link RevokeRequest.Mode#DESTROY} both delete it.
   *
   * @throws UnsupportedOperationException for {@link RevokeRequest.Mode#SCHEDULE_DELETION}: the
   *     store has no recovery window
   * @throws InvalidSecretRefException if the ref or the requested version is malformed
   * @throws SecretNotFoundException if there is no such secret or version
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.mode() == RevokeRequest.Mode.SCHEDULE_DELETION) {
      throw new UnsupportedOperationException("local provider cannot schedule a deletion (the store"
          + " has no recovery window); revoke a version instead");
    }
    int pinned = checkRef(ref);
    SecretRef base = SecretRef.parse(SCHEME + "://" + ref.path());
    int version;
    if (pinned > 0 && request.targetVersion().isEmpty()) {
      version = pinned;
    } else if (request.targetVersion().isPresent()) {
      String v = request.targetVersion().get();
      if (!v.matches("[1-9]\\d{0,8}")) {
        throw new InvalidSecretRefException(ref, "local versions are positive integers");
      }
      version = Integer.parseInt(v);
    } else {
      version = describe(ref.path()).orElseThrow(() -> new SecretNotFoundException(ref,
          "no secret at " + base + " in the local store " + store)).current().version();
    }
    if (!revoke(ref.path(), version)) {
      throw new SecretNotFoundException(ref, "no version " + version + " of " + base
          + " in the local store " + store);
    }
    List<String> steps = new ArrayList<>();
    steps.add("deleted version " + version + " of " + base + " from " + store
        + " (local versions cannot be restored)");
    steps.add(describe(ref.path()).map(i -> "version " + i.current().version() + " is now current")
        .orElse("no version of " + base + " is left"));
    return new RevokeResult(String.valueOf(version), steps);
  }

  /** The id of the key the store is encrypted under, or empty if there is no store yet. */
  public Optional<String> storeKeyId() {
    ensureOpen();
    Loaded loaded = load();
    return loaded == null ? Optional.empty() : Optional.of(loaded.model.keyId());
  }

  /**
   * Re-wraps every data key under a new random KEK and writes it to the key file; only for a
   * provider whose key comes from the key file.
   *
   * @return the new key id
   * @throws IllegalStateException if the key comes from {@value LocalStoreOptions#KEY_VARIABLE} or
   *     the builder (use {@link #rotateKey(byte[])} and store the key yourself first)
   * @see #rotateKey(byte[])
   */
  public String rotateKey() {
    if (options.hasExplicitKey() || keyFromEnvironment() != null) {
      throw new IllegalStateException("the key comes from " + (options.hasExplicitKey()
          ? "the builder" : LocalStoreOptions.KEY_VARIABLE) + ", not a key file: generate a key,"
          + " store it where the runners read it, then call rotateKey(newKey)");
    }
    byte[] key = LocalKeys.generate();
    try {
      return rotateKey(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * Re-wraps every data key under {@code newKey} in one atomic write: afterwards every secret opens
   * with the new key only, or — if anything fails, including a version whose data key does not
   * unwrap — nothing changed. Values are not re-encrypted (their data keys are unchanged).
   *
   * <p>When the key comes from the key file, the new key is first written next to it as
   * {@code <key file>.next} (0600), then the store is rewritten, then the {@code .next} file is
   * renamed over the key file; after a crash in between, the next use of the store finds the key
   * that opens it and completes the rename. When the key comes from the environment or the
   * builder, this provider uses {@code newKey} from now on, and the caller must have stored it
   * where the next process will read it <em>before</em> calling this.
   *
   * @param newKey the new KEK, 32 bytes; copied
   * @return the new key id
   * @throws IllegalArgumentException if {@code newKey} is not 32 bytes or is the current key
   * @throws SecretNotFoundException if there is no store yet
   * @throws SecretAccessDeniedException if the current key does not open the store
   * @throws SecretConfigException if the store file or the key is unusable (nothing is written)
   * @throws ProviderUnavailableException if the lock cannot be taken in time or the write fails
   */
  public String rotateKey(byte[] newKey) {
    String newId = LocalKeys.keyId(newKey);
    byte[] next = newKey.clone();
    LocalKeys.register(next); // a key made elsewhere: registered before it is used
    boolean fileSource = !options.hasExplicitKey() && keyFromEnvironment() == null;
    try {
      mutate(null, (model, kek, now) -> {
        if (model.generation() == 0 && model.secrets().isEmpty()) {
          throw new SecretNotFoundException(null, "no local store at " + store + " to rotate");
        }
        if (kek.id.equals(newId)) {
          throw new IllegalArgumentException("the new key is the current key (key id " + newId + ")");
        }
        SortedMap<String, SecretEntry> secrets = new TreeMap<>();
        for (SecretEntry e : model.secrets().values()) {
          List<VersionEntry> rewrapped = new ArrayList<>();
          for (VersionEntry v : e.versions()) {
            try {
              rewrapped.add(Envelope.rewrap(kek.key, kek.id, next, newId, e.name(), v));
            } catch (GeneralSecurityException ex) {
              throw tampered(e.name(), v);
            }
          }
          secrets.put(e.name(), new SecretEntry(e.name(), e.nextVersion(), rewrapped));
        }
        if (fileSource) {
          Files.deleteIfExists(nextKeyFile); // only an aborted rotation leaves one: the store
          LocalKeys.writeKeyFile(nextKeyFile, next); // opened with the current key above
        }
        Change<Object> change = new Change<>(new StoreModel(newId, model.generation(), secrets), null);
        change.macKey = next;
        change.afterWrite = () -> {
          if (fileSource) {
            try {
              Files.move(nextKeyFile, options.keyFile(), StandardCopyOption.ATOMIC_MOVE,
                  StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
              throw new ProviderUnavailableException(null, "the store was re-encrypted under key id "
                  + newId + " but moving " + nextKeyFile + " over " + options.keyFile() + " failed ("
                  + e.getClass().getSimpleName() + "); the next use of the store finds the new key"
                  + " there and completes the move");
            }
            AtomicFiles.fsyncDirectory(options.keyFile().toAbsolutePath().getParent());
          }
          synchronized (keyGuard) {
            if (!fileSource) {
              keyOverride = next.clone();
            }
            cachedKek = new Kek(next.clone(), newId, fileSource ? "key file " + options.keyFile()
                : "the rotated key");
          }
        };
        return change;
      });
      return newId;
    } finally {
      Arrays.fill(next, (byte) 0);
    }
  }

  /** Forgets the key; later calls throw {@link IllegalStateException}. Idempotent. */
  @Override
  public void close() {
    closed = true;
    snapshot = null;
    synchronized (keyGuard) {
      if (cachedKek != null) {
        Arrays.fill(cachedKek.key, (byte) 0);
        cachedKek = null;
      }
      if (keyOverride != null) {
        Arrays.fill(keyOverride, (byte) 0);
        keyOverride = null;
      }
    }
  }

  @Override
  public String toString() {
    return "LocalSecretProvider[store=" + store + "]";
  }

  // ------------------------------------------------------------------ reading

  private static final class Kek {
    final byte[] key;
    final String id;
    final String source;
    final boolean fromNextFile;

    Kek(byte[] key, String id, String source) {
      this(key, id, source, false);
    }

    Kek(byte[] key, String id, String source, boolean fromNextFile) {
      this.key = key;
      this.id = id;
      this.source = source;
      this.fromNextFile = fromNextFile;
    }

    @Override
    public String toString() {
      return "Kek[id=" + id + "]";
    }
  }

  private static final class Loaded {
    final StoreModel model;
    final Kek kek;

    Loaded(StoreModel model, Kek kek) {
      this.model = model;
      this.kek = kek;
    }
  }

  /** The last verified file, reused by readers while the file's identity is unchanged. */
  private static final class Snapshot {
    final Object fileKey;
    final FileTime modified;
    final long size;
    final Loaded loaded;

    Snapshot(BasicFileAttributes attrs, Loaded loaded) {
      this.fileKey = attrs.fileKey();
      this.modified = attrs.lastModifiedTime();
      this.size = attrs.size();
      this.loaded = loaded;
    }

    boolean matches(BasicFileAttributes attrs) {
      return fileKey != null && fileKey.equals(attrs.fileKey())
          && modified.equals(attrs.lastModifiedTime()) && size == attrs.size();
    }
  }

  private volatile Snapshot snapshot;

  /**
   * Reads and verifies the store for a reader, reusing the last verified content while the file
   * is the same one (same inode, modification time and size: every write renames a new file into
   * place). Reusing it is safe even if that check were fooled: what is served was verified.
   */
  private Loaded loadForRead() {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(store, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      attrs = null;
    }
    Snapshot s = snapshot;
    if (attrs != null && s != null && s.matches(attrs)) {
      return s.loaded;
    }
    Loaded loaded = load();
    if (attrs != null && loaded != null) {
      snapshot = new Snapshot(attrs, loaded);
    }
    return loaded;
  }

  /** Reads and verifies the store, or returns null when there is none. */
  private Loaded load() {
    byte[] content;
    try {
      content = Files.readAllBytes(store);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new ProviderUnavailableException(null, "the local store " + store
          + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    StoreCodec.Parsed parsed = StoreCodec.parse(store, content);
    Kek kek = keyFor(parsed.model().keyId());
    byte[] mac = Envelope.fileMac(kek.key, parsed.model());
    if (!MessageDigest.isEqual(mac, parsed.mac())) {
      throw StoreCodec.corrupt(store, 0, "mac", "store file failed its integrity check: it was"
          + " modified outside the SDK or damaged");
    }
    return new Loaded(parsed.model(), kek);
  }

  /** The key that opens a store encrypted under {@code storeKeyId}; re-reads the source once. */
  private Kek keyFor(String storeKeyId) {
    synchronized (keyGuard) {
      if (cachedKek != null && cachedKek.id.equals(storeKeyId)) {
        return cachedKek;
      }
      // the replaced key is not wiped here: another thread may be decrypting with it right now
      Kek fresh = readKey();
      cachedKek = fresh;
      if (fresh.id.equals(storeKeyId)) {
        return fresh;
      }
      if (!options.hasExplicitKey() && keyOverride == null && keyFromEnvironment() == null
          && Files.exists(nextKeyFile)) {
        // a rotation wrote the store but died before renaming the new key file into place
        byte[] next = LocalKeys.readKeyFile(nextKeyFile);
        if (LocalKeys.keyId(next).equals(storeKeyId)) {
          return new Kek(next, storeKeyId, "key file " + nextKeyFile, true);
        }
        Arrays.fill(next, (byte) 0);
      }
      throw new SecretAccessDeniedException(null, "the key from " + fresh.source + " (key id "
          + fresh.id + ") does not open the local store " + store + ", which is encrypted under key"
          + " id " + storeKeyId + "; use the key the store was created or last rotated with");
    }
  }

  /** The key from its source; for a new store too. */
  private Kek readKey() {
    if (keyOverride != null) {
      return new Kek(keyOverride.clone(), LocalKeys.keyId(keyOverride), "the rotated key");
    }
    if (options.hasExplicitKey()) {
      byte[] k = options.explicitKey();
      return new Kek(k, LocalKeys.keyId(k), "the configured key");
    }
    String env = keyFromEnvironment();
    if (env != null) {
      byte[] k = LocalKeys.decode(env, LocalStoreOptions.KEY_VARIABLE);
      return new Kek(k, LocalKeys.keyId(k), LocalStoreOptions.KEY_VARIABLE);
    }
    byte[] k = LocalKeys.readKeyFile(options.keyFile());
    return new Kek(k, LocalKeys.keyId(k), "key file " + options.keyFile());
  }

  private String keyFromEnvironment() {
    String v = options.environment().apply(LocalStoreOptions.KEY_VARIABLE);
    return v == null || v.isBlank() ? null : v;
  }

  private byte[] decrypt(Loaded loaded, String name, VersionEntry v) {
    try {
      return Envelope.open(loaded.kek.key, loaded.kek.id, name, v);
    } catch (GeneralSecurityException e) {
      throw tampered(name, v);
    }
  }

  private SecretConfigException tampered(String name, VersionEntry v) {
    return StoreCodec.corrupt(store, 0, "secrets." + name + ".versions[version=" + v.version()
        + "]", "cannot be decrypted: the entry or its metadata was modified");
  }

  private static LocalSecretInfo info(SecretEntry e, Instant now) {
    List<LocalSecretInfo.VersionInfo> versions = new ArrayList<>();
    for (VersionEntry v : e.versions()) {
      versions.add(new LocalSecretInfo.VersionInfo(v.version(), v.createdAt(), v.expiresAt(),
          v.expired(now), v.metadata()));
    }
    return new LocalSecretInfo(e.name(), versions);
  }

  // ------------------------------------------------------------------ writing

  /** A new model (null: nothing to write) and the mutation's result. */
  private static final class Change<T> {
    final StoreModel model;
    final T result;
    byte[] macKey;
    IoAction afterWrite;

    Change(StoreModel model, T result) {
      this.model = model;
      this.result = result;
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }

  @FunctionalInterface
  private interface Mutation<T> {
    Change<T> apply(StoreModel current, Kek kek, Instant now)
        throws GeneralSecurityException, IOException;
  }

  /**
   * Runs one read-modify-write under the in-process lock and the cross-process file lock. The
   * current file is re-read and verified under the lock, so no update is lost and a file that
   * does not verify is never overwritten.
   */
  private <T> T mutate(SecretRef ref, Mutation<T> mutation) {
    ensureOpen();
    long deadline = System.nanoTime() + options.lockTimeout().toNanos();
    try {
      if (!writeLock.tryLock(options.lockTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        throw new ProviderUnavailableException(ref, "the local store " + store + " stayed locked"
            + " by another writer in this process for " + options.lockTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException(ref, "interrupted while waiting for the lock of the"
          + " local store " + store);
    }
    FileLock lock = null;
    try {
      AtomicFiles.createPrivateDirectories(store.toAbsolutePath().getParent());
      lock = AtomicFiles.lock(lockFile,
          Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      if (lock == null) {
        throw new ProviderUnavailableException(ref, "the local store " + store + " stayed locked"
            + " by another writer for " + options.lockTimeout());
      }
      Loaded loaded = load();
      Kek kek;
      StoreModel current;
      if (loaded == null) {
        synchronized (keyGuard) {
          kek = readKey();
          cachedKek = kek;
        }
        current = StoreModel.empty(kek.id);
      } else {
        kek = loaded.kek;
        current = loaded.model;
        if (kek.fromNextFile) {
          finishInterruptedRotation();
        } else if (!options.hasExplicitKey() && keyFromEnvironment() == null) {
          // a rotation that died before its store write left a key nothing was encrypted under;
          // with the lock held no rotation is running, so it can go
          Files.deleteIfExists(nextKeyFile);
        }
      }
      Instant now = options.clock().instant();
      StoreModel purged = purgeExpired(current, now);
      Change<T> change = mutation.apply(purged, kek, now);
      StoreModel next = change.model;
      if (next == null && purged == current) {
        return change.result;
      }
      if (next == null) {
        next = purged;
      }
      next = new StoreModel(next.keyId(), current.generation() + 1, next.secrets());
      byte[] macKey = change.macKey != null ? change.macKey : kek.key;
      byte[] content = StoreCodec.write(next, Envelope.fileMac(macKey, next));
      AtomicFiles.deleteStaleTemps(store);
      AtomicFiles.replace(store, content);
      if (change.afterWrite != null) {
        change.afterWrite.run();
      }
      return change.result;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed in the JDK (" + e.getClass().getSimpleName()
          + ")");
    } catch (IOException e) {
      throw new ProviderUnavailableException(ref, "writing the local store " + store + " failed ("
          + e.getClass().getSimpleName() + "); the previous file is intact");
    } finally {
      if (lock != null) {
        try {
          lock.channel().close(); // releases the lock
        } catch (IOException e) {
          // the OS drops the lock with the descriptor anyway
        }
      }
      writeLock.unlock();
    }
  }

  private void finishInterruptedRotation() throws IOException {
    Files.move(nextKeyFile, options.keyFile(), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    AtomicFiles.fsyncDirectory(options.keyFile().toAbsolutePath().getParent());
  }

  /** The model without expired versions; the same instance when none expired. */
  private static StoreModel purgeExpired(StoreModel model, Instant now) {
    boolean any = false;
    SortedMap<String, SecretEntry> secrets = new TreeMap<>();
    for (SecretEntry e : model.secrets().values()) {
      List<VersionEntry> kept = new ArrayList<>();
      for (VersionEntry v : e.versions()) {
        if (v.expired(now)) {
          any = true;
        } else {
          kept.add(v);
        }
      }
      secrets.put(e.name(), kept.size() == e.versions().size() ? e
          : new SecretEntry(e.name(), e.nextVersion(), kept));
    }
    return any ? new StoreModel(model.keyId(), model.generation(), secrets) : model;
  }

  // ------------------------------------------------------------------ validation

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the local provider is closed");
    }
  }

  /** Checks a ref for fetching; returns the pinned version or 0. */
  private static int checkRef(SecretRef ref) {
    if (ref.field().isPresent()) {
      throw new InvalidSecretRefException(ref, "local refs have no #field; store each value as"
          + " its own secret");
    }
    for (String param : ref.query().keySet()) {
      if (!param.equals("version")) {
        throw new InvalidSecretRefException(ref, "local refs take only the 'version' parameter");
      }
    }
    Optional<String> pinned = ref.queryParam("version");
    if (pinned.isEmpty()) {
      return 0;
    }
    try {
      int v = Integer.parseInt(pinned.get());
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // the typed error below
    }
    throw new InvalidSecretRefException(ref, "local ref parameter 'version' must be a positive"
        + " integer");
  }

  /**
   * The canonical name for {@code name}, which must be a valid ref path without query or field.
   *
   * @throws IllegalArgumentException if it is not
   */
  static String normalizeName(String name) {
    Objects.requireNonNull(name, "name");
    SecretRef ref;
    try {
      ref = SecretRef.parse(SCHEME + "://" + name);
    } catch (InvalidSecretRefException e) {
      throw new IllegalArgumentException("invalid secret name: " + e.getMessage());
    }
    if (!ref.query().isEmpty() || ref.field().isPresent()) {
      throw new IllegalArgumentException("invalid secret name: no '?' or '#' parts allowed");
    }
    return ref.path();
  }

  private static SortedMap<String, String> checkMetadata(Map<String, String> metadata) {
    Objects.requireNonNull(metadata, "metadata");
    if (metadata.size() > MAX_META_ENTRIES) {
      throw new IllegalArgumentException("at most " + MAX_META_ENTRIES + " metadata entries");
    }
    SortedMap<String, String> out = new TreeMap<>();
    metadata.forEach((k, v) -> {
      if (k == null || !META_KEY.matcher(k).matches()) {
        throw new IllegalArgumentException("metadata keys must be 1 to 64 letters, digits, '_',"
            + " '.' or '-'");
      }
      if (v == null || v.isEmpty() || v.length() > MAX_META_VALUE
          || v.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("metadata '" + k + "' must be 1 to " + MAX_META_VALUE
            + " characters without control characters");
      }
      out.put(k, v);
    });
    return out;
  }
}
