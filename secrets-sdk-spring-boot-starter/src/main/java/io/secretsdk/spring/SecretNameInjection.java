package io.secretsdk.spring;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.annotation.ContextAnnotationAutowireCandidateResolver;

/**
 * Installs {@link SecretNameAutowireResolver} in place of Spring's own annotation resolver, before
 * any bean is created. A resolver some other library installed is left alone (and
 * {@link SecretName} then unsupported), with a warning.
 */
final class SecretNameInjection implements BeanFactoryPostProcessor {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SecretNameInjection.class);

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    if (!(beanFactory instanceof DefaultListableBeanFactory factory)) {
      return;
    }
    Class<?> current = factory.getAutowireCandidateResolver().getClass();
    if (current == SecretNameAutowireResolver.class) {
      return;
    }
    if (current != ContextAnnotationAutowireCandidateResolver.class) {
      LOG.warn("@SecretName injection is off: the bean factory uses {}, not Spring's own resolver",
          current.getName());
      return;
    }
    factory.setAutowireCandidateResolver(new SecretNameAutowireResolver());
  }
}
