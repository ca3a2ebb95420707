package io.secretsdk.aws.internal;

import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.RotationRulesType;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * A secret's versions and stages as Secrets Manager describes them: {@code DescribeSecret} for the
 * secret (rotation, deletion, tags, {@code VersionIdsToStages}) and {@code ListSecretVersionIds}
 * with {@code IncludeDeprecated} for every version's {@code CreatedDate}. Every string the service
 * supplies goes through {@link ProviderText#shown} before it is shown; raw version ids are kept
 * only for calls back to the service.
 *
 * <p>Stateless and thread-safe.
 */
public final class SecretHistory {
  /** Stage Secrets Manager reads by default. */
  public static final String CURRENT = "AWSCURRENT";
  /** Stage the previous current version carries. */
  public static final String PREVIOUS = "AWSPREVIOUS";
  /** Stage of a version being rotated in. */
  public static final String PENDING = "AWSPENDING";

  private static final Logger LOG = LoggerFactory.getLogger(SecretHistory.class);
  /** Bound on {@code NextToken} pages, against a server that never ends. */
  static final int MAX_PAGES = 20;
  /** Bound on tags shown (Secrets Manager allows 50). */
  static final int MAX_TAGS = 50;
  /** Longest free text shown (a description may have 2048 characters). */
  static final int MAX_TEXT = 256;

  private SecretHistory() {}

  /** {@code DescribeSecret} for {@code r}, failures mapped with {@code why} in the message. */
  public static DescribeSecretResponse read(SecretsManagerClient client, AwsRef r, String why) {
    try {
      return client.describeSecret(b -> b.secretId(r.secretId()));
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      throw AwsErrors.map(r.ref(), "DescribeSecret" + why, e);
    }
  }

  /** The version id holding {@code stage}, or null. */
  public static String holderOf(DescribeSecretResponse d, String stage) {
    for (Map.Entry<String, List<String>> e : d.versionIdsToStages().entrySet()) {
      if (e.getValue() != null && e.getValue().contains(stage)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The stages of {@code versionId}, empty when it has none or is unknown. */
  public static List<String> stagesOf(DescribeSecretResponse d, String versionId) {
    List<String> stages = d.versionIdsToStages().get(versionId);
    return stages == null ? List.of() : stages;
  }

  /** The description of {@code r} in {@code region}. */
  public static SecretDescription describe(SecretsManagerClient client, AwsRef r, String region) {
    DescribeSecretResponse d = read(client, r, "");
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("aws.region", region);
    put(meta, "aws.arn", d.arn());
    put(meta, "aws.name", d.name());
    // free text an operator wrote: scrubbed (values, credentials, token formats masked) rather
    // than fingerprinted whole, so it stays readable
    text(meta, "description", d.description());
    put(meta, "aws.kmsKeyId", d.kmsKeyId());
    put(meta, "aws.createdDate", d.createdDate());
    put(meta, "aws.lastChangedDate", d.lastChangedDate());
    put(meta, "aws.deletedDate", d.deletedDate());
    put(meta, "aws.primaryRegion", d.primaryRegion());
    put(meta, "aws.owningService", d.owningService());
    if (d.rotationEnabled() != null) {
      meta.put("rotation.enabled", String.valueOf(d.rotationEnabled()));
    }
    put(meta, "rotation.lambdaArn", d.rotationLambdaARN());
    put(meta, "rotation.lastRotatedDate", d.lastRotatedDate());
    put(meta, "rotation.nextRotationDate", d.nextRotationDate());
    RotationRulesType rules = d.rotationRules();
    if (rules != null) {
      if (rules.automaticallyAfterDays() != null) {
        meta.put("rotation.automaticallyAfterDays", String.valueOf(rules.automaticallyAfterDays()));
      }
      text(meta, "rotation.scheduleExpression", rules.scheduleExpression());
      put(meta, "rotation.duration", rules.duration());
    }
    int tags = 0;
    for (Tag t : d.tags()) {
      if (t.key() != null && t.value() != null && tags++ < MAX_TAGS) {
        meta.putIfAbsent("tag." + ProviderText.shown(t.key()), ProviderText.shown(t.value()));
      }
    }
    boolean deleted = d.deletedDate() != null;
    List<Version> versions = deleted ? fromStages(d) : list(client, r, d);
    versions.sort(Comparator.comparing((Version v) -> v.created, Comparator.nullsFirst(Comparator.naturalOrder()))
        .reversed());
    List<SecretVersionInfo> infos = new ArrayList<>();
    for (Version v : versions) {
      Set<String> stages = new LinkedHashSet<>();
      v.stages.forEach(s -> stages.add(ProviderText.shown(s)));
      // a version without stages is deprecated: no stage reads it and Secrets Manager may delete it;
      // a secret scheduled for deletion serves no version at all
      SecretVersionInfo.State state = deleted || v.stages.isEmpty()
          ? SecretVersionInfo.State.DISABLED : SecretVersionInfo.State.ENABLED;
      infos.add(new SecretVersionInfo(ProviderText.shown(v.id), stages, state, v.created, null));
    }
    String current = holderOf(d, CURRENT);
    LOG.debug("AWS Secrets Manager described {}: {} versions", r.ref(), infos.size());
    return new SecretDescription(r.ref().withoutField(), current == null ? null : ProviderText.shown(current),
        infos, meta);
  }

  private static void put(Map<String, String> meta, String key, Object value) {
    if (value != null) {
      meta.put(key, ProviderText.shown(value.toString()));
    }
  }

  private static void text(Map<String, String> meta, String key, String value) {
    if (value != null) {
      meta.put(key, ProviderText.scrub(value, MAX_TEXT));
    }
  }

  private static final class Version {
    final String id;
    final List<String> stages;
    final Instant created;

    Version(String id, List<String> stages, Instant created) {
      this.id = id;
      this.stages = stages == null ? List.of() : stages;
      this.created = created;
    }
  }

  /** Versions from {@code VersionIdsToStages} alone (no creation times). */
  private static List<Version> fromStages(DescribeSecretResponse d) {
    List<Version> out = new ArrayList<>();
    d.versionIdsToStages().forEach((id, stages) -> out.add(new Version(id, stages, null)));
    return out;
  }

  /** Whether {@code versionId} is a version of {@code r}, deprecated ones included. */
  static boolean exists(SecretsManagerClient client, AwsRef r, String versionId) {
    return listed(client, r, new HashSet<>()).stream().anyMatch(v -> v.id.equals(versionId));
  }

  private static List<Version> list(SecretsManagerClient client, AwsRef r, DescribeSecretResponse d) {
    Set<String> seen = new HashSet<>();
    List<Version> out = listed(client, r, seen);
    // a version DescribeSecret shows with stages but the listing missed (it changed in between)
    d.versionIdsToStages().forEach((id, stages) -> {
      if (seen.add(id)) {
        out.add(new Version(id, stages, null));
      }
    });
    return out;
  }

  /** Every version {@code ListSecretVersionIds} pages through; their ids added to {@code seen}. */
  private static List<Version> listed(SecretsManagerClient client, AwsRef r, Set<String> seen) {
    List<Version> out = new ArrayList<>();
    Set<String> tokens = new HashSet<>();
    String next = null;
    int pages = 0;
    do {
      String token = next;
      ListSecretVersionIdsResponse page;
      try {
        page = client.listSecretVersionIds(b -> b.secretId(r.secretId()).includeDeprecated(true)
            .maxResults(100).nextToken(token));
      } catch (SecretException e) {
        throw e;
      } catch (RuntimeException e) {
        throw AwsErrors.map(r.ref(), "ListSecretVersionIds", e);
      }
      for (SecretVersionsListEntry e : page.versions()) {
        if (e.versionId() != null && seen.add(e.versionId())) {
          out.add(new Version(e.versionId(), e.versionStages(), e.createdDate()));
        }
      }
      next = page.nextToken();
      pages++;
    } while (next != null && tokens.add(next) && pages < MAX_PAGES);
    return out;
  }

  /** A not-found for a version id the caller named that the secret does not have. */
  static SecretNotFoundException noSuchVersion(AwsRef r, String versionId) {
    return new SecretNotFoundException(r.ref(), "no version " + ProviderText.shown(versionId) + " of "
        + r.ref().withoutField() + " has a staging label (nothing was changed)");
  }
}
