/**
 * Vault auth methods as pairs of {@code XxxAuthentication} and immutable
 * {@code XxxAuthenticationOptions}: token, AppRole, JWT/OIDC and Kubernetes. The provider's session
 * manager calls them to log in, and owns renewal and re-login.
 */
package io.secretsdk.vault.auth;
