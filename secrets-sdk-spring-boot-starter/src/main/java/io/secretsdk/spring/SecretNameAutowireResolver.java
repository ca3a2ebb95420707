package io.secretsdk.spring;

import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.context.annotation.ContextAnnotationAutowireCandidateResolver;

/**
 * Spring's annotation-driven resolver, plus {@link SecretName}: a parameter or field carrying it
 * gets a {@link NamedSecret} or a {@link SecretRef} for the name, never a value.
 */
final class SecretNameAutowireResolver extends ContextAnnotationAutowireCandidateResolver {

  @Override
  public Object getSuggestedValue(DependencyDescriptor descriptor) {
    SecretName annotation = descriptor.getAnnotation(SecretName.class);
    if (annotation == null) {
      return super.getSuggestedValue(descriptor);
    }
    Class<?> type = descriptor.getDependencyType();
    String name = annotation.value();
    if (type == NamedSecret.class) {
      return NamedSecret.of(name, client());
    }
    if (type == SecretRef.class) {
      return client().refOf(name);
    }
    throw new SecretConfigException(null, 0, "@SecretName(\"" + name + "\")",
        "cannot inject a " + type.getSimpleName() + ": declare a NamedSecret (resolved at each use)"
            + " or a SecretRef; a value injected once would be kept for the bean's lifetime");
  }

  @Override
  public ContextAnnotationAutowireCandidateResolver cloneIfNecessary() {
    return new SecretNameAutowireResolver();
  }

  private SecretsClient client() {
    return java.util.Objects.requireNonNull(getBeanFactory(), "beanFactory").getBean(SecretsClient.class);
  }
}
