package io.secretsdk.aws;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.aws.internal.AwsErrors;
import io.secretsdk.aws.internal.AwsRef;
import io.secretsdk.aws.internal.JsonKeys;
import io.secretsdk.aws.internal.RegionalClients;
import io.secretsdk.aws.internal.SecretHistory;
import io.secretsdk.aws.internal.StageRevocation;
import io.secretsdk.aws.internal.StagedWrite;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchOutcome;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.APIErrorType;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretValueEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Reads secrets from AWS Secrets Manager through the AWS SDK for Java v2, for refs of the form
 * {@code aws-sm://<name-or-arn>[?versionId=…|stage=…][&region=…][#jsonKey]}.
 *
 * <p>Examples: {@code aws-sm://prod/stripe#api_key} (one key of a JSON secret),
 * {@code aws-sm://prod/stripe?stage=AWSPREVIOUS}, {@code aws-sm://db?region=eu-west-1},
 * {@code aws-sm://arn:aws:secretsmanager:us-west-2:123456789012:secret:db-a1b2c3} (the region
 * comes from the ARN).
 *
 * <p>What a fetch returns: the {@code SecretString} as UTF-8 bytes, or the {@code SecretBinary}
 * bytes, or with {@code #key} that key of the JSON object; {@link FetchResult#version()} is the
 * {@code VersionId} and {@link FetchResult#createdAt()} the {@code CreatedDate}. Metadata holds
 * {@value #META_ARN}, {@value #META_NAME}, {@value #META_REGION} and {@value #META_STAGES} (the
 * version's stages, comma-separated, e.g. {@code AWSCURRENT} or {@code AWSPREVIOUS}). When the
 * fetch context requires metadata, the secret's {@code DescribeSecret} answer is added (cached
 * for {@link AwsSecretsManagerOptions#describeCacheTtl()}): {@value #META_DESCRIPTION} and every
 * tag under its own key (a tag never replaces a key set above). What the server sends is data:
 * the version id, ARN, name, stages, tag keys and values and the description are kept as sent
 * when short and plain ({@link io.secretsdk.internal.ProviderText#shown}), and replaced by a keyed
 * fingerprint {@code fp:<12 hex>} when too long, of unusual characters, or matching a registered
 * value, a credential or a token format.
 *
 * <p>Errors: {@code ResourceNotFoundException} → {@link io.secretsdk.SecretNotFoundException};
 * {@code AccessDeniedException} and rejected credentials →
 * {@link SecretAccessDeniedException}; {@code DecryptionFailure} (KMS refuses to decrypt: a
 * permission or key-state problem an operator must fix) → {@link SecretAccessDeniedException}
 * saying so; throttling, 5xx, clock skew, I/O errors and timeouts →
 * {@link io.secretsdk.ProviderUnavailableException}; {@code InvalidParameterException} →
 * {@link io.secretsdk.InvalidSecretRefException}. Messages carry the ref, the AWS error code, the
 * HTTP status and the request id, never the service's message text. The SDK does not retry: the
 * secrets client does.
 *
 * <p>Every AWS credential the provider signs with (static, from the default chain, from web
 * identity) and the web identity token are registered with
 * {@link io.secretsdk.redact.RedactionIndex#global()} before the SDK uses them, so the SDK's own
 * DEBUG logs are masked when written through the {@code RedactingEncoder}.
 *
 * <p>Thread-safe. {@link #close()} closes every SDK client and the credentials providers this
 * provider created.
 */
public final class AwsSecretsManagerProvider implements SecretProvider {
  /** The scheme served: {@code aws-sm}. */
  public static final String SCHEME = AwsRef.SCHEME;
  /** Metadata key: the secret's ARN. */
  public static final String META_ARN = "aws.arn";
  /** Metadata key: the secret's name. */
  public static final String META_NAME = "aws.name";
  /** Metadata key: the region the secret was read from. */
  public static final String META_REGION = "aws.region";
  /** Metadata key: the version's stages, comma-separated. */
  public static final String META_STAGES = "aws.versionStages";
  /** Metadata key: the secret's description (only when metadata is required). */
  public static final String META_DESCRIPTION = "description";

  /** {@code BatchGetSecretValue} takes at most this many ids per call. */
  static final int BATCH_SIZE = 20;
  /** Bound on {@code NextToken} pages for one batch call, against a server that never ends. */
  static final int MAX_PAGES = 50;

  private static final Logger LOG = LoggerFactory.getLogger(AwsSecretsManagerProvider.class);
  /** A {@code SecretVersionIdType}: 32 to 64 characters; AWS's are UUIDs. */
  private static final java.util.regex.Pattern VERSION_ID = java.util.regex.Pattern.compile("[A-Za-z0-9-]{32,64}");

  private final AwsSecretsManagerOptions options;
  private final RegionalClients clients;
  /** Agent mode: every read goes through the Secrets Manager Agent; null otherwise. */
  private final io.secretsdk.aws.internal.AgentClient agent;
  /** DescribeSecret answers, for fetches that require metadata; built on the first such fetch. */
  private volatile Cache<String, Map<String, String>> described;
  private final Object describedLock = new Object();
  private final AtomicBoolean batchDeniedLogged = new AtomicBoolean();

  private AwsSecretsManagerProvider(AwsSecretsManagerOptions options) {
    this.options = options;
    this.clients = new RegionalClients(options);
    this.agent = options.agentAddress().map(a -> new io.secretsdk.aws.internal.AgentClient(a,
        options.agentEnvironment(), options.connectTimeout(), options.readTimeout())).orElse(null);
  }

  private Cache<String, Map<String, String>> described() {
    Cache<String, Map<String, String>> cache = described;
    if (cache == null) {
      synchronized (describedLock) {
        cache = described;
        if (cache == null) {
          cache = Caffeine.newBuilder()
              .expireAfterWrite(options.describeCacheTtl())
              .ticker(options.ticker()::read)
              .maximumSize(10_000)
              .build();
          described = cache;
        }
      }
    }
    return cache;
  }

  /**
   * A provider with the given options. No network call is made until the first fetch.
   *
   * @throws NullPointerException if {@code options} is null
   */
  public static AwsSecretsManagerProvider create(AwsSecretsManagerOptions options) {
    return new AwsSecretsManagerProvider(Objects.requireNonNull(options, "options"));
  }

  /** A provider using the SDK's default region and credentials chains. */
  public static AwsSecretsManagerProvider create() {
    return create(AwsSecretsManagerOptions.ofDefaults());
  }

  /** The options this provider was built with. */
  public AwsSecretsManagerOptions options() {
    return options;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Fetches one secret with {@code GetSecretValue}.
   *
   * @throws io.secretsdk.InvalidSecretRefException if the ref is not a valid {@code aws-sm} ref, or
   *     asks for a JSON key of a value that is not a JSON object
   * @throws io.secretsdk.SecretNotFoundException if the secret, version or JSON key does not exist
   * @throws SecretAccessDeniedException if access is denied, credentials are rejected or the value
   *     cannot be decrypted
   * @throws io.secretsdk.ProviderUnavailableException on throttling, 5xx, I/O errors or timeouts
   * @throws io.secretsdk.SecretConfigException if no region is configured
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(context, "context");
    return fetchOne(AwsRef.parse(ref), context);
  }

  private FetchResult fetchOne(AwsRef r, FetchContext context) {
    if (agent != null) {
      io.secretsdk.aws.internal.AgentClient.Answer a = agent.get(r);
      return toResult(r, r.region().orElse("agent"), a.arn(), a.name(), a.versionId(),
          a.versionStages(), a.createdDate(), a.secretString(), a.secretBinary(), Map.of());
    }
    String region = r.region().orElseGet(clients::defaultRegion);
    SecretsManagerClient client = clients.forRegion(region);
    GetSecretValueResponse resp;
    try {
      resp = client.getSecretValue(b -> b.secretId(r.secretId())
          .versionId(r.versionId().orElse(null))
          .versionStage(r.stage().orElse(null)));
    } catch (SecretException e) {
      throw e; // from an identity token source, already typed and scrubbed
    } catch (RuntimeException e) {
      throw AwsErrors.map(r.ref(), "GetSecretValue", e);
    }
    Map<String, String> extra = describeIfRequired(r, region, client, context);
    return toResult(r, region, resp.arn(), resp.name(), resp.versionId(), resp.versionStages(),
        resp.createdDate(), resp.secretString(), resp.secretBinary(), extra);
  }

  /**
   * Fetches several refs with {@code BatchGetSecretValue} (at most {@value #BATCH_SIZE} ids per
   * call, following {@code NextToken}), reporting each ref's outcome on its own: a per-secret
   * entry of the response's {@code Errors} fails that ref only. Refs pinned to a version or a
   * stage other than {@code AWSCURRENT} are fetched one by one, as are ids the batch answer does
   * not mention. If the caller lacks {@code secretsmanager:BatchGetSecretValue}, the provider falls
   * back to one {@code GetSecretValue} per secret.
   *
   * @return one outcome per distinct ref, in the order given
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public Map<SecretRef, FetchOutcome> fetchAll(Collection<SecretRef> refs, FetchContext context) {
    Objects.requireNonNull(context, "context");
    if (agent != null) {
      return SecretProvider.super.fetchAll(refs, context); // the agent reads one secret per call
    }
    Map<SecretRef, FetchOutcome> outcomes = new LinkedHashMap<>();
    // region -> secretId -> refs asking for it (several #keys of one secret share one id)
    Map<String, Map<String, List<AwsRef>>> batches = new LinkedHashMap<>();
    List<AwsRef> singles = new ArrayList<>();
    for (SecretRef ref : refs) {
      if (outcomes.containsKey(ref)) {
        continue;
      }
      outcomes.put(ref, null); // keeps the caller's order
      try {
        AwsRef r = AwsRef.parse(ref);
        if (!r.batchable()) {
          singles.add(r);
          continue;
        }
        String region = r.region().orElseGet(clients::defaultRegion);
        batches.computeIfAbsent(region, k -> new LinkedHashMap<>())
            .computeIfAbsent(r.secretId(), k -> new ArrayList<>()).add(r);
      } catch (SecretException e) {
        outcomes.put(ref, FetchOutcome.failure(e));
      }
    }
    for (Map.Entry<String, Map<String, List<AwsRef>>> byRegion : batches.entrySet()) {
      List<String> ids = new ArrayList<>(byRegion.getValue().keySet());
      for (int from = 0; from < ids.size(); from += BATCH_SIZE) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + BATCH_SIZE));
        batch(byRegion.getKey(), chunk, byRegion.getValue(), context, outcomes, singles);
      }
    }
    for (AwsRef r : singles) {
      outcomes.put(r.ref(), single(r, context));
    }
    return outcomes;
  }

  private FetchOutcome single(AwsRef r, FetchContext context) {
    try {
      return FetchOutcome.success(fetchOne(r, context));
    } catch (SecretException e) {
      return FetchOutcome.failure(e);
    }
  }

  private void batch(String region, List<String> ids, Map<String, List<AwsRef>> refsById,
      FetchContext context, Map<SecretRef, FetchOutcome> outcomes, List<AwsRef> singles) {
    SecretsManagerClient client;
    try {
      client = clients.forRegion(region);
    } catch (SecretException e) {
      ids.forEach(id -> refsById.get(id).forEach(r -> outcomes.put(r.ref(), FetchOutcome.failure(e))));
      return;
    }
    Map<String, SecretValueEntry> values = new HashMap<>();
    Map<String, String> errors = new HashMap<>();
    String next = null;
    Set<String> seenTokens = new HashSet<>();
    int pages = 0;
    try {
      do {
        String token = next;
        BatchGetSecretValueResponse resp =
            client.batchGetSecretValue(b -> b.secretIdList(ids).nextToken(token));
        for (SecretValueEntry e : resp.secretValues()) {
          String id = match(ids, e.name(), e.arn());
          if (id != null) {
            values.put(id, e);
          }
        }
        for (APIErrorType e : resp.errors()) {
          String id = ids.contains(e.secretId()) ? e.secretId() : match(ids, e.secretId(), e.secretId());
          if (id != null && !values.containsKey(id)) {
            errors.put(id, e.errorCode());
          }
        }
        next = resp.nextToken();
        pages++;
      } while (next != null && seenTokens.add(next) && pages < MAX_PAGES);
    } catch (RuntimeException e) {
      if (AwsErrors.kind(e) == AwsErrors.Kind.DENIED) {
        if (batchDeniedLogged.compareAndSet(false, true)) {
          LOG.info("BatchGetSecretValue was denied; fetching secrets one by one instead (grant"
              + " secretsmanager:BatchGetSecretValue to batch)");
        }
        ids.forEach(id -> singles.addAll(refsById.get(id)));
        return;
      }
      for (String id : ids) {
        for (AwsRef r : refsById.get(id)) {
          // a new exception per ref, so each carries its own ref and stack
          outcomes.put(r.ref(), FetchOutcome.failure(AwsErrors.map(r.ref(), "BatchGetSecretValue", e)));
        }
      }
      return;
    }
    for (String id : ids) {
      SecretValueEntry entry = values.get(id);
      String code = errors.get(id);
      for (AwsRef r : refsById.get(id)) {
        if (entry != null) {
          try {
            Map<String, String> extra = describeIfRequired(r, region, client, context);
            outcomes.put(r.ref(), FetchOutcome.success(toResult(r, region, entry.arn(),
                entry.name(), entry.versionId(), entry.versionStages(), entry.createdDate(),
                entry.secretString(), entry.secretBinary(), extra)));
          } catch (SecretException e) {
            outcomes.put(r.ref(), FetchOutcome.failure(e));
          }
        } else if (code != null) {
          outcomes.put(r.ref(), FetchOutcome.failure(AwsErrors.batchError(r.ref(), code)));
        } else {
          singles.add(r); // not mentioned (e.g. a partial ARN we could not match): ask directly
        }
      }
    }
  }

  /** The requested id that a returned name or ARN answers, or null. */
  private static String match(List<String> ids, String name, String arn) {
    for (String id : ids) {
      if (id.equals(name) || id.equals(arn)) {
        return id;
      }
    }
    if (arn != null) {
      for (String id : ids) {
        // a partial ARN: the full ARN without its "-xxxxxx" suffix
        if (id.startsWith("arn:") && arn.startsWith(id + "-") && arn.length() == id.length() + 7) {
          return id;
        }
      }
    }
    return null;
  }

  private Map<String, String> describeIfRequired(AwsRef r, String region,
      SecretsManagerClient client, FetchContext context) {
    if (context.requiredMetadata().isEmpty()) {
      return Map.of();
    }
    // not Cache.get(key, loader): a network call inside Caffeine's compute would block writers of
    // other keys in the same bin; two concurrent misses may both describe, which is harmless
    String key = region + '\u0000' + r.secretId();
    Map<String, String> cached = described().getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    DescribeSecretResponse d;
    try {
      d = client.describeSecret(b -> b.secretId(r.secretId()));
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      throw AwsErrors.map(r.ref(), "DescribeSecret (for required metadata)", e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    if (d.description() != null) {
      m.put(META_DESCRIPTION, ProviderText.shown(d.description()));
    }
    for (Tag t : d.tags()) {
      if (t.key() != null && t.value() != null) {
        m.putIfAbsent(ProviderText.shown(t.key()), ProviderText.shown(t.value()));
      }
    }
    Map<String, String> result = Map.copyOf(m);
    described().put(key, result);
    return result;
  }

  private static FetchResult toResult(AwsRef r, String region, String arn, String name,
      String versionId, List<String> stages, Instant created, String secretString,
      SdkBytes secretBinary, Map<String, String> extra) {
    byte[] raw;
    if (secretString != null) {
      raw = secretString.getBytes(StandardCharsets.UTF_8);
    } else if (secretBinary != null) {
      raw = secretBinary.asByteArray();
    } else {
      throw new SecretException(r.ref(), "AWS Secrets Manager returned neither SecretString nor"
          + " SecretBinary for " + r.ref());
    }
    byte[] value = raw;
    try {
      if (r.jsonKey().isPresent()) {
        value = JsonKeys.extract(r.ref(), raw, r.jsonKey().get());
      }
      // what the server says is data: shown as is when short and plain, else as a fingerprint
      FetchResult.Builder b = FetchResult.builder(value).version(ProviderText.shown(versionId))
          .createdAt(created);
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put(META_REGION, region);
      if (arn != null) {
        meta.put(META_ARN, ProviderText.shown(arn));
      }
      if (name != null) {
        meta.put(META_NAME, ProviderText.shown(name));
      }
      if (!stages.isEmpty()) {
        meta.put(META_STAGES, stages.stream().map(ProviderText::shown)
            .collect(Collectors.joining(",")));
      }
      extra.forEach(meta::putIfAbsent);
      return b.metadata(meta).build();
    } finally {
      Arrays.fill(raw, (byte) 0);
      if (value != raw) {
        Arrays.fill(value, (byte) 0);
      }
    }
  }

  /**
   * Writes {@code value} as the new {@code AWSCURRENT} version, with compare-and-set.
   *
   * <p>Three calls: {@code DescribeSecret} (the {@code AWSCURRENT} version must be
   * {@code expectedVersion}, and no rotation may hold {@code AWSPENDING} on another version; else a
   * conflict and nothing is written); {@code PutSecretValue} with a fresh UUID as
   * {@code ClientRequestToken} (the new version id and the service's idempotency key) and
   * {@code VersionStages=[AWSPENDING]}, so the value is stored but not served; then
   * {@code UpdateSecretVersionStage} moving {@code AWSCURRENT} to it with
   * {@code RemoveFromVersionId} = the version checked. Secrets Manager refuses that move when
   * {@code AWSCURRENT} is no longer on that version, so the check and the switch are one atomic step
   * at the service: a writer that got in between is never overwritten; this write fails with
   * {@link io.secretsdk.SecretVersionConflictException} and its version is left with no label
   * (deprecated). What the check cannot close: a rotation that starts between the check and the
   * put loses its {@code AWSPENDING} label to this write (Secrets Manager moves the label), and its
   * own finishing step then fails; re-run that rotation. Finally {@code AWSPENDING} is removed from
   * the new version; {@code AWSPREVIOUS} is then on the version that was current.
   *
   * <p>With {@code #key}, the current version's JSON object is read, the key set to
   * {@code value} (UTF-8 text) and the whole object written, checked against the version read.
   * Without it, UTF-8 text is written as {@code SecretString}, other bytes as {@code SecretBinary}.
   * The secret must exist ({@code CreateSecret} is not called).
   *
   * @param expectedVersion the {@code VersionId} the caller last saw as current; {@code null} for
   *     no check (the switch is still refused if another writer gets in between)
   * @return the new {@code VersionId}
   * @throws io.secretsdk.SecretVersionConflictException if the current version is not
   *     {@code expectedVersion}, a rotation is in progress, or another writer moved
   *     {@code AWSCURRENT} during the write
   * @throws InvalidSecretRefException if the ref pins a version or a stage, or has {@code #key} and
   *     the current value is not a JSON object
   * @throws io.secretsdk.SecretNotFoundException if the secret does not exist
   * @throws SecretAccessDeniedException if a call is denied
   * @throws io.secretsdk.ProviderUnavailableException on throttling, 5xx, I/O errors or timeouts
   * @throws SecretException if the secret is scheduled for deletion
   * @throws IllegalArgumentException if {@code expectedVersion} is not a version id, or a
   *     {@code #key} value is not UTF-8
   * @throws UnsupportedOperationException in agent mode (the agent is read-only)
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    Objects.requireNonNull(value, "value");
    AwsRef r = operable(ref, "write");
    if (r.versionId().isPresent() || r.stage().isPresent()) {
      throw new InvalidSecretRefException(ref, "a write cannot pin a version or stage; pass the expected"
          + " version instead");
    }
    if (expectedVersion != null && !VERSION_ID.matcher(expectedVersion).matches()) {
      throw new IllegalArgumentException("expectedVersion must be a Secrets Manager VersionId (32 to 64 letters,"
          + " digits or '-')");
    }
    String region = r.region().orElseGet(clients::defaultRegion);
    try {
      return StagedWrite.write(clients.forRegion(region), r, value, expectedVersion);
    } finally {
      forgetDescription(region + '\u0000' + r.secretId());
    }
  }

  /**
   * Describes the secret from {@code DescribeSecret} and {@code ListSecretVersionIds} (deprecated
   * versions included): versions newest first by {@code CreatedDate} with their stages
   * ({@code AWSCURRENT}, {@code AWSPREVIOUS}, {@code AWSPENDING}, custom labels); a version without
   * a stage is {@code DISABLED} (deprecated), and every version is {@code DISABLED} while the secret
   * is scheduled for deletion ({@code aws.deletedDate}). Metadata: ARN, name, region, description,
   * KMS key, dates, rotation ({@code rotation.enabled}, {@code rotation.automaticallyAfterDays},
   * {@code rotation.scheduleExpression}, {@code rotation.nextRotationDate}, ...) and
   * {@code tag.<key>}, every string shown through {@link ProviderText#shown}.
   *
   * @throws InvalidSecretRefException if the ref pins a version or stage, or is not a valid ref
   * @throws io.secretsdk.SecretNotFoundException if the secret does not exist
   * @throws SecretAccessDeniedException if a call is denied
   * @throws io.secretsdk.ProviderUnavailableException on throttling, 5xx, I/O errors or timeouts
   * @throws UnsupportedOperationException in agent mode
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    AwsRef r = operable(ref, "describe");
    if (r.versionId().isPresent() || r.stage().isPresent()) {
      throw new InvalidSecretRefException(ref, "describe covers every version; drop versionId and stage");
    }
    String region = r.region().orElseGet(clients::defaultRegion);
    return SecretHistory.describe(clients.forRegion(region), r, region);
  }

  /**
   * Revokes at the source.
   * <ul>
   *   <li>{@link RevokeRequest.Mode#DISABLE}: every staging label comes off the version (the
   *       request's, else the ref's {@code versionId} or {@code stage}, else {@code AWSCURRENT}'s)
   *       with {@code UpdateSecretVersionStage}. Revoking the current version first moves
   *       {@code AWSCURRENT} to the {@code AWSPREVIOUS} version (refused, with nothing changed, when
   *       there is none); Secrets Manager then puts {@code AWSPREVIOUS} on the revoked version, and
   *       that label is removed too. The result lists each call. The version is then deprecated: no
   *       stage resolves to it, but {@code GetSecretValue} by its {@code VersionId} still returns it
   *       until Secrets Manager deletes deprecated versions; schedule deletion to stop that.
   *   <li>{@link RevokeRequest.Mode#SCHEDULE_DELETION}: {@code DeleteSecret} of the whole secret
   *       with {@code RecoveryWindowInDays} (the request's window, whole days 7 to 30; 30 by
   *       default); nothing is served from then on and {@code RestoreSecret} undoes it within the
   *       window.
   *   <li>{@link RevokeRequest.Mode#DESTROY}: unsupported. Secrets Manager cannot destroy one
   *       version; its only permanent deletion ({@code ForceDeleteWithoutRecovery}) removes the whole
   *       secret with every version and no way back, which an operator should ask for explicitly in
   *       the AWS console or CLI rather than through a mode named for one version.
   * </ul>
   *
   * @throws IllegalArgumentException if the version is not a version id or differs from the ref's,
   *     the recovery window is not 7 to 30 whole days, or a version is named for a deletion
   * @throws io.secretsdk.SecretNotFoundException if the secret or version does not exist
   * @throws SecretAccessDeniedException if a call is denied (the message says which steps were done)
   * @throws io.secretsdk.ProviderUnavailableException on transient failures (likewise)
   * @throws SecretException if the current version has no {@code AWSPREVIOUS} version to fall back
   *     to, or the secret is already scheduled for deletion (for {@code DISABLE})
   * @throws UnsupportedOperationException for {@code DESTROY}, or in agent mode
   * @throws IllegalStateException if the provider is closed
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    Objects.requireNonNull(request, "request");
    AwsRef r = operable(ref, "revoke");
    String version = request.targetVersion().orElse(null);
    if (version != null && !VERSION_ID.matcher(version).matches()) {
      throw new IllegalArgumentException("the version to revoke must be a Secrets Manager VersionId (32 to 64"
          + " letters, digits or '-')");
    }
    if (version != null && r.versionId().isPresent() && !version.equals(r.versionId().get())) {
      throw new IllegalArgumentException("the request names another version than the ref's versionId");
    }
    String region = r.region().orElseGet(clients::defaultRegion);
    try {
      switch (request.mode()) {
        case DESTROY:
          throw new UnsupportedOperationException("AWS Secrets Manager cannot destroy one version; revoke with"
              + " DISABLE (remove its staging labels) or SCHEDULE_DELETION (DeleteSecret with a 7-30 day recovery"
              + " window); permanent deletion of the whole secret (ForceDeleteWithoutRecovery) is left to the AWS"
              + " console or CLI");
        case SCHEDULE_DELETION:
          if (version != null || r.versionId().isPresent() || r.stage().isPresent()) {
            throw new IllegalArgumentException("AWS Secrets Manager deletes a whole secret, not one version;"
                + " name no version or stage to schedule deletion");
          }
          StageRevocation.recoveryDays(request.recoveryWindow());
          return StageRevocation.scheduleDeletion(clients.forRegion(region), r, request.recoveryWindow());
        default:
          return StageRevocation.disable(clients.forRegion(region), r, version);
      }
    } finally {
      forgetDescription(region + '\u0000' + r.secretId());
    }
  }

  /** The parsed ref, for an operation the agent cannot do. */
  private AwsRef operable(SecretRef ref, String operation) {
    Objects.requireNonNull(ref, "ref");
    AwsRef r = AwsRef.parse(ref);
    if (agent != null) {
      throw new UnsupportedOperationException("AWS Secrets Manager " + operation + " is not available in agent"
          + " mode: the Secrets Manager Agent only reads (GetSecretValue); use a provider without an agent"
          + " address for operator commands");
    }
    return r;
  }

  /** Closes every SDK client and the credentials providers this provider created. Idempotent. */
  /** Drops a cached DescribeSecret answer after a write or revoke; none was made if never used. */
  private void forgetDescription(String key) {
    Cache<String, Map<String, String>> cache = described;
    if (cache != null) {
      cache.invalidate(key);
    }
  }

  @Override
  public void close() {
    if (agent != null) {
      agent.close();
    }
    clients.close();
    Cache<String, Map<String, String>> cache = described;
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  @Override
  public String toString() {
    return "AwsSecretsManagerProvider[regions=" + clients.regions() + ", options=" + options + "]";
  }
}
