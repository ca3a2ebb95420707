package io.secretsdk.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.internal.ProviderText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;

/**
 * A compare-and-set write to Secrets Manager in three calls, the way rotation functions stage a
 * value:
 * <ol>
 *   <li>{@code DescribeSecret}: the version holding {@code AWSCURRENT} must be the expected one, and
 *       no other version may hold {@code AWSPENDING} (a rotation in progress); else a
 *       {@link SecretVersionConflictException} and nothing is written.
 *   <li>{@code PutSecretValue} with a fresh {@code ClientRequestToken} (a UUID: the new version id,
 *       and the service's idempotency key when the call is retried) and {@code VersionStages =
 *       [AWSPENDING]}: the new version is stored but not served.
 *   <li>{@code UpdateSecretVersionStage AWSCURRENT MoveToVersionId=new RemoveFromVersionId=read}:
 *       the service refuses the move when {@code AWSCURRENT} is no longer on the version read, so a
 *       writer that got in between loses nothing: this write fails with
 *       {@link SecretVersionConflictException}, its version keeps only {@code AWSPENDING} (then
 *       removed, leaving it deprecated) and the other writer's version stays current.
 * </ol>
 * Then {@code AWSPENDING} is removed from the new version (Secrets Manager has moved
 * {@code AWSPREVIOUS} to the version that was current).
 *
 * <p>Stateless and thread-safe.
 */
public final class StagedWrite {
  private static final Logger LOG = LoggerFactory.getLogger(StagedWrite.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private StagedWrite() {}

  /** Writes {@code value} as the new current version of {@code r}; returns the new version id. */
  public static String write(SecretsManagerClient client, AwsRef r, byte[] value, String expectedVersion) {
    DescribeSecretResponse d = SecretHistory.read(client, r, " (before a write)");
    if (d.deletedDate() != null) {
      throw new SecretException(r.ref(), r.ref().withoutField() + " is scheduled for deletion; restore it"
          + " (RestoreSecret) before writing");
    }
    String current = SecretHistory.holderOf(d, SecretHistory.CURRENT);
    if (current == null) {
      throw new SecretNotFoundException(r.ref(), r.ref().withoutField() + " has no AWSCURRENT version to replace"
          + " (create the secret with CreateSecret first)");
    }
    if (expectedVersion != null && !expectedVersion.equals(current)) {
      throw new SecretVersionConflictException(r.ref(), "expected version " + ProviderText.shown(expectedVersion)
          + " of " + r.ref().withoutField() + " but AWSCURRENT is on " + ProviderText.shown(current)
          + " (nothing was written)");
    }
    String pending = SecretHistory.holderOf(d, SecretHistory.PENDING);
    if (pending != null && !pending.equals(current)) {
      throw new SecretVersionConflictException(r.ref(), "a rotation of " + r.ref().withoutField()
          + " is in progress (version " + ProviderText.shown(pending) + " holds AWSPENDING); let it finish or"
          + " cancel it before writing (nothing was written)");
    }
    byte[] payload = r.jsonKey().isPresent() ? merged(client, r, current, value) : value;
    String token = UUID.randomUUID().toString();
    try {
      PutSecretValueRequest.Builder put = PutSecretValueRequest.builder().secretId(r.secretId())
          .clientRequestToken(token).versionStages(SecretHistory.PENDING);
      String text = utf8(payload);
      if (text != null) {
        put.secretString(text);
      } else {
        put.secretBinary(SdkBytes.fromByteArray(payload));
      }
      client.putSecretValue(put.build());
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      throw AwsErrors.map(r.ref(), "PutSecretValue (" + (AwsErrors.refused(e) ? "nothing was written"
          : "version " + token + " may or may not have been stored, with AWSPENDING only: it is not current")
          + ")", e);
    } finally {
      if (payload != value) {
        Arrays.fill(payload, (byte) 0);
      }
    }
    try {
      client.updateSecretVersionStage(b -> b.secretId(r.secretId()).versionStage(SecretHistory.CURRENT)
          .moveToVersionId(token).removeFromVersionId(current));
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      String unstaged = unstage(client, r, token);
      AwsErrors.Kind kind = AwsErrors.kind(e);
      if (kind == AwsErrors.Kind.BAD_REF || kind == AwsErrors.Kind.INVALID_STATE) {
        // the service refuses RemoveFromVersionId when AWSCURRENT is no longer there
        throw new SecretVersionConflictException(r.ref(), "AWSCURRENT of " + r.ref().withoutField()
            + " moved off version " + ProviderText.shown(current) + " while writing; version " + token
            + " was stored with AWSPENDING only and not made current" + unstaged, AwsErrors.map(r.ref(),
            "UpdateSecretVersionStage", e));
      }
      throw AwsErrors.map(r.ref(), "UpdateSecretVersionStage (version " + token + " was stored with AWSPENDING"
          + " only and not made current" + unstaged + ")", e);
    }
    String left = unstage(client, r, token);
    if (!left.isEmpty()) {
      LOG.warn("AWS Secrets Manager: version {} of {} is current but may still hold AWSPENDING{}", token, r.ref(), left);
    }
    LOG.debug("AWS Secrets Manager wrote version {} of {} (AWSPREVIOUS is now {})", token, r.ref(),
        ProviderText.shown(current));
    return token;
  }

  /** Removes AWSPENDING from {@code version}; empty on success, else what is left, for a message. */
  private static String unstage(SecretsManagerClient client, AwsRef r, String version) {
    try {
      client.updateSecretVersionStage(b -> b.secretId(r.secretId()).versionStage(SecretHistory.PENDING)
          .removeFromVersionId(version));
      return "";
    } catch (RuntimeException e) {
      if (AwsErrors.kind(e) == AwsErrors.Kind.BAD_REF) {
        return ""; // the label is no longer on that version (another writer's put took it)
      }
      return "; removing its AWSPENDING label failed (" + AwsErrors.map(r.ref(), "UpdateSecretVersionStage", e)
          .getClass().getSimpleName() + ")";
    }
  }

  /** The current JSON object with {@code #key} set to {@code value}, as UTF-8 bytes. */
  private static byte[] merged(SecretsManagerClient client, AwsRef r, String current, byte[] value) {
    String text = utf8(value);
    if (text == null) {
      throw new IllegalArgumentException("a value written to a #key must be UTF-8 text");
    }
    GetSecretValueResponse now;
    try {
      now = client.getSecretValue(b -> b.secretId(r.secretId()).versionId(current));
    } catch (SecretException e) {
      throw e;
    } catch (RuntimeException e) {
      throw AwsErrors.map(r.ref(), "GetSecretValue (before a #key write; nothing was written)", e);
    }
    JsonNode root = null;
    if (now.secretString() != null) {
      try {
        root = JSON.readTree(now.secretString());
      } catch (IOException e) {
        root = null; // Jackson's message quotes the input: dropped
      }
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSecretRefException(r.ref(), "the current value of " + r.ref().withoutField()
          + " is not a JSON object, so #" + r.jsonKey().get() + " cannot be set (write the whole value)");
    }
    ((ObjectNode) root).put(r.jsonKey().get(), text);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize JSON");
    }
  }

  /** {@code bytes} as text when they are valid UTF-8, else null (written as {@code SecretBinary}). */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
