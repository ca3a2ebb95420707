/** The platform provider's transport, token sessions and response reading; not exported. */
package io.secretsdk.platform.internal;
