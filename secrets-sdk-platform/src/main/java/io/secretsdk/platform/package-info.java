/**
 * The platform's own Secrets API as a provider: {@code secret://<service>/<env>/<name>} refs,
 * OIDC workload-identity exchange and service tokens, versions, placement with the required
 * metadata, revocation of versions and the audit stream. Start at {@link
 * io.secretsdk.platform.PlatformSecretProvider}.
 */
package io.secretsdk.platform;
