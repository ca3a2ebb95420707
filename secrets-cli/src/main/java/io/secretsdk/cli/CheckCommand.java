package io.secretsdk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.provider.local.LocalSecretProvider;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code secrets check}: the CI gate. Resolves every registry name of the environment and checks
 * it against the policy, printing one line per name (never a value). A name it cannot check says
 * why (no provider for the scheme, a value that lives only in an application's memory). Exits 1
 * when a name fails, or when no name was checked at all: a gate that checked nothing is not green.
 */
final class CheckCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Status { OK, FAIL, SKIP, NO_ENTRY }

  /** One name's outcome; {@code reason} and {@code version} may be null. */
  record Line(String name, SecretRef ref, Status status, String version, String reason) {}

  private CheckCommand() {}

  static int run(Args a, Backends backends, CliIo io) {
    a.positionals("check");
    boolean json = backends.json();
    boolean strict = a.flag("--strict");
    SecretRegistry registry = backends.registry();
    backends.policy();
    boolean needsStore = registry.entries(backends.environment()).stream()
        .anyMatch(e -> backends.realScheme(e.ref().scheme()).equals(LocalSecretProvider.SCHEME));
    boolean storeMissing = needsStore && !Files.isRegularFile(backends.localOptions().storeFile());

    List<Line> lines = new ArrayList<>();
    Set<String> checkable = new LinkedHashSet<>();
    for (String name : registry.names()) {
      Optional<RegistryEntry> entry = registry.entry(name, backends.environment());
      if (entry.isEmpty()) {
        lines.add(new Line(name, null, Status.NO_ENTRY, null, "no entry for "
            + backends.environmentName()));
        continue;
      }
      SecretRef ref = entry.get().ref();
      String scheme = ref.scheme();
      Optional<String> unavailable = backends.unavailableReason(scheme);
      if (unavailable.isPresent()) {
        lines.add(new Line(name, ref, Status.SKIP, null, unavailable.get()));
      } else if (backends.inProcessOnly(scheme)) {
        lines.add(new Line(name, ref, Status.SKIP, null, scheme + ":// values live in the"
            + " application's own memory; a separate process such as this one cannot see them"));
      } else if (storeMissing && backends.realScheme(scheme).equals(LocalSecretProvider.SCHEME)) {
        lines.add(new Line(name, ref, Status.FAIL, null, "the local store "
            + backends.localOptions().storeFile() + " does not exist"));
      } else {
        lines.add(new Line(name, ref, null, null, null));
        checkable.add(scheme);
      }
    }
    if (!checkable.isEmpty()) {
      resolveAll(lines, backends, checkable, io);
    }

    long checked = lines.stream().filter(l -> l.status() == Status.OK || l.status() == Status.FAIL)
        .count();
    long failed = lines.stream().filter(l -> l.status() == Status.FAIL
        || (strict && l.status() == Status.SKIP)).count();
    long skipped = lines.stream().filter(l -> l.status() == Status.SKIP).count();
    long noEntry = lines.stream().filter(l -> l.status() == Status.NO_ENTRY).count();
    boolean passed = checked > 0 && failed == 0;
    String env = backends.environmentName();
    if (json) {
      ObjectNode o = JSON.createObjectNode();
      o.put("environment", env).put("registry", backends.registryFile().get().toString())
          .put("passed", passed).put("checked", checked).put("failed", failed)
          .put("skipped", skipped).put("without_entry", noEntry);
      ArrayNode names = o.putArray("names");
      for (Line l : lines) {
        ObjectNode n = names.addObject().put("name", l.name())
            .put("status", l.status().name().toLowerCase(java.util.Locale.ROOT));
        if (l.ref() != null) {
          n.put("ref", l.ref().toString());
        }
        if (l.version() != null) {
          n.put("version", l.version());
        }
        if (l.reason() != null) {
          n.put("reason", l.reason());
        }
      }
      io.out().println(o.toPrettyString());
    } else {
      for (Line l : lines) {
        io.out().println(switch (l.status()) {
          case OK -> "ok   " + l.name() + " -> " + l.ref()
              + (l.version() == null ? "" : " (version " + l.version() + ")");
          case FAIL -> "FAIL " + l.name() + " -> " + l.ref() + ": " + l.reason();
          case SKIP -> "SKIP " + l.name() + " -> " + l.ref() + ": " + l.reason();
          case NO_ENTRY -> "-    " + l.name() + ": " + l.reason();
        });
      }
      io.out().println(checked + " of " + lines.size() + " names checked for " + env + ": "
          + (checked - lines.stream().filter(l -> l.status() == Status.FAIL).count()) + " ok, "
          + lines.stream().filter(l -> l.status() == Status.FAIL).count() + " failed, " + skipped
          + " not checkable, " + noEntry + " without an entry for " + env);
    }
    if (passed) {
      return SecretsCli.OK;
    }
    if (checked == 0) {
      io.err().println("secrets: check failed: no name was checked for " + env + " (" + noEntry
          + " without an entry, " + skipped + " not checkable); a gate that checks nothing fails");
    } else {
      List<String> names = lines.stream().filter(l -> l.status() == Status.FAIL
          || (strict && l.status() == Status.SKIP)).map(Line::name).toList();
      io.err().println("secrets: check failed for " + names.size() + " of " + checked + ": "
          + String.join(", ", names));
    }
    return SecretsCli.FINDINGS;
  }

  private static void resolveAll(List<Line> lines, Backends backends, Set<String> schemes,
      CliIo io) {
    int pending = (int) lines.stream().filter(l -> l.status() == null).count();
    Progress progress = new Progress(io, "checking", pending);
    int done = 0;
    try (SecretsClient client = backends.client(schemes, "secrets-cli check")) {
      for (int i = 0; i < lines.size(); i++) {
        Line l = lines.get(i);
        if (l.status() != null) {
          continue;
        }
        try (Secret secret = client.resolveByName(l.name())) {
          lines.set(i, new Line(l.name(), l.ref(), Status.OK, secret.version().orElse(null), null));
        } catch (SecretException e) {
          lines.set(i, new Line(l.name(), l.ref(), Status.FAIL, null,
              e.getClass().getSimpleName() + ": " + SecretsCli.shown(e)));
        }
        progress.step(++done);
      }
    } finally {
      progress.end();
    }
  }
}
