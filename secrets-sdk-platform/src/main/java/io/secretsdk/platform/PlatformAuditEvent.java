package io.secretsdk.platform;

import java.time.Instant;
import java.util.Optional;

/**
 * One event of the platform's audit stream ({@code GET /audit?subject=secret}), as
 * {@link PlatformSecretProvider#audit} returns it for the CLI's {@code describe}. Never holds a
 * value; every string came from the server and has been checked before it got here: short plain
 * text is kept, anything else (long, odd characters, a registered value or a token format) is a
 * keyed fingerprint {@code fp:<12 hex>}.
 *
 * @param id the event id, when the server sent one
 * @param time when it happened, when the server sent a readable time
 * @param action what was done ({@code read}, {@code write}, {@code rotate}, {@code revoke})
 * @param actor who did it (a principal, workflow or service account)
 * @param secret the platform name of the secret concerned
 * @param version the version concerned
 * @param environment the environment concerned
 * @param outcome how it ended ({@code allowed}, {@code denied})
 */
public record PlatformAuditEvent(String id, Instant time, String action, String actor, String secret,
    String version, String environment, String outcome) {

  /** When it happened, when known. */
  public Optional<Instant> at() {
    return Optional.ofNullable(time);
  }
}
