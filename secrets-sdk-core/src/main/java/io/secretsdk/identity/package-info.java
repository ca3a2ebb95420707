/**
 * Workload-identity tokens that providers exchange for backend credentials: the {@link
 * io.secretsdk.identity.IdentityTokenSource} SPI and sources for GitHub Actions OIDC, Kubernetes
 * projected service-account tokens and any JWT file.
 */
package io.secretsdk.identity;
