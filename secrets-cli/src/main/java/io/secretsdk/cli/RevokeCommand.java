package io.secretsdk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.SecretException;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code secrets revoke NAME|REF}: the revocation procedure. Disables the version at its source
 * ({@link SecretProvider#revoke}), invalidates this process's cached copy (emitting the client's
 * revocation audit event), and writes a revocation event artifact (JSON: ref, type, time, actor,
 * justification, the steps taken; never a value) to {@code --out} or stdout. A failure says which
 * steps happened.
 */
final class RevokeCommand {
  static final int MAX_JUSTIFICATION = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  private RevokeCommand() {}

  static int run(Args a, Backends backends, CliIo io, Clock clock) {
    Backends.Target target = backends.target(a.positionals("revoke", "NAME|REF").get(0));
    String justification = a.option("--justification").orElseThrow(() -> new UsageException(
        "revoke needs --justification TEXT (why: an incident or ticket), recorded in the"
            + " revocation event"));
    if (justification.isBlank() || justification.length() > MAX_JUSTIFICATION
        || justification.chars().anyMatch(Character::isISOControl)) {
      throw new UsageException("--justification takes one line of 1 to " + MAX_JUSTIFICATION
          + " characters");
    }
    RevokeRequest.Mode mode = mode(a.option("--mode").orElse("disable"));
    Duration window = a.option("--recovery-window").map(t -> SecretsCli.duration("--recovery-window", t)).orElse(null);
    if (window != null && mode != RevokeRequest.Mode.SCHEDULE_DELETION) {
      throw new UsageException("--recovery-window goes with --mode schedule-deletion");
    }
    Optional<String> version = a.option("--version");
    version.ifPresent(v -> {
      if (!v.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new UsageException("--version takes a version id such as 3 or an AWS version id");
      }
    });
    Optional<Path> out = a.option("--out").map(Path::of);
    if (out.isPresent()) {
      Path parent = out.get().toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw new UsageException("the directory of --out " + out.get() + " does not exist");
      }
      if (Files.exists(out.get())) {
        throw new UsageException("--out " + out.get() + " already exists; revocation events are"
            + " never overwritten, choose a new path");
      }
    }
    String actor = actor(a, io);

    String scheme = backends.realScheme(target.ref().scheme());
    SecretProvider provider = backends.provider(scheme);
    if (provider instanceof LocalSecretProvider) {
      backends.requireStore();
    }
    RevokeRequest request = new RevokeRequest(version.orElse(null), mode, window);
    RevokeResult result;
    try {
      result = provider.revoke(backends.providerRef(target.ref()), request);
    } catch (UnsupportedOperationException e) {
      throw new UsageException(scheme + " provider has no revoke path"
          + (mode == RevokeRequest.Mode.DISABLE ? "" : " for --mode " + modeName(mode)));
    } catch (SecretException e) {
      io.err().println("secrets: revoke of " + target.label() + " failed at the source ("
          + e.getClass().getSimpleName() + ": " + SecretsCli.shown(e) + "); nothing was revoked and no"
          + " event was written");
      return SecretsCli.exitCode(e);
    }
    List<String> steps = new ArrayList<>();
    result.steps().forEach(s -> steps.add("source: " + s));
    try (SecretsClient client = backends.client(List.of(scheme), "secrets-cli revoke")) {
      client.revoke(target.ref());
      steps.add("invalidated the cached copy in this process and emitted the revocation audit event");
    }
    ObjectNode event = event(target, backends, result, mode, window, clock, actor, justification,
        steps);
    String json = event.toPrettyString();
    if (out.isEmpty()) {
      io.out().println(json);
      io.err().println("revoked " + target.label() + " version " + result.revokedVersion() + ": "
          + String.join("; ", steps));
      return SecretsCli.OK;
    }
    try {
      write(out.get(), json);
    } catch (IOException e) {
      io.err().println("secrets: revoked " + target.label() + " version " + result.revokedVersion()
          + " (" + String.join("; ", steps) + ") but the event could not be written to " + out.get()
          + " (" + e.getClass().getSimpleName() + "); it follows on stdout");
      io.out().println(json);
      return SecretsCli.STORE_ERROR;
    }
    io.out().println("revoked " + target.label() + " version " + result.revokedVersion() + ": "
        + String.join("; ", steps));
    io.out().println("revocation event written to " + out.get().toAbsolutePath());
    return SecretsCli.OK;
  }

  private static ObjectNode event(Backends.Target target, Backends backends, RevokeResult result,
      RevokeRequest.Mode mode, Duration window, Clock clock, String actor, String justification,
      List<String> steps) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", "secret.revoked").put("time", clock.instant().toString())
        .put("ref", target.ref().toString());
    if (target.name() != null) {
      o.put("name", target.name());
    }
    o.put("environment", backends.environmentName()).put("version", result.revokedVersion())
        .put("mode", modeName(mode));
    if (window != null) {
      o.put("recovery_window_seconds", window.toSeconds());
    }
    o.put("actor", actor).put("justification", justification).put("tool", "secrets-cli");
    ArrayNode arr = o.putArray("steps");
    steps.forEach(arr::add);
    return o;
  }

  /** Written next to the target and moved into place, so the artifact is whole or absent. */
  private static void write(Path out, String json) throws IOException {
    Path dir = out.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".revocation-", ".tmp");
    try {
      Files.writeString(tmp, json + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String actor(Args a, CliIo io) {
    Optional<String> given = a.option("--actor");
    if (given.isPresent()) {
      if (!given.get().matches("[\\p{L}\\p{N} @._:/+-]{1,128}")) {
        throw new UsageException("--actor takes a user or service name (letters, digits, @._:/+-)");
      }
      return given.get();
    }
    return Stream.of("SECRETS_SDK_ACTOR", "GITHUB_ACTOR", "USER", "USERNAME")
        .map(io.env()::get).filter(v -> v != null && v.matches("[\\p{L}\\p{N} @._:/+-]{1,128}"))
        .findFirst().orElse("unknown");
  }

  private static RevokeRequest.Mode mode(String text) {
    return switch (text) {
      case "disable" -> RevokeRequest.Mode.DISABLE;
      case "destroy" -> RevokeRequest.Mode.DESTROY;
      case "schedule-deletion" -> RevokeRequest.Mode.SCHEDULE_DELETION;
      default -> throw new UsageException("--mode takes disable, destroy or schedule-deletion");
    };
  }

  private static String modeName(RevokeRequest.Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
