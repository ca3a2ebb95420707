package io.secretsdk.cli;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.SecretsClient;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code secrets rotate NAME|REF}: writes a new value (stdin, a file, or {@code --generate N}
 * bytes from a CSPRNG) with compare-and-set against the version it read, then resolves it through
 * a fresh client, as an application starting now would. When that check fails, the new version is
 * revoked so the previous one is current again, and the command says exactly what happened.
 */
final class RotateCommand {
  private RotateCommand() {}

  static int run(Args a, Backends backends, CliIo io) {
    Backends.Target target = backends.target(a.positionals("rotate", "NAME|REF").get(0));
    Optional<String> generate = a.option("--generate");
    Optional<Path> file = a.option("--file").map(Path::of);
    if (generate.isPresent() && (file.isPresent() || a.flag("--stdin"))) {
      throw new UsageException("--generate excludes --file and --stdin: give one source of the"
          + " new value");
    }
    generate.ifPresent(n -> Arrays.fill(ValueInput.generate(n), (byte) 0)); // checks N early
    Optional<String> expected = a.option("--expect-version");
    SecretRef ref = target.ref();
    String scheme = backends.realScheme(ref.scheme());
    SecretProvider provider = backends.provider(scheme);
    if (provider instanceof LocalSecretProvider) {
      backends.requireStore();
    }
    String current = currentVersion(target, backends).orElseThrow(() ->
        new SecretNotFoundException(ref, "nothing to rotate at " + ref
            + ": it has no current version; create it with 'secrets put'"));
    if (expected.isPresent() && !expected.get().equals(current)) {
      throw new SecretVersionConflictException(ref, "the current version of " + ref + " is "
          + current + ", not " + expected.get() + "; nothing written");
    }
    if (a.flag("--dry-run")) {
      io.out().println("dry run: would write a new version of " + target.label() + " after version "
          + current + " (compare-and-set), resolve it through a fresh client, and keep version "
          + current + " for the grace window; nothing written");
      return SecretsCli.OK;
    }
    byte[] value = generate.isPresent() ? ValueInput.generate(generate.get())
        : ValueInput.read(io, target.label(), file, a.flag("--stdin"));
    try {
      String written;
      try {
        // masked from here on: a backend that echoes what it was sent cannot show it
        RedactionIndex.global().register(ref, value);
        written = provider.write(backends.providerRef(ref), value, current);
      } catch (UnsupportedOperationException e) {
        throw new UsageException(scheme + " provider has no write path");
      } catch (SecretVersionConflictException e) {
        throw new SecretVersionConflictException(ref, ref + " changed after version " + current
            + " was read (another writer?); nothing written; run rotate again");
      }
      Verification seen = verify(target, backends, written, value);
      if (seen.overtakenBy() != null) {
        // our version is no longer current, so revoking it would not bring the previous back
        io.err().println("secrets: conflict: wrote version " + written + " of " + target.label()
            + ", but a fresh client resolves version " + seen.overtakenBy() + ": another writer"
            + " changed it after this rotation; nothing undone, see 'secrets versions "
            + target.ref() + "'");
        return SecretsCli.CONFLICT;
      }
      if (seen.problem() == null) {
        io.out().println("rotated " + target.label() + ": version " + current + " -> " + written
            + ", verified through a fresh client; version " + current
            + " stays resolvable for the grace window");
        return SecretsCli.OK;
      }
      return rollBack(target, backends, provider, current, written, seen.problem(), io);
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  /** The current version, from the backend's description, else from a resolve. */
  private static Optional<String> currentVersion(Backends.Target target, Backends backends) {
    SecretProvider provider = backends.provider(target.ref().scheme());
    try {
      return provider.describe(backends.providerRef(target.ref())).current();
    } catch (UnsupportedOperationException e) {
      // no describe path: the version a resolve reports
    } catch (SecretNotFoundException e) {
      return Optional.empty();
    }
    try (SecretsClient client = backends.client(java.util.List.of(target.ref().scheme()),
        "secrets-cli rotate"); Secret s = client.resolve(target.ref())) {
      return Optional.of(s.version().orElseThrow(() -> new UsageException(
          backends.realScheme(target.ref().scheme()) + " provider has no write path (it reports"
              + " no versions to compare-and-set against)")));
    } catch (SecretNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * What a fresh client sees after the write.
   *
   * @param overtakenBy the version it resolves when another writer's is current, else null
   * @param problem why it does not resolve as written, else null
   */
  private record Verification(String overtakenBy, String problem) {}

  private static Verification verify(Backends.Target target, Backends backends, String written,
      byte[] value) {
    try (SecretsClient fresh = backends.freshClient(target.ref(), "secrets-cli rotate verify");
         Secret s = fresh.resolve(target.ref())) {
      Optional<String> other = s.version().filter(v -> !v.equals(written));
      if (other.isPresent()) {
        return new Verification(other.get(), null);
      }
      boolean same = s.useBytes(b -> MessageDigest.isEqual(b, value));
      return new Verification(null, same ? null
          : "a fresh client resolves a different value than the one written");
    } catch (SecretException e) {
      return new Verification(null, "a fresh client cannot resolve it ("
          + e.getClass().getSimpleName() + ": " + SecretsCli.shown(e) + ")");
    } catch (Backends.NoProviderException e) {
      return new Verification(null, SecretsCli.shown(e));
    }
  }

  private static int rollBack(Backends.Target target, Backends backends, SecretProvider provider,
      String previous, String written, String problem, CliIo io) {
    String scheme = backends.realScheme(target.ref().scheme());
    try {
      RevokeResult r = provider.revoke(backends.providerRef(target.ref()),
          new RevokeRequest(written, RevokeRequest.Mode.DISABLE, null));
      io.err().println("secrets: rotate of " + target.label() + " failed verification: " + problem
          + "; wrote version " + written + ", then revoked it (" + String.join("; ", r.steps())
          + "); version " + previous + " is current again");
    } catch (UnsupportedOperationException e) {
      io.err().println("secrets: rotate of " + target.label() + " failed verification: " + problem
          + "; wrote version " + written + ", which stays current because the " + scheme
          + " provider has no revoke path; restore version " + previous + " at the backend");
    } catch (SecretException e) {
      io.err().println("secrets: rotate of " + target.label() + " failed verification: " + problem
          + "; wrote version " + written + ", and revoking it failed (" + e.getClass().getSimpleName()
          + ": " + SecretsCli.shown(e) + "): it may be current; run 'secrets revoke " + target.ref()
          + " --version " + written + " --justification \"failed rotation\"'");
    }
    return SecretsCli.STORE_ERROR;
  }
}
