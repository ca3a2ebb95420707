/**
 * The registry ({@code configs/secrets-registry.yaml}) and policy ({@code configs/secrets-policy.json})
 * files: loaded strictly, with errors that name file, line and field, and refusing any file that
 * holds something that looks like a secret value.
 *
 * <p>{@link io.secretsdk.config.SecretRegistry} maps secret names to refs per environment;
 * {@link io.secretsdk.config.SecretPolicy} says which names and refs may be resolved, where, and
 * with which metadata. Both are immutable once loaded.
 */
package io.secretsdk.config;
