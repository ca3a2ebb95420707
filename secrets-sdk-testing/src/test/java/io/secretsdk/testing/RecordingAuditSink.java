package io.secretsdk.testing;

import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.AuditSink;
import io.secretsdk.internal.Slf4jAuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Keeps every audit event, and its JSON line, for assertions. */
final class RecordingAuditSink implements AuditSink {
  final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public void record(AuditEvent event) {
    events.add(event);
    lines.add(Slf4jAuditSink.toJson(event));
  }

  List<AuditEvent> ofType(AuditEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
  }

  String allText() {
    return String.join("\n", lines) + events;
  }
}
