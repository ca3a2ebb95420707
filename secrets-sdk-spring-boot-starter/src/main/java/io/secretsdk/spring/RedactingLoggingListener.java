package io.secretsdk.spring;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Right after Boot's {@link LoggingApplicationListener} has configured Logback, wraps every
 * appender's encoder in the SDK's redacting encoder, unless {@code secrets.logging.redact=false}.
 * Registered in {@code META-INF/spring.factories}; does nothing when Logback is not the logging
 * system.
 */
public final class RedactingLoggingListener
    implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {
  /** The property that turns the wrapping off: {@value}. */
  public static final String PROPERTY = SecretsProperties.PREFIX + ".logging.redact";
  private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  /** Instantiated by Spring Boot from {@code spring.factories}. */
  public RedactingLoggingListener() {}

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    if (!event.getEnvironment().getProperty(PROPERTY, Boolean.class, Boolean.TRUE)) {
      return;
    }
    ClassLoader loader = event.getSpringApplication().getClassLoader();
    if (!ClassUtils.isPresent(LOGBACK_CONTEXT, loader)) {
      return;
    }
    LogbackRedaction.wrapCurrent();
  }

  @Override
  public int getOrder() {
    return LoggingApplicationListener.DEFAULT_ORDER + 1;
  }
}
