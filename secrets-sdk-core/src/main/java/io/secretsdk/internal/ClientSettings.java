package io.secretsdk.internal;

import io.secretsdk.RunEnvironment;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.event.AuditSink;
import io.secretsdk.metrics.SecretsMetrics;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

/** The validated, immutable settings a {@code SecretsClient.Builder} hands to the engine. */
public final class ClientSettings {
  final Map<String, SecretProvider> providers;
  final Map<String, String> aliases;
  final SecretRegistry registry;
  final SecretPolicy policy;
  final RunEnvironment environment;
  final Duration defaultTtl;
  final double refreshAhead;
  final double refreshJitter;
  final Duration negativeTtl;
  final Duration maxStale;
  final Duration rotationGrace;
  final int maxAttempts;
  final Duration initialBackoff;
  final Duration maxBackoff;
  final Duration maxRetryDuration;
  final long maximumSize;
  final Ticker ticker;
  final Clock clock;
  final Executor refreshExecutor;
  final AuditSink auditSink;
  final SecretsMetrics metrics;
  final RedactionIndex redactionIndex;
  final String principal;
  final String justification;
  final byte[] fingerprintKey;
  final SecretMaker secretMaker;
  final int keepWarmTtls;
  final Duration graceWarning;
  final java.util.concurrent.ScheduledExecutorService scheduler;
  final Duration maintenanceInterval;

  /** Called by the builder only, with arguments it has already validated. */
  @SuppressWarnings("ParameterNumber")
  public ClientSettings(Map<String, SecretProvider> providers, Map<String, String> aliases,
      SecretRegistry registry, SecretPolicy policy, RunEnvironment environment, Duration defaultTtl,
      double refreshAhead, double refreshJitter, Duration negativeTtl, Duration maxStale,
      Duration rotationGrace, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
      Duration maxRetryDuration, long maximumSize, Ticker ticker, Clock clock,
      Executor refreshExecutor, AuditSink auditSink, SecretsMetrics metrics,
      RedactionIndex redactionIndex, String principal,
      String justification, byte[] fingerprintKey, SecretMaker secretMaker, int keepWarmTtls,
      Duration graceWarning, java.util.concurrent.ScheduledExecutorService scheduler,
      Duration maintenanceInterval) {
    this.providers = providers;
    this.aliases = aliases;
    this.registry = registry;
    this.policy = policy;
    this.environment = environment;
    this.defaultTtl = defaultTtl;
    this.refreshAhead = refreshAhead;
    this.refreshJitter = refreshJitter;
    this.negativeTtl = negativeTtl;
    this.maxStale = maxStale;
    this.rotationGrace = rotationGrace;
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxRetryDuration = maxRetryDuration;
    this.maximumSize = maximumSize;
    this.ticker = ticker;
    this.clock = clock;
    this.refreshExecutor = refreshExecutor;
    this.auditSink = auditSink;
    this.metrics = metrics;
    this.redactionIndex = redactionIndex;
    this.principal = principal;
    this.justification = justification;
    this.fingerprintKey = fingerprintKey;
    this.secretMaker = java.util.Objects.requireNonNull(secretMaker, "secretMaker");
    this.keepWarmTtls = keepWarmTtls;
    this.graceWarning = graceWarning;
    this.scheduler = scheduler;
    this.maintenanceInterval = maintenanceInterval;
  }
}
