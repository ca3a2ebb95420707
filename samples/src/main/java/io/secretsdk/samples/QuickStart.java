package io.secretsdk.samples;

import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.provider.mem.MemSecretProvider;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runner that resolves the registry's CI names through the in-memory provider — no server and no
 * files — and prints what it resolved: refs, versions and lengths, never values. (The README's
 * quick start is {@link LocalQuickStart}, over an encrypted {@code local://} store.)
 *
 * <p>Run from the repository root: {@code mvn -B -q -pl samples -am package exec:java -DskipTests}
 * (the README has the exact command). Reads {@code configs/secrets-registry.yaml} and
 * {@code configs/secrets-policy.json}; the {@code mem://} values are random demo values made at
 * start-up.
 */
public final class QuickStart {
  private static final Logger log = LoggerFactory.getLogger(QuickStart.class);

  private QuickStart() {}

  public static void main(String[] args) throws Exception {
    Path root = args.length > 0 ? Path.of(args[0]) : Path.of(".");
    int resolved = run(root, System.out);
    System.exit(resolved > 0 ? 0 : 1);
  }

  /** Runs the demo against the config files under {@code root}; returns how many refs resolved. */
  static int run(Path root, PrintStream out) throws Exception {
    Path registryFile = root.resolve("configs/secrets-registry.yaml");
    Path policyFile = root.resolve("configs/secrets-policy.json");
    if (!Files.isRegularFile(registryFile)) {
      throw new IllegalStateException("run from the repository root: " + registryFile + " is missing");
    }
    SecretRegistry registry = SecretRegistry.load(registryFile);
    SecretPolicy policy = SecretPolicy.load(policyFile);

    // Demo values for the mem:// refs of the registry; a real runner registers Vault, AWS, 1Password.
    MemSecretProvider mem = MemSecretProvider.create();
    SecureRandom random = new SecureRandom();
    for (var entry : registry.entries()) {
      SecretRef ref = entry.ref();
      if (ref.scheme().equals("mem")) {
        byte[] demo = new byte[24];
        random.nextBytes(demo);
        mem.put(ref.path(), "demo-" + HexFormat.of().formatHex(demo));
      }
    }

    int count = 0;
    try (SecretsClient client = SecretsClient.builder()
        .provider(mem)
        .registry(registry)
        .policy(policy)
        .environment(RunEnvironment.CI) // the registry's CI refs are mem:// (its dev refs are local://)
        .principal("quick-start")
        .build()) {
      out.println("environment: " + client.environment());
      for (String name : registry.names()) {
        if (registry.entry(name, client.environment()).isEmpty()) {
          continue;
        }
        SecretRef ref = client.refOf(name);
        if (!client.refOf(name).scheme().equals("mem")) {
          out.println("skipped " + name + " -> " + ref + " (not a demo ref)");
          continue;
        }
        try (Secret secret = client.resolveByName(name)) {
          int length = secret.useBytes(bytes -> bytes.length);
          out.println("resolved " + name + " -> " + secret.ref() + " version "
              + secret.version().orElse("-") + " (" + length + " bytes)");
          log.info("resolved {}: {}", name, secret); // Secret.toString masks the value
          count++;
        }
        try (Secret again = client.resolveByName(name)) {
          out.println("  again from cache: " + again);
        }
      }
    }
    out.println(count + " refs resolved; no value was printed");
    return count;
  }
}
