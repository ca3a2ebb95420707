package io.secretsdk.vault;

import io.secretsdk.SecretConfigException;
import io.secretsdk.identity.FileTokenSource;
import io.secretsdk.identity.GitHubActionsTokenSource;
import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.identity.KubernetesServiceAccountTokenSource;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import io.secretsdk.vault.auth.AgentAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import io.secretsdk.vault.auth.ClientAuthentication;
import io.secretsdk.vault.auth.JwtAuthentication;
import io.secretsdk.vault.auth.JwtAuthenticationOptions;
import io.secretsdk.vault.auth.KubernetesAuthentication;
import io.secretsdk.vault.auth.KubernetesAuthenticationOptions;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds a {@link VaultSecretProvider} from configuration: named options from a configuration file
 * and the environment variables the {@code vault} CLI reads.
 *
 * <table>
 *   <caption>Settings (option, else environment variable)</caption>
 *   <tr><th>option</th><th>variable</th><th>meaning</th></tr>
 *   <tr><td>{@code address}</td><td>{@code VAULT_ADDR}</td><td>server URL (default {@code https://127.0.0.1:8200})</td></tr>
 *   <tr><td>{@code namespace}</td><td>{@code VAULT_NAMESPACE}</td><td>namespace</td></tr>
 *   <tr><td>{@code ca_cert}</td><td>{@code VAULT_CACERT}, {@code VAULT_CAPATH}</td><td>PEM CA bundle (or directory) to trust</td></tr>
 *   <tr><td>{@code client_cert}, {@code client_key}</td><td>{@code VAULT_CLIENT_CERT}, {@code VAULT_CLIENT_KEY}</td><td>mTLS</td></tr>
 *   <tr><td>{@code auth}</td><td>—</td><td>{@code token} (default), {@code approle}, {@code jwt}, {@code kubernetes},
 *       {@code agent} (no token: a Vault Agent or Proxy with auto-auth adds it)</td></tr>
 *   <tr><td>—</td><td>{@code VAULT_AGENT_ADDR}</td><td>agent mode at this address (unless {@code auth} says otherwise);
 *       wins over {@code VAULT_ADDR}</td></tr>
 *   <tr><td>{@code auth_mount}</td><td>—</td><td>mount path of the auth method</td></tr>
 *   <tr><td>{@code token_file}</td><td>{@code VAULT_TOKEN}</td><td>token auth: a token file (Vault Agent sink), else the variable, else {@code ~/.vault-token}</td></tr>
 *   <tr><td>{@code role_id}</td><td>{@code VAULT_ROLE_ID}</td><td>AppRole role id</td></tr>
 *   <tr><td>{@code secret_id_file}</td><td>{@code VAULT_SECRET_ID}</td><td>AppRole secret id</td></tr>
 *   <tr><td>{@code secret_id_wrapped}</td><td>—</td><td>{@code true}: the secret id is a response-wrapping token</td></tr>
 *   <tr><td>{@code role}</td><td>—</td><td>JWT / Kubernetes role; AppRole role name (a wrapped secret id must be for it)</td></tr>
 *   <tr><td>{@code jwt_source}</td><td>—</td><td>{@code github-actions}, {@code kubernetes} or {@code file}</td></tr>
 *   <tr><td>{@code jwt_audience}</td><td>—</td><td>audience asked of GitHub Actions</td></tr>
 *   <tr><td>{@code jwt_file}</td><td>—</td><td>JWT file ({@code jwt_source=file}) or service-account token file</td></tr>
 *   <tr><td>{@code mounts}</td><td>—</td><td>{@code secret=kv2,legacy=kv1,database=generic}</td></tr>
 *   <tr><td>{@code detect_mounts}</td><td>—</td><td>{@code true} (default) / {@code false}</td></tr>
 *   <tr><td>{@code allowed_mounts}</td><td>—</td><td>Vault's own paths refs may address all the same, e.g. {@code cubbyhole}</td></tr>
 *   <tr><td>{@code allow_insecure_http}</td><td>—</td><td>allow {@code http://} to hosts other than loopback</td></tr>
 *   <tr><td>{@code connect_timeout}, {@code read_timeout}, {@code call_timeout}</td><td>—</td><td>{@code 10s}, {@code 2m} or ISO-8601</td></tr>
 * </table>
 * Every option may also be set as an environment variable named {@code SECRETS_SDK_VAULT_} plus the
 * option in upper case ({@code SECRETS_SDK_VAULT_AUTH=jwt}), which is how
 * {@code SecretsClient.fromEnvironment()} configures it. Credentials are never taken from options
 * (configuration files hold refs, never values): only from variables or files.
 *
 * <p>Thread-safe; stateless.
 */
public final class VaultSecretProviderFactory implements SecretProviderFactory {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VaultSecretProviderFactory.class);
  private static final Set<String> OPTIONS = Set.of("address", "namespace", "ca_cert", "client_cert", "client_key",
      "auth", "auth_mount", "token_file", "role_id", "secret_id_file", "secret_id_wrapped", "role", "jwt_source",
      "jwt_audience", "jwt_file", "mounts", "detect_mounts", "allowed_mounts", "allow_insecure_http", "connect_timeout",
      "read_timeout", "call_timeout");

  /** Every option may also be given as an environment variable with this prefix: {@value}. */
  public static final String ENV_PREFIX = "SECRETS_SDK_VAULT_";

  /** For {@link java.util.ServiceLoader}. */
  public VaultSecretProviderFactory() {}

  @Override
  public String scheme() {
    return VaultSecretProvider.SCHEME;
  }

  /**
   * Builds a provider from {@code settings}.
   *
   * @throws SecretConfigException naming the option or variable that is missing or invalid
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    return VaultSecretProvider.create(options(settings));
  }

  /**
   * The {@link VaultOptions} described by {@code settings}.
   *
   * @throws SecretConfigException naming the option or variable that is missing or invalid
   */
  public static VaultOptions options(ProviderSettings settings) {
    for (String key : settings.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new SecretConfigException(null, 0, "vault." + key, "unknown option; known: " + String.join(", ", new java.util.TreeSet<>(OPTIONS)));
      }
    }
    if (settings.env("VAULT_SKIP_VERIFY").filter(v -> !v.equalsIgnoreCase("false") && !v.equals("0")).isPresent()) {
      LOG.warn("VAULT_SKIP_VERIFY is ignored: this SDK never turns TLS verification off; set VAULT_CACERT instead");
    }
    VaultOptions.Builder b = VaultOptions.builder();
    Optional<String> agent = settings.env("VAULT_AGENT_ADDR").filter(a -> !a.isBlank());
    boolean agentMode = opt(settings, "auth").map(a -> a.strip().equalsIgnoreCase("agent"))
        .orElse(agent.isPresent());
    try {
      if (agentMode && agent.isPresent() && opt(settings, "address").isEmpty()) {
        b.address(agent.get()); // as the vault CLI: VAULT_AGENT_ADDR wins over VAULT_ADDR
      } else {
        setting(settings, "address", "VAULT_ADDR").ifPresent(b::address);
      }
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, agentMode && agent.isPresent() ? "VAULT_AGENT_ADDR"
          : "VAULT_ADDR", e.getMessage());
    }
    try {
      setting(settings, "namespace", "VAULT_NAMESPACE").ifPresent(b::namespace);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, "VAULT_NAMESPACE", e.getMessage());
    }
    setting(settings, "ca_cert", "VAULT_CACERT").or(() -> settings.env("VAULT_CAPATH")).map(Path::of)
        .ifPresent(b::caCertificate);
    Optional<String> cert = setting(settings, "client_cert", "VAULT_CLIENT_CERT");
    Optional<String> key = setting(settings, "client_key", "VAULT_CLIENT_KEY");
    if (cert.isPresent() != key.isPresent()) {
      throw new SecretConfigException(null, 0, cert.isPresent() ? "VAULT_CLIENT_KEY" : "VAULT_CLIENT_CERT",
          "mutual TLS needs both VAULT_CLIENT_CERT and VAULT_CLIENT_KEY");
    }
    if (cert.isPresent()) {
      b.clientCertificate(Path.of(cert.get()), Path.of(key.get()));
    }
    b.allowInsecureHttp(bool(settings, "allow_insecure_http", false));
    b.detectMounts(bool(settings, "detect_mounts", true));
    opt(settings, "connect_timeout").ifPresent(v -> b.connectTimeout(duration("connect_timeout", v)));
    opt(settings, "read_timeout").ifPresent(v -> b.readTimeout(duration("read_timeout", v)));
    opt(settings, "call_timeout").ifPresent(v -> b.callTimeout(duration("call_timeout", v)));
    opt(settings, "mounts").ifPresent(v -> mounts(b, v));
    opt(settings, "allowed_mounts").ifPresent(v -> allowedMounts(b, v));
    b.authentication(agentMode ? AgentAuthentication.create() : authentication(settings));
    return b.build();
  }

  private static ClientAuthentication authentication(ProviderSettings s) {
    String method = opt(s, "auth").orElse("token").strip().toLowerCase(Locale.ROOT);
    Optional<String> mount = opt(s, "auth_mount");
    Function<String, String> env = s.environment();
    try {
      switch (method) {
        case "token": {
          if (opt(s, "token_file").isPresent()) {
            return TokenAuthentication.create(TokenAuthenticationOptions.builder()
                .tokenFile(Path.of(opt(s, "token_file").get())).build());
          }
          if (s.env("VAULT_TOKEN").isPresent()) {
            return TokenAuthentication.create(TokenAuthenticationOptions.builder()
                .environmentVariable("VAULT_TOKEN").environment(env).build());
          }
          Optional<String> home = s.env("HOME");
          if (home.isPresent() && Files.isRegularFile(Path.of(home.get(), ".vault-token"))) {
            return TokenAuthentication.create(TokenAuthenticationOptions.builder()
                .tokenFile(Path.of(home.get(), ".vault-token")).build());
          }
          throw new SecretConfigException(null, 0, "VAULT_TOKEN",
              "not set: set VAULT_TOKEN or the token_file option, or choose another auth method");
        }
        case "approle": {
          String roleId = opt(s, "role_id").or(() -> s.env("VAULT_ROLE_ID")).orElseThrow(() ->
              new SecretConfigException(null, 0, "vault.role_id", "AppRole needs role_id (or VAULT_ROLE_ID)"));
          AppRoleAuthenticationOptions.Builder ab = AppRoleAuthenticationOptions.builder().roleId(roleId);
          mount.ifPresent(ab::path);
          opt(s, "role").ifPresent(ab::roleName);
          Optional<String> secretId = opt(s, "secret_id_file").map(f -> readSmallFile(Path.of(f), "vault.secret_id_file"))
              .or(() -> s.env("VAULT_SECRET_ID"));
          if (secretId.isPresent()) {
            if (bool(s, "secret_id_wrapped", false)) {
              ab.wrappedSecretId(secretId.get());
            } else {
              ab.secretId(secretId.get());
            }
          }
          return AppRoleAuthentication.create(ab.build());
        }
        case "jwt":
        case "oidc": {
          JwtAuthenticationOptions.Builder jb = JwtAuthenticationOptions.builder().tokenSource(jwtSource(s));
          mount.ifPresent(jb::path);
          opt(s, "role").ifPresent(jb::role);
          return JwtAuthentication.create(jb.build());
        }
        case "kubernetes": {
          String role = opt(s, "role").orElseThrow(() ->
              new SecretConfigException(null, 0, "vault.role", "Kubernetes auth needs a role"));
          KubernetesAuthenticationOptions.Builder kb = KubernetesAuthenticationOptions.builder().role(role);
          mount.ifPresent(kb::path);
          opt(s, "jwt_file").ifPresent(f -> kb.tokenSource(KubernetesServiceAccountTokenSource.of(Path.of(f))));
          return KubernetesAuthentication.create(kb.build());
        }
        default:
          throw new SecretConfigException(null, 0, "vault.auth", "must be token, approle, jwt or kubernetes");
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new SecretConfigException(null, 0, "vault.auth", e.getMessage());
    }
  }

  private static IdentityTokenSource jwtSource(ProviderSettings s) {
    String source = opt(s, "jwt_source").orElse(
        GitHubActionsTokenSource.isAvailable(s.environment()) ? "github-actions" : "kubernetes");
    switch (source) {
      case "github-actions":
        return GitHubActionsTokenSource.builder().environment(s.environment())
            .audience(opt(s, "jwt_audience").orElse(null)).build();
      case "kubernetes":
        return opt(s, "jwt_file").map(f -> KubernetesServiceAccountTokenSource.of(Path.of(f)))
            .orElseGet(KubernetesServiceAccountTokenSource::create);
      case "file":
        return FileTokenSource.of(Path.of(opt(s, "jwt_file").orElseThrow(() ->
            new SecretConfigException(null, 0, "vault.jwt_file", "jwt_source=file needs jwt_file"))));
      default:
        throw new SecretConfigException(null, 0, "vault.jwt_source", "must be github-actions, kubernetes or file");
    }
  }

  private static Optional<String> setting(ProviderSettings s, String option, String env) {
    return opt(s, option).filter(v -> !v.isBlank()).or(() -> s.env(env));
  }

  /**
   * An option from the settings, else from {@code SECRETS_SDK_VAULT_<OPTION>} (so that
   * {@code SecretsClient.fromEnvironment()}, which passes no options, can configure everything).
   */
  private static Optional<String> opt(ProviderSettings s, String option) {
    return s.option(option).or(() -> s.env(ENV_PREFIX + option.toUpperCase(Locale.ROOT)));
  }

  private static boolean bool(ProviderSettings s, String option, boolean dflt) {
    Optional<String> v = opt(s, option);
    if (v.isEmpty()) {
      return dflt;
    }
    switch (v.get().strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new SecretConfigException(null, 0, "vault." + option, "must be true or false");
    }
  }

  static Duration duration(String option, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("\\d+(ms|s|m|h)")) {
        long n = Long.parseLong(t.replaceAll("\\D", ""));
        Duration d = t.endsWith("ms") ? Duration.ofMillis(n) : t.endsWith("s") ? Duration.ofSeconds(n)
            : t.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
        if (!d.isZero()) {
          return d;
        }
      } else {
        Duration d = Duration.parse(text.strip());
        if (!d.isZero() && !d.isNegative()) {
          return d;
        }
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      // fall through
    }
    throw new SecretConfigException(null, 0, "vault." + option, "must be a positive duration like 10s, 2m or PT30S");
  }

  private static void mounts(VaultOptions.Builder b, String spec) {
    for (String part : spec.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new SecretConfigException(null, 0, "vault.mounts", "entries must look like secret=kv2");
      }
      MountKind kind;
      switch (p.substring(eq + 1).strip().toLowerCase(Locale.ROOT)) {
        case "kv2":
          kind = MountKind.KV_V2;
          break;
        case "kv1":
          kind = MountKind.KV_V1;
          break;
        case "generic":
          kind = MountKind.GENERIC;
          break;
        default:
          throw new SecretConfigException(null, 0, "vault.mounts", "kinds are kv1, kv2 or generic");
      }
      try {
        b.mount(p.substring(0, eq).strip(), kind);
      } catch (IllegalArgumentException e) {
        throw new SecretConfigException(null, 0, "vault.mounts", e.getMessage());
      }
    }
  }

  private static void allowedMounts(VaultOptions.Builder b, String spec) {
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        b.allowMount(part.strip());
      } catch (IllegalArgumentException e) {
        throw new SecretConfigException(null, 0, "vault.allowed_mounts", e.getMessage());
      }
    }
  }

  private static String readSmallFile(Path file, String field) {
    try {
      if (Files.size(file) > 16 * 1024) {
        throw new SecretConfigException(file, 0, field, "file is larger than 16 KiB");
      }
      String v = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
      if (v.isEmpty()) {
        throw new SecretConfigException(file, 0, field, "file is empty");
      }
      return v;
    } catch (IOException e) {
      throw new SecretConfigException(file, 0, field, "cannot read file: " + e.getClass().getSimpleName());
    }
  }
}
