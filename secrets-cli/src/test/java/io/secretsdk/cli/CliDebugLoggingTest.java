package io.secretsdk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.secretsdk.provider.mem.MemSecretProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Every command's success and error paths with every logger at DEBUG: no canary in any log event. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class CliDebugLoggingTest {
  @TempDir Path dir;

  private final MemSecretProvider mem = MemSecretProvider.create();
  private final String canary = CliRun.canary();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger root;
  private Level before;
  private Logger audit;
  private Level auditBefore;

  @BeforeEach
  void debug() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    audit = (Logger) LoggerFactory.getLogger("io.secretsdk.audit");
    before = root.getLevel();
    auditBefore = audit.getLevel();
    root.setLevel(Level.DEBUG);
    audit.setLevel(Level.DEBUG);
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void restore() {
    root.detachAppender(events);
    root.setLevel(before);
    audit.setLevel(auditBefore);
    mem.close();
  }

  private String logged() {
    StringBuilder all = new StringBuilder();
    for (ILoggingEvent e : events.list) {
      all.append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        all.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return all.toString();
  }

  @Test
  void everyCommand_successAndFailure_atDebug_logsNoValue() throws Exception {
    mem.put("app/key", canary);
    AtomicInteger opens = new AtomicInteger();
    Backends.Overrides overrides = scheme -> {
      if (!scheme.equals("mem")) {
        return Optional.empty();
      }
      if (opens.incrementAndGet() % 2 == 0) { // every fresh client sees a stale replica
        MemSecretProvider stale = MemSecretProvider.create();
        stale.put("app/key", canary);
        stale.put("app/key", canary);
        return Optional.of(stale);
      }
      return Optional.of(new UnclosedProvider(mem));
    };
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", dir.toString());
    env.put("CANARY_ENV", canary);
    Path registry = Files.writeString(dir.resolve("r.yaml"), """
        app:
          ci:
            secret_ref: "mem://app/key"
        missing:
          ci:
            secret_ref: "mem://app/none"
        fromenv:
          ci:
            secret_ref: "env://CANARY_ENV"
        """);
    String next = CliRun.canary();
    CliRun.Result[] results = {
        CliRun.run(env, next, overrides, "rotate", "mem://app/key"),
        CliRun.run(env, next, overrides, "put", "mem://app/key", "--expect-version", "9"),
        CliRun.run(env, "", overrides, "--env", "ci", "--registry", registry.toString(), "check"),
        CliRun.run(env, "", overrides, "run", "K=mem://app/key", "E=env://CANARY_ENV", "--",
            "sh", "-c", "echo $K $E; echo $K >&2; exit 3"),
        CliRun.run(env, "", overrides, "describe", "mem://app/key"),
        CliRun.run(env, "", overrides, "revoke", "mem://app/key", "--justification", "test"),
        CliRun.run(env, "", overrides, "revoke", "mem://app/none", "--justification", "test"),
    };
    assertThat(results[0].exit()).isEqualTo(SecretsCli.STORE_ERROR);
    assertThat(results[1].exit()).isEqualTo(SecretsCli.CONFLICT);
    assertThat(results[3].exit()).isEqualTo(3);
    StringBuilder output = new StringBuilder();
    for (CliRun.Result r : results) {
      output.append(r.all());
    }
    assertThat(events.list).isNotEmpty();
    assertThat(logged()).doesNotContain(canary).doesNotContain(next);
    assertThat(output.toString()).doesNotContain(canary).doesNotContain(next);
  }
}
