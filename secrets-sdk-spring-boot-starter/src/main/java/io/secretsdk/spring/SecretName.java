package io.secretsdk.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a registry name as a {@link NamedSecret} (resolved each time it is used, through the
 * client's cache, policy and rotation) or as its value-free {@link io.secretsdk.SecretRef}. The
 * value is never put in Spring's {@code Environment} nor held by the bean.
 *
 * <pre>{@code
 * @Component
 * class VendorClient {
 *   private final NamedSecret apiKey;
 *
 *   VendorClient(@SecretName("openai") NamedSecret apiKey) {
 *     this.apiKey = apiKey;
 *   }
 *
 *   String call() {
 *     try (Secret key = apiKey.resolve()) {
 *       return key.useChars(chars -> send("Bearer " + new String(chars)));
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>The name must be in the registry for the client's run environment, or the context fails to
 * start with a {@link io.secretsdk.SecretConfigException}. Other parameter types ({@code String},
 * {@code Secret}, {@code char[]}) are refused: they would keep the value for the bean's lifetime.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SecretName {

  /** The registry name, e.g. {@code openai}. */
  String value();
}
