package io.secretsdk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalSecretInfo;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.SecretProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code secrets} command line over the SDK: describes, writes, rotates, revokes and injects
 * ({@code run}) secrets of every backend by registry name or ref, gates CI ({@code check}),
 * manages the {@code local://} store, and scans files for leaked secrets. Values are read from
 * stdin, a file, a no-echo prompt or a CSPRNG only, and never printed.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FINDINGS} a check failed or the scan found
 * something (or checked nothing); {@value #USAGE} wrong usage (unknown command or option,
 * missing argument or file, a value offered on the command line, a provider without the write,
 * describe or revoke path asked for); {@value #STORE_ERROR} a backend, the store, key or config is
 * unusable, or a rotation failed its verification; {@value #NOT_FOUND} no such secret or version;
 * {@value #CONFLICT} compare-and-set ({@code --expect-version}) did not match. {@code run} exits
 * with the command's status.
 *
 * <p>{@link #run} never calls {@link System#exit}; {@link Main} does. Thread-safe: each run uses
 * only its arguments.
 */
public final class SecretsCli {
  /** Success. */
  public static final int OK = 0;
  /** {@code check} found a failing name, or {@code scan} found a leak. */
  public static final int FINDINGS = 1;
  /** Wrong usage. */
  public static final int USAGE = 2;
  /** The store, key, registry or policy file is unusable. */
  public static final int STORE_ERROR = 3;
  /** No such secret or version. */
  public static final int NOT_FOUND = 4;
  /** The current version is not the one given with {@code --expected-version}. */
  public static final int CONFLICT = 5;

  static final int MAX_VALUE_BYTES = ValueInput.MAX_VALUE_BYTES;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final CliIo io;
  private final Backends.Overrides overrides;
  private final Clock clock;
  private Backends backends;

  private SecretsCli(CliIo io, Backends.Overrides overrides, Clock clock) {
    this.io = io;
    this.overrides = overrides;
    this.clock = clock;
  }

  /**
   * Runs one command line.
   *
   * @return the exit code
   */
  public static int run(String[] args, CliIo io) {
    return run(args, io, Backends.NONE, Clock.systemUTC());
  }

  /** Runs one command line with providers supplied in place of the factories (tests). */
  static int run(String[] args, CliIo io, Backends.Overrides overrides, Clock clock) {
    return new SecretsCli(io, overrides, clock).dispatch(List.of(args));
  }

  private int dispatch(List<String> args) {
    if (args.isEmpty()) {
      io.err().println(usage());
      return USAGE;
    }
    try {
      GlobalOptions global = GlobalOptions.extract(args);
      List<String> rest = global.rest();
      if (rest.isEmpty()) {
        throw new UsageException("no command; run 'secrets --help' for the list");
      }
      String command = rest.get(0);
      List<String> words = rest.subList(1, rest.size());
      switch (command) {
        case "-h", "--help" -> {
          io.out().println(usage());
          return OK;
        }
        case "help" -> {
          if (words.isEmpty()) {
            io.out().println(usage());
            return OK;
          }
          String help = helpOf(words.get(0));
          if (help == null) {
            throw new UsageException("no such command; run 'secrets --help'");
          }
          io.out().println(help);
          return OK;
        }
        default -> {
          String help = helpOf(command);
          if (help == null) {
            throw new UsageException(command.startsWith("-")
                ? "option " + command.replaceFirst("=.*", "") + " before the command: only "
                    + String.join(", ", new java.util.TreeSet<>(GlobalOptions.NAMES))
                    + " go anywhere; put the others after the command"
                : "unknown command; run 'secrets --help' for the list");
          }
          List<String> after = List.of();
          if (command.equals("run")) {
            int dash = words.indexOf("--");
            if (dash >= 0) {
              after = words.subList(dash + 1, words.size());
              words = words.subList(0, dash);
            }
          }
          Args parsed = parse(command, words);
          if (parsed.help()) {
            io.out().println(help);
            return OK;
          }
          try (Backends b = new Backends(io, global, overrides)) {
            backends = b;
            return execute(command, parsed, after);
          }
        }
      }
    } catch (UsageException e) {
      io.err().println("secrets: " + shown(e));
      return USAGE;
    } catch (Backends.NoProviderException e) {
      io.err().println("secrets: " + shown(e));
      return USAGE;
    } catch (SecretNotFoundException e) {
      io.err().println("secrets: not found: " + shown(e));
      return NOT_FOUND;
    } catch (SecretVersionConflictException e) {
      io.err().println("secrets: conflict: " + shown(e));
      return CONFLICT;
    } catch (InvalidSecretRefException e) {
      io.err().println("secrets: " + shown(e));
      return USAGE;
    } catch (SecretException e) {
      io.err().println("secrets: error: " + shown(e));
      return STORE_ERROR;
    } catch (UnsupportedOperationException e) {
      io.err().println("secrets: the provider cannot do that (" + e.getClass().getSimpleName() + ")");
      return USAGE;
    } catch (IllegalArgumentException e) {
      io.err().println("secrets: " + shown(e));
      return USAGE;
    } catch (IllegalStateException e) {
      io.err().println("secrets: error: " + shown(e));
      return STORE_ERROR;
    } catch (RuntimeException e) {
      // not one of ours: its message could hold anything, so only its type is shown
      io.err().println("secrets: internal error: " + e.getClass().getName() + " (message withheld)");
      return STORE_ERROR;
    }
  }

  /**
   * A failure's message as the tool prints it: masked against every value and credential this
   * process has registered (a value sent to a backend that echoes it back included) and the token
   * formats.
   */
  static String shown(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    return RedactionIndex.global().redact(message);
  }

  /** The exit code a failure of the SDK maps to. */
  static int exitCode(SecretException e) {
    if (e instanceof SecretNotFoundException) {
      return NOT_FOUND;
    }
    if (e instanceof InvalidSecretRefException) {
      return USAGE;
    }
    return e instanceof SecretVersionConflictException ? CONFLICT : STORE_ERROR;
  }

  private Args parse(String command, List<String> rest) {
    Set<String> withValue = new LinkedHashSet<>();
    Set<String> flags = new LinkedHashSet<>();
    switch (command) {
      case "put" -> {
        withValue.addAll(List.of("--expires-in", "--meta", "--expected-version", "--expect-version",
            "--file"));
        flags.add("--stdin");
      }
      case "list" -> flags.add("--json");
      case "describe", "versions" -> flags.add("--json");
      case "rotate" -> {
        withValue.addAll(List.of("--generate", "--file", "--expect-version"));
        flags.addAll(List.of("--stdin", "--dry-run"));
      }
      case "rekey" -> withValue.add("--new-key-file");
      case "revoke" -> withValue.addAll(List.of("--version", "--mode", "--recovery-window",
          "--justification", "--actor", "--out"));
      case "check" -> flags.add("--strict");
      case "run" -> withValue.addAll(List.of("--files", "--timeout"));
      case "scan" -> {
        withValue.addAll(List.of("--value-env", "--ignore-file"));
        flags.addAll(List.of("--store-values", "--no-ignore-file"));
      }
      default -> { }
    }
    return Args.parse(rest, withValue, flags);
  }

  private int execute(String command, Args a, List<String> after) {
    return switch (command) {
      case "init" -> init(a);
      case "put" -> put(a);
      case "list" -> list(a);
      case "describe", "versions" -> DescribeCommand.run(command, a, backends, io);
      case "rotate" -> RotateCommand.run(a, backends, io);
      case "revoke" -> RevokeCommand.run(a, backends, io, clock);
      case "rekey" -> rekey(a);
      case "check" -> CheckCommand.run(a, backends, io);
      case "run" -> RunCommand.run(a, after, backends, io);
      case "scan" -> scan(a);
      default -> throw new UsageException("unknown command");
    };
  }

  // ------------------------------------------------------------------ commands

  private int init(Args a) {
    a.positionals("init");
    LocalStoreOptions options = backends.localOptions();
    if (keyFromEnvironment()) {
      io.out().println("key: from " + LocalStoreOptions.KEY_VARIABLE + " (key id "
          + LocalKeys.keyId(LocalKeys.decode(io.env().get(LocalStoreOptions.KEY_VARIABLE),
              LocalStoreOptions.KEY_VARIABLE)) + "); no key file needed");
    } else if (Files.exists(options.keyFile())) {
      byte[] key = LocalKeys.readKeyFile(options.keyFile());
      try {
        io.out().println("key file " + options.keyFile() + " already exists (key id "
            + LocalKeys.keyId(key) + "); nothing to do");
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    } else {
      byte[] key = LocalKeys.generate();
      try {
        LocalKeys.writeKeyFile(options.keyFile(), key);
        io.out().println("created key file " + options.keyFile() + " (mode 0600, key id "
            + LocalKeys.keyId(key) + ")");
        io.out().println("back it up: without it the store cannot be opened");
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
    if (Files.exists(options.storeFile())) {
      try (LocalSecretProvider provider = LocalSecretProvider.create(options)) {
        // verifies that the key opens the existing store (else exit 3 naming both key ids)
        io.out().println("store: " + options.storeFile() + " (key id "
            + provider.storeKeyId().orElse("-") + ", " + provider.list().size() + " secrets)");
      }
    } else {
      io.out().println("store: " + options.storeFile() + " (created at the first put)");
    }
    return OK;
  }

  private int put(Args a) {
    Backends.Target target = backends.target(a.positionals("put", "NAME|REF").get(0));
    Duration expiresIn = a.option("--expires-in").map(SecretsCli::duration).orElse(null);
    Map<String, String> metadata = new TreeMap<>();
    for (String m : a.all("--meta")) {
      int eq = m.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--meta takes KEY=VALUE");
      }
      metadata.put(m.substring(0, eq), m.substring(eq + 1));
    }
    Optional<String> legacy = a.option("--expected-version");
    Optional<String> expect = a.option("--expect-version");
    if (legacy.isPresent() && expect.isPresent()) {
      throw new UsageException("give --expect-version once (--expected-version is its old name)");
    }
    String expected = expect.or(() -> legacy).orElse(null);
    if (expected != null && !expected.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new UsageException("--expect-version takes a version id (0 for a new local:// or"
          + " mem:// secret)");
    }
    String scheme = backends.realScheme(target.ref().scheme());
    SecretProvider provider = backends.provider(scheme);
    boolean local = provider instanceof LocalSecretProvider;
    if (!local && (expiresIn != null || !metadata.isEmpty())) {
      throw new UsageException("--expires-in and --meta are for local:// secrets only");
    }
    if (local && expected != null && !expected.matches("\\d{1,9}")) {
      throw new UsageException("--expect-version takes a local:// version number (0 for a new"
          + " secret)");
    }
    if (local && (!target.ref().query().isEmpty() || target.ref().field().isPresent())) {
      throw new UsageException("put takes a plain local://NAME, without ?version or #field");
    }
    if (local) {
      backends.requireKey();
    }
    byte[] value = ValueInput.read(io, target.label(), a.option("--file").map(Path::of),
        a.flag("--stdin"));
    try {
      String version;
      if (local) {
        version = ((LocalSecretProvider) provider).put(target.ref().path(), value, expiresIn,
            metadata, expected);
      } else {
        try {
          // masked from here on: a backend that echoes what it was sent cannot show it
          RedactionIndex.global().register(target.ref(), value);
          version = provider.write(backends.providerRef(target.ref()), value, expected);
        } catch (UnsupportedOperationException e) {
          throw new UsageException(scheme + " provider has no write path");
        }
      }
      io.out().println("stored " + target.label() + " version " + version
          + (expiresIn == null ? "" : " (expires in " + expiresIn + ")"));
      return OK;
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  private int list(Args a) {
    a.positionals("list");
    backends.requireStore();
    try (LocalSecretProvider provider = LocalSecretProvider.create(backends.localOptions())) {
      List<LocalSecretInfo> infos = provider.list();
      if (a.flag("--json")) {
        ArrayNode arr = JSON.createArrayNode();
        infos.forEach(i -> arr.add(json(i)));
        io.out().println(arr.toPrettyString());
        return OK;
      }
      if (infos.isEmpty()) {
        io.out().println("no secrets in " + provider.storeFile());
        return OK;
      }
      io.out().printf("%-40s %-8s %-8s %-24s %s%n", "NAME", "CURRENT", "VERSIONS", "CREATED", "EXPIRES");
      for (LocalSecretInfo i : infos) {
        LocalSecretInfo.VersionInfo c = i.current();
        io.out().printf("%-40s %-8d %-8d %-24s %s%n", i.name(), c.version(), i.versions().size(),
            c.createdAt(), c.expiry().map(e -> e + (c.expired() ? " (expired)" : "")).orElse("-"));
      }
      return OK;
    }
  }

  private int rekey(Args a) {
    a.positionals("rekey");
    LocalStoreOptions options = backends.localOptions();
    Optional<String> newKeyFile = a.option("--new-key-file");
    try (LocalSecretProvider provider = LocalSecretProvider.create(options)) {
      String oldId = provider.storeKeyId().orElseThrow(() -> new SecretNotFoundException(null,
          "no store at " + options.storeFile() + " to rotate"));
      if (keyFromEnvironment()) {
        if (newKeyFile.isEmpty()) {
          throw new UsageException("the key comes from " + LocalStoreOptions.KEY_VARIABLE
              + ": pass --new-key-file PATH to receive the new key (it is never printed)");
        }
        Path target = Path.of(newKeyFile.get()).toAbsolutePath();
        byte[] key = LocalKeys.generate();
        try {
          LocalKeys.writeKeyFile(target, key); // saved before the store depends on it
          String newId;
          try {
            newId = provider.rotateKey(key);
          } catch (RuntimeException e) {
            // the store was not changed (a rotation is all or nothing): the new key is not needed
            try {
              Files.deleteIfExists(target);
            } catch (IOException ignored) {
              // left behind; it opens nothing
            }
            throw e;
          }
          io.out().println("rotated " + options.storeFile() + ": key id " + oldId + " -> " + newId);
          io.out().println("new key written to " + target + " (mode 0600); set "
              + LocalStoreOptions.KEY_VARIABLE + " from it, e.g. " + LocalStoreOptions.KEY_VARIABLE
              + "=\"$(cat " + target + ")\"");
        } finally {
          Arrays.fill(key, (byte) 0);
        }
      } else {
        if (newKeyFile.isPresent()) {
          throw new UsageException("--new-key-file is only for a key from "
              + LocalStoreOptions.KEY_VARIABLE + "; the key file " + options.keyFile()
              + " is replaced in place");
        }
        String newId = provider.rotateKey();
        io.out().println("rotated " + options.storeFile() + ": key id " + oldId + " -> " + newId);
        io.out().println("key file " + options.keyFile() + " now holds the new key");
      }
      return OK;
    }
  }

  private int scan(Args a) {
    List<String> paths = a.positionals();
    if (paths.isEmpty()) {
      throw new UsageException("scan needs at least one PATH");
    }
    Optional<Path> ignore = a.option("--ignore-file").map(Path::of);
    if (ignore.isPresent() && a.flag("--no-ignore-file")) {
      throw new UsageException("--ignore-file and --no-ignore-file exclude each other");
    }
    if (ignore.isEmpty() && !a.flag("--no-ignore-file")
        && Files.isRegularFile(Path.of(".leakscanignore"))) {
      ignore = Optional.of(Path.of(".leakscanignore"));
    }
    List<Path> roots = paths.stream().map(Path::of).toList();
    if (!a.flag("--store-values")) {
      return ScanCommand.scan(roots, null, a.all("--value-env"), ignore, io);
    }
    backends.requireStore();
    try (LocalSecretProvider store = LocalSecretProvider.create(backends.localOptions())) {
      return ScanCommand.scan(roots, store, a.all("--value-env"), ignore, io);
    }
  }

  // ------------------------------------------------------------------ helpers

  private boolean keyFromEnvironment() {
    String v = io.env().get(LocalStoreOptions.KEY_VARIABLE);
    return v != null && !v.isBlank();
  }

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})([smhd])");

  static Duration duration(String text) {
    return duration("--expires-in", text);
  }

  /** A positive duration: {@code 90s}, {@code 15m}, {@code 8h}, {@code 7d} or ISO-8601. */
  static Duration duration(String option, String text) {
    Matcher m = SHORT_DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      if (!d.isZero()) {
        return d;
      }
    } else {
      try {
        Duration d = Duration.parse(text);
        if (!d.isNegative() && !d.isZero()) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // the usage error below
      }
    }
    throw new UsageException(option + " takes a positive duration such as 90s, 15m, 8h, 7d or PT15M");
  }

  private static ObjectNode json(LocalSecretInfo info) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", info.name()).put("ref", info.ref()).put("current", info.current().version());
    ArrayNode versions = o.putArray("versions");
    for (LocalSecretInfo.VersionInfo v : info.versions()) {
      ObjectNode vo = versions.addObject();
      vo.put("version", v.version()).put("created_at", v.createdAt().toString());
      v.expiry().ifPresent(e -> vo.put("expires_at", e.toString()));
      vo.put("expired", v.expired());
      ObjectNode meta = vo.putObject("metadata");
      new TreeMap<>(v.metadata()).forEach(meta::put);
    }
    return o;
  }

  // ------------------------------------------------------------------ help

  private static final Map<String, String> HELP = new LinkedHashMap<>();

  static {
    String global = "\n\nGlobal options (anywhere on the line, before a --):\n"
        + "  --env ENV          local, ci or prod (also dev); default $" + RunEnvironment.ENV_VARIABLE
        + ", else ci when $CI=true, else local\n"
        + "  --registry FILE    names -> refs per environment (default $SECRETS_SDK_REGISTRY)\n"
        + "  --policy FILE      the policy checked before every resolve (default $SECRETS_SDK_POLICY)\n"
        + "  --store FILE       the local:// store (default $" + LocalStoreOptions.STORE_VARIABLE
        + ", else ~/.secrets-sdk/local-store.json)\n"
        + "  --format FORMAT    text (default) or json, for check, describe and versions\n"
        + "  --key-file FILE    the store's key file when $" + LocalStoreOptions.KEY_VARIABLE
        + " is unset (default $" + LocalStoreOptions.KEY_FILE_VARIABLE
        + ", else ~/.secrets-sdk/local-store.key); mode 0600\n"
        + "A missing registry, policy or store file is a usage error naming it (exit 2).";
    String target = "\n\nNAME|REF is a ref (vault://kv/app#key, aws-sm://prod/db, local://openai/dev), or a"
        + " registry name\nfor --env when a registry is given, else a local:// store name. Backends"
        + " are set up as\nSecretsClient.fromEnvironment() does: the same variables (VAULT_ADDR,"
        + " AWS_REGION, ...,\n$SECRETS_SDK_PROVIDERS, $SECRETS_SDK_FACTORIES, $SECRETS_SDK_ALIASES)"
        + " and the same factories.";
    String exits = "\n\nExit codes: 0 done; 2 wrong usage, or the provider has no such path; 3 backend,"
        + " store, key or\nconfig error; 4 no such secret or version; 5 version conflict";
    HELP.put("init", "usage: secrets init\n\n"
        + "Creates the key file (32 random bytes, base64, mode 0600) unless it exists or $"
        + LocalStoreOptions.KEY_VARIABLE + " is set. The store file is created by the first put."
        + "\n\nExit codes: 0 done; 2 wrong usage; 3 store or key unusable" + global);
    HELP.put("put", "usage: secrets put NAME|REF [--expect-version V] [--file FILE | --stdin]\n"
        + "                   [--expires-in DURATION] [--meta KEY=VALUE]...\n\n"
        + "Writes a new version through the provider's write path (local://, mem://, Vault KV,\n"
        + "AWS Secrets Manager). The value is read from --file, from stdin when it is piped, or from\n"
        + "the terminal without echo (typed twice); never from an argument or an environment variable:\n"
        + "options such as --value are refused. One trailing newline is dropped.\n\n"
        + "  --expect-version V   write only if the current version is V (compare-and-set; 0: a new\n"
        + "                       local:// or mem:// secret); --expected-version is the old spelling\n"
        + "  --file FILE          read the value from FILE\n"
        + "  --stdin              read stdin even on a terminal\n"
        + "  --expires-in D       local:// only: the version stops resolving after D (90s, 15m, 8h, 7d)\n"
        + "  --meta KEY=VALUE     local:// only: non-secret metadata (owner, ticket); repeatable\n\n"
        + "A provider without a write path says so in one line (exit 2).\n\n"
        + "example: printf %s \"$OPENAI_KEY\" | secrets put openai/dev --expires-in 8h"
        + target + exits + global);
    HELP.put("list", "usage: secrets list [--json]\n\n"
        + "Lists the local:// store's secrets: name, current version, versions kept, creation and"
        + " expiry.\nNo values.\n\nExit codes: 0 done; 2 wrong usage or no store file; 3 store or"
        + " key unusable" + global);
    HELP.put("describe", "usage: secrets describe NAME|REF [--format text|json]\n\n"
        + "What the backend says about a secret, without its value: current version, metadata, the\n"
        + "rotation grace, and every version with its state, stages, creation and expiry."
        + target + exits + global);
    HELP.put("versions", "usage: secrets versions NAME|REF [--format text|json]\n\n"
        + "The versions of a secret, newest first: state (enabled, disabled, destroyed), stages\n"
        + "(AWSCURRENT, AWSPREVIOUS), creation and expiry. No values." + target + exits + global);
    HELP.put("rotate", "usage: secrets rotate NAME|REF [--generate N | --file FILE | --stdin]\n"
        + "                      [--expect-version V] [--dry-run]\n\n"
        + "Rotates a secret: reads its current version, writes the new value with compare-and-set\n"
        + "against it, then resolves the secret through a fresh client and checks that it is the new\n"
        + "version with the new value. The previous version is kept, so clients that saw it resolve it\n"
        + "for the grace window. When the check fails, the new version is revoked so the previous one\n"
        + "is current again, and the command says exactly what happened (exit 3). Another writer\n"
        + "getting in first exits 5: before the write nothing is written; after it nothing is undone.\n\n"
        + "  --generate N        the new value: N random bytes (16 to 1024) from a CSPRNG, as\n"
        + "                      URL-safe base64; never printed\n"
        + "  --file FILE         the new value from FILE (else stdin, else a no-echo prompt)\n"
        + "  --expect-version V  refuse unless the current version is V (exit 5)\n"
        + "  --dry-run           say what would happen; write nothing\n\n"
        + "example: secrets rotate openai --env prod --generate 32" + target + exits + global);
    HELP.put("revoke", "usage: secrets revoke NAME|REF --justification TEXT [--version V]\n"
        + "                      [--mode disable|destroy|schedule-deletion] [--recovery-window D]\n"
        + "                      [--actor NAME] [--out FILE]\n\n"
        + "The revocation procedure: disables the version at its source (the current one unless\n"
        + "--version), invalidates this process's cached copy (with a revocation audit event), and\n"
        + "writes a revocation event (JSON: type, time, ref, version, mode, actor, justification and\n"
        + "the steps taken; never a value) to FILE, or to stdout with the summary on stderr.\n\n"
        + "  --mode disable            stop serving, restorable where the backend can (default; Vault\n"
        + "                            KV v2 delete, AWS stage removal; local:// deletes the version)\n"
        + "  --mode destroy            destroy the version (Vault KV v2 destroy)\n"
        + "  --mode schedule-deletion  delete the whole secret after --recovery-window (AWS)\n"
        + "  --actor NAME              who revokes (default $SECRETS_SDK_ACTOR, $GITHUB_ACTOR, $USER)\n"
        + "  --out FILE                where the event goes; must not exist yet\n\n"
        + "A failure at the source writes no event and says so; a failure writing the event after the\n"
        + "source step prints the event on stdout (exit 3)." + target + exits + global);
    HELP.put("rekey", "usage: secrets rekey [--new-key-file FILE]\n\n"
        + "Re-encrypts the local:// store under a new key: generates the key and re-wraps every data\n"
        + "key in one atomic write (all or nothing). With a key file, the key file is replaced. With $"
        + LocalStoreOptions.KEY_VARIABLE + ", --new-key-file FILE\nis required: the new key is written"
        + " there (mode 0600) before the store changes, and never printed.\n\n"
        + "Exit codes: 0 done; 2 wrong usage or no store file; 3 store or key unusable; 4 no store"
        + global);
    HELP.put("check", "usage: secrets check [--format text|json] [--strict]\n\n"
        + "The CI gate: resolves every registry name of the environment and checks it against the\n"
        + "policy, printing per name ok, FAIL (why), SKIP (why it cannot be checked here: a scheme\n"
        + "with no provider, or mem:// values that live in an application's memory) or '-' (no entry\n"
        + "for the environment). Never prints a value. Needs a registry (--registry or\n"
        + "$SECRETS_SDK_REGISTRY). Progress goes to stderr when it is a terminal.\n\n"
        + "  --format json   one JSON document: environment, passed, counts, and each name\n"
        + "  --strict        a name that cannot be checked fails the gate too\n\n"
        + "Exit codes: 0 at least one name checked and none failed; 1 a name failed, or no name was\n"
        + "checked for the environment (a gate that checks nothing is not green); 2 wrong usage or a\n"
        + "missing registry/policy file; 3 registry or policy unusable" + global);
    HELP.put("run", "usage: secrets run [--files DIR] [--timeout D] [VAR=]NAME|REF... -- COMMAND [ARG...]\n\n"
        + "Resolves the names or refs and runs COMMAND with each value in environment variable VAR\n"
        + "(default: the name upper-cased, non-alphanumerics as _: openai/dev -> OPENAI_DEV). The\n"
        + "command's stdout and stderr are passed on with every resolved value masked, raw and in its\n"
        + "encoded forms (base64, hex, URL- and JSON-escaped), also when split across writes on one\n"
        + "line; output is passed on a line at a time. Values are never in this process's environment\n"
        + "or arguments. Processes the command leaves behind are stopped when it exits.\n\n"
        + "  --files DIR   write each value to a 0600 file VAR in a private 0700 directory made in DIR\n"
        + "                (use a memory-backed one: /dev/shm, $XDG_RUNTIME_DIR) instead of the\n"
        + "                environment; the child gets VAR_FILE=path and SECRETS_RUN_DIR; the\n"
        + "                directory is overwritten and removed afterwards, also on timeout or Ctrl-C\n"
        + "  --timeout D   stop the command and its child processes after D (90s, 15m, 8h)\n\n"
        + "example: secrets run --env ci OPENAI_API_KEY=openai -- ./gradlew test" + target
        + "\n\nExit codes: the command's own exit status; 124 --timeout stopped it; 127 it could not be\n"
        + "started; 130 interrupted; before it starts: 2 wrong usage, 3 backend or config error,\n"
        + "4 no such secret" + global);
    HELP.put("scan", "usage: secrets scan [--store-values] [--value-env NAME]... [--ignore-file FILE |"
        + " --no-ignore-file] PATH...\n\n"
        + "Scans files and directories (artifacts, logs, run records; jar and zip entries too) with\n"
        + "the SDK's leak scanner and prints path:line:column kind label for each finding, never the\n"
        + "finding itself. Progress over many PATHs goes to stderr when it is a terminal.\n\n"
        + "  --store-values     also look for every value kept in the local store, in all its encoded\n"
        + "                     forms (base64, hex, URL- and JSON-escaped); reported as local://NAME?version=N\n"
        + "  --value-env NAME   also look for the value of environment variable NAME (env://NAME)\n"
        + "  --ignore-file F    globs of paths not to scan (default ./.leakscanignore when present)\n"
        + "  --no-ignore-file   do not read ./.leakscanignore\n\n"
        + "Exit codes: 0 nothing found; 1 something found; 2 wrong usage or a PATH that does not\n"
        + "exist; 3 a file under a PATH could not be read, or the store is unusable" + global);
  }

  private static String helpOf(String command) {
    return HELP.get(command);
  }

  static String usage() {
    return "usage: secrets COMMAND [OPTIONS]\n\n"
        + "Commands:\n"
        + "  init       create the key file of the local:// store\n"
        + "  put        write a new version of a secret (value from stdin, a file or a no-echo prompt)\n"
        + "  list       list the local:// store's secrets (metadata only)\n"
        + "  describe   show what the backend says about a secret (metadata only)\n"
        + "  versions   list a secret's versions, states and stages\n"
        + "  rotate     write a new value with compare-and-set and verify it through a fresh client\n"
        + "  revoke     disable a version at its source and write a revocation event\n"
        + "  rekey      re-encrypt the local:// store under a new key\n"
        + "  check      CI gate: every registry name of the environment resolves and satisfies the policy\n"
        + "  run        run a command with secrets in its environment or files, masking its output\n"
        + "  scan       scan files for leaked secrets\n\n"
        + "Global options, anywhere on the line: --env ENV, --registry FILE, --policy FILE,\n"
        + "--store FILE, --key-file FILE, --format text|json. Commands take registry names or\n"
        + "refs of every backend.\n"
        + "'secrets COMMAND --help' describes a command and its exit codes.\n\n"
        + "Exit codes: 0 ok, 1 check failed or scan found leaks, 2 usage error (also: the provider has\n"
        + "no such path, a missing file), 3 backend, store, key or config error, 4 not found,\n"
        + "5 version conflict; run passes the command's status through.";
  }
}
