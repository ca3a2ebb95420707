/** Internals of the Vault provider (transport, session, mounts, leases, errors); not API. */
package io.secretsdk.vault.internal;
