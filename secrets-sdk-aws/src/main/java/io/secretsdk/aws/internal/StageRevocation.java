package io.secretsdk.aws.internal;

import io.secretsdk.SecretException;
import io.secretsdk.internal.ProviderText;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * Revocation at the source for Secrets Manager: {@link RevokeRequest.Mode#DISABLE} takes every
 * staging label off one version ({@code UpdateSecretVersionStage}; when it is the current version,
 * {@code AWSCURRENT} first moves to the {@code AWSPREVIOUS} version, and the {@code AWSPREVIOUS}
 * label Secrets Manager then moves onto the revoked version is removed too);
 * {@link RevokeRequest.Mode#SCHEDULE_DELETION} is {@code DeleteSecret} with a recovery window.
 * Each step is recorded; a failure says which steps were done before it.
 *
 * <p>Stateless and thread-safe.
 */
public final class StageRevocation {
  /** Recovery window when none is asked for, as Secrets Manager's own default. */
  public static final Duration DEFAULT_RECOVERY_WINDOW = Duration.ofDays(30);
  private static final Logger LOG = LoggerFactory.getLogger(StageRevocation.class);

  private StageRevocation() {}

  /**
   * The recovery window in whole days, 7 to 30 as {@code DeleteSecret} accepts.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static long recoveryDays(Duration window) {
    Duration w = window == null ? DEFAULT_RECOVERY_WINDOW : window;
    long days = w.toDays();
    if (!Duration.ofDays(days).equals(w) || days < 7 || days > 30) {
      throw new IllegalArgumentException("AWS Secrets Manager recovery windows are whole days from 7 to 30;"
          + " got " + w);
    }
    return days;
  }

  /** Schedules deletion of the whole secret {@code r}. */
  public static RevokeResult scheduleDeletion(SecretsManagerClient client, AwsRef r, Duration window) {
    long days = recoveryDays(window);
    DescribeSecretResponse d = SecretHistory.read(client, r, " (before scheduling deletion)");
    String current = SecretHistory.holderOf(d, SecretHistory.CURRENT);
    String revoked = current == null ? "all versions" : ProviderText.shown(current);
    List<String> steps = new ArrayList<>();
    if (d.deletedDate() != null) {
      steps.add(r.ref().withoutField() + " was already scheduled for deletion (deleted "
          + ProviderText.shown(d.deletedDate().toString()) + "); nothing sent");
      return new RevokeResult(revoked, steps);
    }
    DeleteSecretResponse del;
    try {
      del = client.deleteSecret(b -> b.secretId(r.secretId()).recoveryWindowInDays(days));
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      throw AwsErrors.map(r.ref(), "DeleteSecret (" + (AwsErrors.refused(e) ? "nothing was changed"
          : "whether the deletion was scheduled is unknown: describe the secret to check") + ")", e);
    }
    steps.add("scheduled deletion of " + r.ref().withoutField() + " with a " + days + "-day recovery window"
        + (del.deletionDate() == null ? "" : " (deleted for good after " + ProviderText.shown(del.deletionDate().toString()) + ")")
        + "; no version is served from now on; RestoreSecret undoes it until then");
    LOG.debug("AWS Secrets Manager scheduled deletion of {} ({} days)", r.ref(), days);
    return new RevokeResult(revoked, steps);
  }

  /**
   * Takes every staging label off one version of {@code r}: {@code version} when given, else the
   * ref's {@code versionId} or {@code stage}, else the {@code AWSCURRENT} version.
   */
  public static RevokeResult disable(SecretsManagerClient client, AwsRef r, String version) {
    DescribeSecretResponse d = SecretHistory.read(client, r, " (before a revoke)");
    if (d.deletedDate() != null) {
      throw new SecretException(r.ref(), r.ref().withoutField() + " is scheduled for deletion and serves no"
          + " version; nothing to disable (nothing was changed)");
    }
    List<String> steps = new ArrayList<>();
    String target = version != null ? version : r.versionId().orElse(null);
    if (target == null) {
      String stage = r.stage().orElse(SecretHistory.CURRENT);
      target = SecretHistory.holderOf(d, stage);
      if (target == null) {
        throw new io.secretsdk.SecretNotFoundException(r.ref(), "no version of " + r.ref().withoutField()
            + " holds " + ProviderText.shown(stage) + " (nothing was changed)");
      }
      steps.add("read stages of " + r.ref().withoutField() + ": " + ProviderText.shown(stage) + " is on version "
          + ProviderText.shown(target));
    } else {
      steps.add("read stages of " + r.ref().withoutField());
    }
    String shownTarget = ProviderText.shown(target);
    List<String> labels = SecretHistory.stagesOf(d, target);
    if (labels.isEmpty()) {
      if (!SecretHistory.exists(client, r, target)) {
        throw SecretHistory.noSuchVersion(r, target);
      }
      steps.add("version " + shownTarget + " already has no staging label; nothing sent");
      return new RevokeResult(shownTarget, steps);
    }
    Set<String> toRemove = new LinkedHashSet<>(labels);
    if (toRemove.remove(SecretHistory.CURRENT)) {
      String previous = SecretHistory.holderOf(d, SecretHistory.PREVIOUS);
      if (previous == null || previous.equals(target)) {
        throw new SecretException(r.ref(), "version " + shownTarget + " of " + r.ref().withoutField() + " is current"
            + " and no other version holds AWSPREVIOUS to take its place; write a new version first, or schedule"
            + " deletion of the secret (nothing was changed)");
      }
      String from = target;
      call(r, steps, "UpdateSecretVersionStage moving AWSCURRENT", () -> client.updateSecretVersionStage(b -> b
          .secretId(r.secretId()).versionStage(SecretHistory.CURRENT).moveToVersionId(previous)
          .removeFromVersionId(from)));
      steps.add("moved AWSCURRENT from version " + shownTarget + " to version " + ProviderText.shown(previous)
          + " (the AWSPREVIOUS version)");
      // Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT left: the revoked one
      toRemove.add(SecretHistory.PREVIOUS);
    }
    for (String label : toRemove) {
      String from = target;
      call(r, steps, "UpdateSecretVersionStage removing " + ProviderText.shown(label), () ->
          client.updateSecretVersionStage(b -> b.secretId(r.secretId()).versionStage(label).removeFromVersionId(from)));
      steps.add("removed " + ProviderText.shown(label) + " from version " + shownTarget
          + (label.equals(SecretHistory.PREVIOUS) && !labels.contains(label) ? " (Secrets Manager moved it there with AWSCURRENT)" : ""));
    }
    LOG.debug("AWS Secrets Manager disabled version {} of {}", shownTarget, r.ref());
    return new RevokeResult(shownTarget, steps);
  }

  private static void call(AwsRef r, List<String> steps, String what, Runnable call) {
    try {
      call.run();
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      // steps.get(0) only read the stages
      boolean refused = AwsErrors.refused(e);
      String done = steps.size() <= 1 ? (refused ? "nothing was changed" : "nothing was changed before it")
          : "done before: " + String.join("; ", steps.subList(1, steps.size()));
      String self = refused ? "" : "; whether this step took effect is unknown: describe the secret to check";
      throw AwsErrors.map(r.ref(), what + " (" + done + self + ")", e);
    }
  }
}
