package io.secretsdk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretVersionInfo;
import java.time.Instant;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code secrets describe} and {@code secrets versions}: what the backend says about a secret
 * (current version, versions with stages, state, creation and expiry, metadata, and the client's
 * rotation grace), through {@link SecretProvider#describe}. Never a value.
 */
final class DescribeCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DescribeCommand() {}

  static int run(String command, Args a, Backends backends, CliIo io) {
    Backends.Target target = backends.target(a.positionals(command, "NAME|REF").get(0));
    boolean json = a.flag("--json") || backends.json();
    SecretDescription d = describe(target, backends);
    if (json) {
      io.out().println(json(target, d, command.equals("describe")).toPrettyString());
      return SecretsCli.OK;
    }
    if (command.equals("describe")) {
      if (target.name() != null) {
        io.out().println("name:     " + target.name() + " (" + backends.environmentName() + ")");
      }
      io.out().println("ref:      " + d.ref());
      io.out().println("current:  " + d.current().orElse("none (every version is revoked)"));
      io.out().println("metadata: " + (d.metadata().isEmpty() ? "-" : new TreeMap<>(d.metadata())));
      io.out().println("grace:    " + grace());
    }
    io.out().printf("%-38s %-9s %-22s %-24s %s%n", "VERSION", "STATE", "STAGES", "CREATED",
        "EXPIRES");
    for (SecretVersionInfo v : d.versions()) {
      String version = v.version() + (d.current().filter(v.version()::equals).isPresent()
          ? " (current)" : "");
      io.out().printf("%-38s %-9s %-22s %-24s %s%n", version,
          v.state().name().toLowerCase(Locale.ROOT),
          v.stages().isEmpty() ? "-" : String.join(",", new TreeSet<>(v.stages())),
          v.created().map(Instant::toString).orElse("-"),
          v.expires().map(Instant::toString).orElse("-"));
    }
    return SecretsCli.OK;
  }

  /**
   * The description of {@code target}.
   *
   * @throws UsageException if its provider cannot describe secrets
   */
  static SecretDescription describe(Backends.Target target, Backends backends) {
    SecretProvider provider = backends.provider(target.ref().scheme());
    if (provider instanceof LocalSecretProvider) {
      backends.requireStore();
    }
    try {
      return provider.describe(backends.providerRef(target.ref()));
    } catch (UnsupportedOperationException e) {
      throw new UsageException(backends.realScheme(target.ref().scheme())
          + " provider has no describe path");
    }
  }

  private static String grace() {
    return "previous versions stay resolvable for "
        + SecretsClient.Builder.DEFAULT_ROTATION_GRACE.toHours()
        + "h after a client sees a rotation (SecretsClient.Builder.rotationGrace)";
  }

  private static ObjectNode json(Backends.Target target, SecretDescription d, boolean full) {
    ObjectNode o = JSON.createObjectNode();
    if (target.name() != null) {
      o.put("name", target.name());
    }
    o.put("ref", d.ref().toString());
    d.current().ifPresentOrElse(c -> o.put("current", c), () -> o.putNull("current"));
    if (full) {
      ObjectNode meta = o.putObject("metadata");
      new TreeMap<>(d.metadata()).forEach(meta::put);
      o.put("grace_seconds", SecretsClient.Builder.DEFAULT_ROTATION_GRACE.toSeconds());
    }
    ArrayNode versions = o.putArray("versions");
    for (SecretVersionInfo v : d.versions()) {
      ObjectNode vo = versions.addObject().put("version", v.version())
          .put("state", v.state().name().toLowerCase(Locale.ROOT));
      ArrayNode stages = vo.putArray("stages");
      new TreeSet<>(v.stages()).forEach(stages::add);
      v.created().ifPresent(c -> vo.put("created_at", c.toString()));
      v.expires().ifPresent(e -> vo.put("expires_at", e.toString()));
    }
    return o;
  }
}
