package io.secretsdk.provider.file;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a {@link FileSecretProvider} for configuration-driven set-up (scheme {@code file}).
 *
 * <p>Options, all optional (see {@link FileSecretProviderOptions} for their meaning):
 * <ul>
 *   <li>{@code allowedRoots}: comma-separated absolute directories, e.g.
 *       {@code /run/secrets,/var/run/secrets}</li>
 *   <li>{@code maxSize}: largest file, in bytes</li>
 *   <li>{@code stripTrailingNewline}: {@code true} or {@code false}</li>
 *   <li>{@code ttl}: an ISO-8601 duration such as {@code PT1M}; {@code PT0S} reports none</li>
 * </ul>
 * Unknown options are rejected, so a typo is not silently ignored. Error messages name the option
 * but never quote its value.
 *
 * <p>When {@code allowedRoots} is not set, the environment variable
 * {@value #ALLOWED_ROOTS_VARIABLE} (same format) is read through
 * {@link ProviderSettings#env(String)}, so set-up from the environment
 * ({@code SecretsClient.fromEnvironment()}) can restrict the provider too.
 *
 * <p>Stateless and thread-safe.
 */
public final class FileSecretProviderFactory implements SecretProviderFactory {
  /** Environment variable read for the allowed roots when the option is not set. */
  public static final String ALLOWED_ROOTS_VARIABLE = "SECRETS_SDK_FILE_ALLOWED_ROOTS";

  /** Creates the factory; used by {@link java.util.ServiceLoader}. */
  public FileSecretProviderFactory() {}

  @Override
  public String scheme() {
    return FileSecretProvider.SCHEME;
  }

  /**
   * Builds the provider.
   *
   * @throws SecretConfigException if an option is unknown or its value is invalid
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    FileSecretProviderOptions.Builder b = FileSecretProviderOptions.builder();
    for (Map.Entry<String, String> e : new TreeMap<>(settings.options()).entrySet()) {
      String name = e.getKey();
      String value = e.getValue().trim();
      switch (name) {
        case "allowedRoots":
          b.allowedRoots(roots(name, value));
          break;
        case "maxSize":
          try {
            b.maxSize(Integer.parseInt(value));
          } catch (IllegalArgumentException ex) {
            throw invalid(name, "must be a whole number of bytes between 1 and "
                + FileSecretProviderOptions.MAX_MAX_SIZE);
          }
          break;
        case "stripTrailingNewline":
          if (!value.equals("true") && !value.equals("false")) {
            throw invalid(name, "must be true or false");
          }
          b.stripTrailingNewline(Boolean.parseBoolean(value));
          break;
        case "ttl":
          try {
            b.ttl(Duration.parse(value));
          } catch (DateTimeParseException | IllegalArgumentException ex) {
            throw invalid(name, "must be a non-negative ISO-8601 duration such as PT1M");
          }
          break;
        default:
          throw invalid(name, "unknown option for the file provider; known: allowedRoots, maxSize,"
              + " stripTrailingNewline, ttl");
      }
    }
    if (!settings.options().containsKey("allowedRoots")) {
      settings.env(ALLOWED_ROOTS_VARIABLE)
          .ifPresent(value -> b.allowedRoots(roots(ALLOWED_ROOTS_VARIABLE, value.trim())));
    }
    return FileSecretProvider.create(b.build());
  }

  private static List<Path> roots(String name, String value) {
    List<Path> roots = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw invalid(name, "has an empty entry");
      }
      Path path;
      try {
        path = Path.of(p);
      } catch (InvalidPathException ex) {
        throw invalid(name, "holds an invalid path");
      }
      if (!path.isAbsolute()) {
        throw invalid(name, "must hold absolute paths only");
      }
      roots.add(path);
    }
    return roots;
  }

  private static SecretConfigException invalid(String option, String problem) {
    return new SecretConfigException(null, 0, option, problem);
  }
}
