package io.secretsdk.event;

import io.secretsdk.SecretRef;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One audit record: who resolved what, when, where, why, and with what outcome. Never the value
 * and never a token; optionally a keyed fingerprint (HMAC-SHA-256) of the value, so operators can
 * tell versions apart without seeing them.
 *
 * <p>Immutable. Build with {@link #builder(Type, SecretRef)}.
 */
public final class AuditEvent {

  /** What happened. */
  public enum Type {
    /** A resolve call (hit or miss). */
    RESOLVE,
    /** A background or explicit refresh. */
    REFRESH,
    /** A policy denial, before any provider call. */
    DENIED,
    /** A refresh saw a new version. */
    ROTATION_SEEN,
    /** Cached material was dropped on request. */
    INVALIDATED,
    /** Cached material was dropped and the ref revoked. */
    REVOKED,
    /**
     * A previous version's rotation grace window ends soon ({@link #graceEndsAt()}); after it, the
     * version is no longer resolvable.
     */
    GRACE_ENDING
  }

  /** How it ended. */
  public enum Outcome {
    /** The value was returned or the operation completed. */
    SUCCESS,
    /** A value past its TTL was served because the provider was unavailable. */
    STALE,
    /** Policy or provider denied access. */
    DENIED,
    /** The provider has no such secret. */
    NOT_FOUND,
    /** The provider could not be reached. */
    UNAVAILABLE,
    /** Any other failure. */
    ERROR
  }

  private final Type type;
  private final Outcome outcome;
  private final SecretRef ref;
  private final String version;
  private final Instant time;
  private final String principal;
  private final String host;
  private final long pid;
  private final String justification;
  private final String correlationId;
  private final Boolean cacheHit;
  private final String errorType;
  private final String fingerprint;
  private final Instant graceEndsAt;

  private AuditEvent(Builder b) {
    this.type = b.type;
    this.outcome = b.outcome;
    this.ref = b.ref;
    this.version = b.version;
    this.time = b.time;
    this.principal = b.principal;
    this.host = b.host;
    this.pid = b.pid;
    this.justification = b.justification;
    this.correlationId = b.correlationId;
    this.cacheHit = b.cacheHit;
    this.errorType = b.errorType;
    this.fingerprint = b.fingerprint;
    this.graceEndsAt = b.graceEndsAt;
  }

  /** Starts an event of {@code type} about {@code ref}. */
  public static Builder builder(Type type, SecretRef ref) {
    return new Builder(type, ref);
  }

  /** What happened. */
  public Type type() {
    return type;
  }

  /** How it ended. */
  public Outcome outcome() {
    return outcome;
  }

  /** The ref concerned. */
  public SecretRef ref() {
    return ref;
  }

  /** The version concerned, when known. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** When it happened. */
  public Instant time() {
    return time;
  }

  /** Who resolved (service or runner name), when configured. */
  public Optional<String> principal() {
    return Optional.ofNullable(principal);
  }

  /** The host name of this process. */
  public String host() {
    return host;
  }

  /** The id of this process. */
  public long pid() {
    return pid;
  }

  /** Why the secret was needed, when configured. */
  public Optional<String> justification() {
    return Optional.ofNullable(justification);
  }

  /** The correlation id of the caller's request, when there is one. */
  public Optional<String> correlationId() {
    return Optional.ofNullable(correlationId);
  }

  /** Whether the value came from the cache (resolves only). */
  public Optional<Boolean> cacheHit() {
    return Optional.ofNullable(cacheHit);
  }

  /** The simple class name of the failure, when the outcome is not a success. */
  public Optional<String> errorType() {
    return Optional.ofNullable(errorType);
  }

  /** The keyed HMAC-SHA-256 fingerprint of the value (hex), when configured. */
  public Optional<String> fingerprint() {
    return Optional.ofNullable(fingerprint);
  }

  /** For {@link Type#GRACE_ENDING}: when the version's grace window ends. */
  public Optional<Instant> graceEndsAt() {
    return Optional.ofNullable(graceEndsAt);
  }

  @Override
  public String toString() {
    return "AuditEvent[" + type + " " + outcome + " ref=" + ref + ", version=" + version
        + ", cacheHit=" + cacheHit + ", correlationId=" + correlationId + "]";
  }

  /** Builds an {@link AuditEvent}. Not thread-safe. */
  public static final class Builder {
    private final Type type;
    private final SecretRef ref;
    private Outcome outcome = Outcome.SUCCESS;
    private String version;
    private Instant time = Instant.EPOCH;
    private String principal;
    private String host = "";
    private long pid;
    private String justification;
    private String correlationId;
    private Boolean cacheHit;
    private String errorType;
    private String fingerprint;
    private Instant graceEndsAt;

    private Builder(Type type, SecretRef ref) {
      this.type = Objects.requireNonNull(type, "type");
      this.ref = Objects.requireNonNull(ref, "ref");
    }

    /** How it ended; default {@link Outcome#SUCCESS}. */
    public Builder outcome(Outcome outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    /** The version concerned. */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** When it happened. */
    public Builder time(Instant time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /** Who resolved. */
    public Builder principal(String principal) {
      this.principal = principal;
      return this;
    }

    /** Where: host name and process id. */
    public Builder where(String host, long pid) {
      this.host = Objects.requireNonNull(host, "host");
      this.pid = pid;
      return this;
    }

    /** Why the secret was needed. */
    public Builder justification(String justification) {
      this.justification = justification;
      return this;
    }

    /** The caller's correlation id. */
    public Builder correlationId(String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    /** Whether the value came from the cache. */
    public Builder cacheHit(Boolean cacheHit) {
      this.cacheHit = cacheHit;
      return this;
    }

    /** The simple class name of the failure. */
    public Builder errorType(String errorType) {
      this.errorType = errorType;
      return this;
    }

    /** The keyed fingerprint of the value, hex. */
    public Builder fingerprint(String fingerprint) {
      this.fingerprint = fingerprint;
      return this;
    }

    /** For {@link Type#GRACE_ENDING}: when the version's grace window ends. */
    public Builder graceEndsAt(Instant graceEndsAt) {
      this.graceEndsAt = graceEndsAt;
      return this;
    }

    /** Builds the event. */
    public AuditEvent build() {
      return new AuditEvent(this);
    }
  }
}
