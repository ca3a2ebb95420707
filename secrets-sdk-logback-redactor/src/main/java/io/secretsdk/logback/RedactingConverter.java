package io.secretsdk.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;
import io.secretsdk.redact.RedactionIndex;

/**
 * The {@code %redact(...)} conversion word: redacts the text of the patterns it encloses against
 * {@link RedactionIndex#global()}, e.g. {@code %redact(%msg%n%ex)}.
 *
 * <pre>{@code
 * <conversionRule conversionWord="redact" class="io.secretsdk.logback.RedactingConverter"/>
 * ...
 * <pattern>%d %-5level %logger - %redact(%msg %mdc%n%ex)</pattern>
 * }</pre>
 *
 * <p>Only what is inside the parentheses is redacted; prefer {@link RedactingEncoder}, which
 * covers the whole line. Thread-safe.
 */
public class RedactingConverter extends CompositeConverter<ILoggingEvent> {
  /** Logback instantiates the converter by class name from its {@code conversionRule}. */
  public RedactingConverter() {}

  @Override
  protected String transform(ILoggingEvent event, String in) {
    return in == null ? null : RedactionIndex.global().redact(in);
  }
}
