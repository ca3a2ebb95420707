/**
 * Rotation pushed in: {@link io.secretsdk.rotation.RotationWebhook} verifies signed rotation
 * notifications (HMAC-SHA-256 over the raw body, a timestamp window, a bounded memory of delivery
 * ids) and refreshes the refs they name through a {@link io.secretsdk.SecretsClient} at once,
 * instead of waiting for refresh-ahead.
 *
 * <p>Framework-neutral: {@link io.secretsdk.rotation.RotationWebhook#handle} takes headers and a
 * body and returns a status code and a short body, so it mounts in any HTTP server.
 */
package io.secretsdk.rotation;
