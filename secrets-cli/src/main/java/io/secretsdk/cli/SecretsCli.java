package io.secretsdk.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.provider.local.LocalKeys;
import io.secretsdk.provider.local.LocalSecretInfo;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.provider.local.LocalStoreOptions;
import io.secretsdk.spi.ProviderSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code secrets} command line over the SDK: manages the {@code local://} store, checks a
 * registry against a policy, and scans files for leaked secrets. Values are read from stdin or a
 * no-echo prompt only, and never printed.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FINDINGS} a check failed or the scan found
 * something; {@value #USAGE} wrong usage (unknown command or option, missing argument, a value
 * offered on the command line); {@value #STORE_ERROR} the store or key is unusable (corrupted or
 * tampered file, wrong key, key file readable by others, I/O failure, lock timeout);
 * {@value #NOT_FOUND} no such secret or version; {@value #CONFLICT} {@code --expected-version} did
 * not match.
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

  static final int MAX_VALUE_BYTES = 64 * 1024;
  private static final Set<String> GLOBAL = Set.of("--store", "--key-file");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final CliIo io;

  private SecretsCli(CliIo io) {
    this.io = io;
  }

  /**
   * Runs one command line.
   *
   * @return the exit code
   */
  public static int run(String[] args, CliIo io) {
    return new SecretsCli(io).dispatch(List.of(args));
  }

  private int dispatch(List<String> args) {
    if (args.isEmpty()) {
      io.err().println(usage());
      return USAGE;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    try {
      switch (command) {
        case "-h", "--help" -> {
          io.out().println(usage());
          return OK;
        }
        case "help" -> {
          if (rest.isEmpty()) {
            io.out().println(usage());
            return OK;
          }
          String help = helpOf(rest.get(0));
          if (help == null) {
            throw new UsageException("no such command; run 'secrets --help'");
          }
          io.out().println(help);
          return OK;
        }
        default -> {
          String help = helpOf(command);
          if (help == null) {
            throw new UsageException("unknown command; run 'secrets --help' for the list");
          }
          Args parsed = parse(command, rest);
          if (parsed.help()) {
            io.out().println(help);
            return OK;
          }
          return execute(command, parsed);
        }
      }
    } catch (UsageException e) {
      io.err().println("secrets: " + e.getMessage());
      return USAGE;
    } catch (SecretNotFoundException e) {
      io.err().println("secrets: not found: " + e.getMessage());
      return NOT_FOUND;
    } catch (SecretVersionConflictException e) {
      io.err().println("secrets: conflict: " + e.getMessage());
      return CONFLICT;
    } catch (SecretException e) {
      io.err().println("secrets: error: " + e.getMessage());
      return STORE_ERROR;
    } catch (IllegalArgumentException e) {
      io.err().println("secrets: " + e.getMessage());
      return USAGE;
    } catch (IllegalStateException e) {
      io.err().println("secrets: error: " + e.getMessage());
      return STORE_ERROR;
    } catch (RuntimeException e) {
      // not one of ours: its message could hold anything, so only its type is shown
      io.err().println("secrets: internal error: " + e.getClass().getName() + " (message withheld)");
      return STORE_ERROR;
    }
  }

  private Args parse(String command, List<String> rest) {
    Set<String> withValue = new LinkedHashSet<>(GLOBAL);
    Set<String> flags = new LinkedHashSet<>();
    switch (command) {
      case "put" -> {
        withValue.addAll(List.of("--expires-in", "--meta", "--expected-version"));
        flags.add("--stdin");
      }
      case "list", "describe" -> flags.add("--json");
      case "rotate" -> withValue.add("--new-key-file");
      case "revoke" -> withValue.add("--version");
      case "check" -> {
        withValue.clear();
        withValue.addAll(List.of("--store", "--key-file", "--registry", "--policy", "--env"));
      }
      case "scan" -> {
        withValue.addAll(List.of("--value-env", "--ignore-file"));
        flags.addAll(List.of("--store-values", "--no-ignore-file"));
      }
      default -> { }
    }
    return Args.parse(rest, withValue, flags);
  }

  private int execute(String command, Args a) {
    return switch (command) {
      case "init" -> init(a);
      case "put" -> put(a);
      case "list" -> list(a);
      case "describe" -> describe(a);
      case "rotate" -> rotate(a);
      case "revoke" -> revoke(a);
      case "check" -> check(a);
      case "scan" -> scan(a);
      default -> throw new UsageException("unknown command");
    };
  }

  // ------------------------------------------------------------------ commands

  private int init(Args a) {
    a.positionals("init");
    LocalStoreOptions options = options(a);
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
    String name = a.positionals("put", "NAME").get(0);
    Duration expiresIn = a.option("--expires-in").map(SecretsCli::duration).orElse(null);
    Map<String, String> metadata = new TreeMap<>();
    for (String m : a.all("--meta")) {
      int eq = m.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--meta takes KEY=VALUE");
      }
      metadata.put(m.substring(0, eq), m.substring(eq + 1));
    }
    String expected = a.option("--expected-version").orElse(null);
    if (expected != null && !expected.matches("\\d{1,9}")) {
      throw new UsageException("--expected-version takes a version number (0 for a new secret)");
    }
    byte[] value = readValue(name, a.flag("--stdin"));
    try (LocalSecretProvider provider = LocalSecretProvider.create(options(a))) {
      String version = provider.put(name, value, expiresIn, metadata, expected);
      io.out().println("stored local://" + name + " version " + version
          + (expiresIn == null ? "" : " (expires in " + expiresIn + ")"));
      return OK;
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  private int list(Args a) {
    a.positionals("list");
    try (LocalSecretProvider provider = LocalSecretProvider.create(options(a))) {
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

  private int describe(Args a) {
    String name = a.positionals("describe", "NAME").get(0);
    try (LocalSecretProvider provider = LocalSecretProvider.create(options(a))) {
      LocalSecretInfo info = provider.describe(name).orElseThrow(() ->
          new SecretNotFoundException(null, "no secret named " + name + " in " + provider.storeFile()));
      if (a.flag("--json")) {
        io.out().println(json(info).toPrettyString());
        return OK;
      }
      io.out().println("name:    " + info.name());
      io.out().println("ref:     " + info.ref());
      io.out().println("current: " + info.current().version()
          + (info.current().expired() ? " (expired: does not resolve)" : ""));
      for (LocalSecretInfo.VersionInfo v : info.versions()) {
        io.out().println("version " + v.version() + ": created " + v.createdAt()
            + v.expiry().map(e -> ", expires " + e + (v.expired() ? " (expired)" : "")).orElse("")
            + (v.metadata().isEmpty() ? "" : ", metadata " + new TreeMap<>(v.metadata())));
      }
      return OK;
    }
  }

  private int rotate(Args a) {
    a.positionals("rotate");
    LocalStoreOptions options = options(a);
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

  private int revoke(Args a) {
    String name = a.positionals("revoke", "NAME").get(0);
    int version = a.option("--version").map(v -> {
      if (!v.matches("[1-9]\\d{0,8}")) {
        throw new UsageException("--version takes a positive version number");
      }
      return Integer.parseInt(v);
    }).orElse(0);
    try (LocalSecretProvider provider = LocalSecretProvider.create(options(a))) {
      if (!provider.revoke(name, version)) {
        throw new SecretNotFoundException(null, version == 0 ? "no secret named " + name
            : "no version " + version + " of " + name);
      }
      io.out().println("revoked local://" + name + (version == 0 ? " (all versions)"
          : " version " + version));
      return OK;
    }
  }

  private int check(Args a) {
    a.positionals("check");
    Path registryFile = Path.of(a.option("--registry").orElseThrow(() ->
        new UsageException("check needs --registry FILE")));
    RunEnvironment environment = a.option("--env").map(e -> {
      try {
        return RunEnvironment.fromKey(e);
      } catch (IllegalArgumentException ex) {
        throw new UsageException("--env takes local, dev, ci or prod");
      }
    }).orElseGet(() -> RunEnvironment.detect(io.env()));
    SecretRegistry registry = SecretRegistry.load(registryFile);
    SecretPolicy policy = a.option("--policy").map(p -> SecretPolicy.load(Path.of(p)))
        .orElse(SecretPolicy.permissive());

    SecretsClient.Builder builder = SecretsClient.builder()
        .provider(LocalSecretProvider.create(options(a)))
        .registry(registry).policy(policy).environment(environment)
        .principal("secrets-cli check").negativeTtl(Duration.ZERO)
        .retry(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5));
    Map<String, String> unavailable = new TreeMap<>();
    for (RegistryEntry entry : registry.entries()) {
      String scheme = entry.ref().scheme();
      if (scheme.equals(LocalSecretProvider.SCHEME) || unavailable.containsKey(scheme)) {
        continue;
      }
      try {
        builder.providerFromFactory(scheme, ProviderSettings.of(Map.of(), io.env()::get));
      } catch (SecretConfigException | IllegalArgumentException e) {
        unavailable.put(scheme, e.getMessage());
      }
    }
    List<String> failing = new ArrayList<>();
    int checked = 0;
    try (SecretsClient client = builder.build()) {
      for (String name : registry.names()) {
        Optional<RegistryEntry> entry = registry.entry(name, environment);
        if (entry.isEmpty()) {
          continue;
        }
        checked++;
        SecretRef ref = entry.get().ref();
        String scheme = ref.scheme();
        if (unavailable.containsKey(scheme)) {
          io.out().println("FAIL " + name + " -> " + ref + ": no provider for '" + scheme
              + "' in this tool");
          failing.add(name);
          continue;
        }
        try (Secret secret = client.resolveByName(name)) {
          io.out().println("ok   " + name + " -> " + ref
              + secret.version().map(v -> " (version " + v + ")").orElse(""));
        } catch (SecretException e) {
          io.out().println("FAIL " + name + " -> " + ref + ": " + e.getClass().getSimpleName()
              + ": " + e.getMessage());
          failing.add(name);
        }
      }
    }
    if (failing.isEmpty()) {
      io.out().println(checked + " names checked for " + environment.name().toLowerCase(java.util.Locale.ROOT)
          + ": all resolve and satisfy the policy");
      return OK;
    }
    io.err().println("secrets: check failed for " + failing.size() + " of " + checked + ": "
        + String.join(", ", failing));
    return FINDINGS;
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
    try (LocalSecretProvider store = LocalSecretProvider.create(options(a))) {
      return ScanCommand.scan(roots, store, a.all("--value-env"), ignore, io);
    }
  }

  // ------------------------------------------------------------------ helpers

  private boolean keyFromEnvironment() {
    String v = io.env().get(LocalStoreOptions.KEY_VARIABLE);
    return v != null && !v.isBlank();
  }

  private LocalStoreOptions options(Args a) {
    Function<String, String> env = io.env()::get;
    LocalStoreOptions.Builder b = LocalStoreOptions.builder().environment(env);
    a.option("--store").ifPresent(s -> b.storeFile(Path.of(s)));
    a.option("--key-file").ifPresent(s -> b.keyFile(Path.of(s)));
    return b.build();
  }

  /** The value to store, from stdin or the terminal; never from arguments or the environment. */
  private byte[] readValue(String name, boolean forceStdin) {
    Optional<CliIo.PasswordPrompt> terminal = io.terminal();
    if (!forceStdin && terminal.isPresent()) {
      char[] first = terminal.get().readPassword("Value for " + name + " (not echoed): ");
      char[] second = null;
      try {
        if (first == null || first.length == 0) {
          throw new UsageException("no value entered; nothing stored");
        }
        second = terminal.get().readPassword("Repeat the value: ");
        if (second == null || !Arrays.equals(first, second)) {
          throw new UsageException("the two values differ; nothing stored");
        }
        return encode(first);
      } finally {
        if (first != null) {
          Arrays.fill(first, '\0');
        }
        if (second != null) {
          Arrays.fill(second, '\0');
        }
      }
    }
    byte[] raw = readBounded(io.in());
    int end = raw.length;
    if (end > 0 && raw[end - 1] == '\n') {
      end--;
      if (end > 0 && raw[end - 1] == '\r') {
        end--;
      }
    }
    byte[] value = Arrays.copyOf(raw, end);
    Arrays.fill(raw, (byte) 0);
    if (value.length == 0) {
      throw new UsageException("no value on stdin; pipe it in (printf %s \"$VALUE\" | secrets put "
          + name + ") or run in a terminal to be prompted");
    }
    return value;
  }

  private static byte[] readBounded(InputStream in) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        buf.write(chunk, 0, n);
        if (buf.size() > MAX_VALUE_BYTES) {
          throw new UsageException("the value on stdin is larger than " + MAX_VALUE_BYTES + " bytes");
        }
      }
    } catch (IOException e) {
      throw new UsageException("stdin cannot be read (" + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(chunk, (byte) 0);
    }
    return buf.toByteArray();
  }

  private static byte[] encode(char[] chars) {
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(chars));
      byte[] out = new byte[bb.remaining()];
      bb.get(out);
      if (bb.hasArray()) {
        Arrays.fill(bb.array(), (byte) 0);
      }
      return out;
    } catch (CharacterCodingException e) {
      throw new UsageException("the value is not valid text");
    }
  }

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})([smhd])");

  static Duration duration(String text) {
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
    throw new UsageException("--expires-in takes a positive duration such as 90s, 15m, 8h, 7d or PT15M");
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
    String common = "\n\nStore options (every command that opens the store):\n"
        + "  --store FILE       the store file (default $" + LocalStoreOptions.STORE_VARIABLE
        + ", else ~/.secrets-sdk/local-store.json)\n"
        + "  --key-file FILE    the key file, used when $" + LocalStoreOptions.KEY_VARIABLE
        + " is unset (default $" + LocalStoreOptions.KEY_FILE_VARIABLE
        + ", else ~/.secrets-sdk/local-store.key); must be mode 0600";
    HELP.put("init", "usage: secrets init [--store FILE] [--key-file FILE]\n\n"
        + "Creates the key file (32 random bytes, base64, mode 0600) unless it exists or $"
        + LocalStoreOptions.KEY_VARIABLE + " is set. The store file is created by the first put." + common);
    HELP.put("put", "usage: secrets put NAME [--expires-in DURATION] [--meta KEY=VALUE]...\n"
        + "                   [--expected-version N] [--stdin]\n\n"
        + "Stores a new version of secret NAME (resolved as local://NAME). The value is read from\n"
        + "stdin when it is piped, or from the terminal without echo (typed twice). It is never\n"
        + "taken from an argument or an environment variable: options such as --value are refused.\n"
        + "One trailing newline on stdin is dropped.\n\n"
        + "  --expires-in D        the version stops resolving after D (90s, 15m, 8h, 7d, PT15M)\n"
        + "  --meta KEY=VALUE      non-secret metadata (owner, ticket); repeatable\n"
        + "  --expected-version N  store only if the current version is N (0: a new secret)\n"
        + "  --stdin               read stdin even on a terminal\n\n"
        + "example: printf %s \"$OPENAI_KEY\" | secrets put openai/dev --expires-in 8h" + common);
    HELP.put("list", "usage: secrets list [--json]\n\n"
        + "Lists the secrets: name, current version, versions kept, creation and expiry. No values."
        + common);
    HELP.put("describe", "usage: secrets describe NAME [--json]\n\n"
        + "Shows every version of NAME with its creation, expiry and metadata. No values." + common);
    HELP.put("rotate", "usage: secrets rotate [--new-key-file FILE]\n\n"
        + "Generates a new key and re-wraps every data key under it in one atomic write (all or\n"
        + "nothing). With a key file, the key file is replaced. With $" + LocalStoreOptions.KEY_VARIABLE
        + ", --new-key-file FILE\nis required: the new key is written there (mode 0600) before the"
        + " store changes, and never printed." + common);
    HELP.put("revoke", "usage: secrets revoke NAME [--version N]\n\n"
        + "Deletes every version of NAME, or only version N (the previous one becomes current).\n"
        + "Version numbers are never reused." + common);
    HELP.put("check", "usage: secrets check --registry FILE [--policy FILE] [--env ENV]\n\n"
        + "Resolves every name of the registry for ENV (local, dev, ci, prod; default $"
        + RunEnvironment.ENV_VARIABLE + "/CI\ndetection) and checks it against the policy, without"
        + " printing any value. local:// refs use\nthe store options; other schemes use the SDK's"
        + " providers configured from the environment.\nExits 1 naming the names that fail." + common);
    HELP.put("scan", "usage: secrets scan [--store-values] [--value-env NAME]... [--ignore-file FILE |"
        + " --no-ignore-file] PATH...\n\n"
        + "Scans files and directories (artifacts, logs, run records; jar and zip entries too) with\n"
        + "the SDK's leak scanner and prints path:line:column kind label for each finding, never the\n"
        + "finding itself. Exits 1 if anything is found, 3 if a path could not be read.\n\n"
        + "  --store-values     also look for every value kept in the local store, in all its encoded\n"
        + "                     forms (base64, hex, URL- and JSON-escaped); reported as local://NAME?version=N\n"
        + "  --value-env NAME   also look for the value of environment variable NAME (env://NAME)\n"
        + "  --ignore-file F    globs of paths not to scan (default ./.leakscanignore when present)\n"
        + "  --no-ignore-file   do not read ./.leakscanignore" + common);
  }

  private static String helpOf(String command) {
    return HELP.get(command);
  }

  static String usage() {
    return "usage: secrets COMMAND [OPTIONS]\n\n"
        + "Commands:\n"
        + "  init       create the key file of the local store\n"
        + "  put        store a new version of a secret (value from stdin or a no-echo prompt)\n"
        + "  list       list secrets (metadata only)\n"
        + "  describe   show one secret's versions (metadata only)\n"
        + "  rotate     re-wrap every data key under a new key\n"
        + "  revoke     delete a secret or one version\n"
        + "  check      check that every registry name resolves and satisfies the policy\n"
        + "  scan       scan files for leaked secrets\n\n"
        + "'secrets COMMAND --help' describes a command.\n\n"
        + "Exit codes: 0 ok, 1 check failed or scan found leaks, 2 usage error, 3 store, key or\n"
        + "config error, 4 not found, 5 version conflict.";
  }
}
