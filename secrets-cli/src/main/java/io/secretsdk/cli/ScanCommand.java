package io.secretsdk.cli;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.provider.local.LocalSecretInfo;
import io.secretsdk.provider.local.LocalSecretProvider;
import io.secretsdk.redact.LeakFinding;
import io.secretsdk.redact.LeakScanner;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code secrets scan}: runs the SDK's {@link LeakScanner} over files and directories (archives
 * included) for known token formats and, on request, for the values of the local store and of
 * named environment variables in every encoded form. Prints {@code path:line:column kind label},
 * never a value.
 */
final class ScanCommand {
  private ScanCommand() {}

  /**
   * Scans {@code paths}.
   *
   * @param store the local store whose values to look for, or {@code null}
   * @param valueEnvs environment variables whose values to look for
   * @param ignoreFile the ignore file, if any
   * @return {@link SecretsCli#OK}, {@link SecretsCli#FINDINGS}, or {@link SecretsCli#STORE_ERROR}
   *     when some paths could not be read
   */
  static int scan(List<Path> paths, LocalSecretProvider store, List<String> valueEnvs,
      Optional<Path> ignoreFile, CliIo io) {
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw new UsageException("no such file or directory: " + p);
      }
    }
    RedactionIndex index = RedactionIndex.create();
    int values = 0;
    for (String name : valueEnvs) {
      String v = io.env().get(name);
      if (v == null || v.isEmpty()) {
        throw new UsageException("--value-env: environment variable " + name + " is not set");
      }
      index.register(SecretRef.parse("env://" + name), v.getBytes(StandardCharsets.UTF_8));
      values++;
    }
    if (store != null) {
      values += registerStoreValues(store, index);
    }
    LeakScanner.Builder builder = LeakScanner.builder().index(index);
    try {
      if (ignoreFile.isPresent()) {
        builder.ignoreFile(ignoreFile.get());
      }
    } catch (IOException e) {
      throw new UsageException("--ignore-file cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    LeakScanner scanner = builder.build();
    // one path at a time (the scanner treats each path on its own, so the result is the same),
    // to show progress on a terminal when many paths are given (a shell glob over a build tree)
    List<LeakFinding> findings = new java.util.ArrayList<>();
    List<String> errors = new java.util.ArrayList<>();
    int files = 0;
    Progress progress = new Progress(io, "scanning paths", paths.size());
    try {
      for (int i = 0; i < paths.size(); i++) {
        LeakScanner.Report report = scanner.scan(List.of(paths.get(i)));
        findings.addAll(report.findings());
        errors.addAll(report.errors());
        files += report.filesScanned();
        progress.step(i + 1);
      }
    } finally {
      progress.end();
    }
    for (LeakFinding f : findings) {
      io.out().println(f);
    }
    for (String e : errors) {
      io.err().println("secrets: scan: " + e);
    }
    String summary = findings.size() + " findings in " + files
        + " files (" + values + " values and the known token formats looked for), "
        + errors.size() + " unreadable";
    if (!findings.isEmpty()) {
      io.err().println("secrets: " + summary);
      return SecretsCli.FINDINGS;
    }
    io.out().println(summary);
    return errors.isEmpty() ? SecretsCli.OK : SecretsCli.STORE_ERROR;
  }

  /** Registers every kept, unexpired version, as {@code local://name?version=N}. */
  private static int registerStoreValues(LocalSecretProvider store, RedactionIndex index) {
    int count = 0;
    FetchContext context = FetchContext.of(RunEnvironment.LOCAL);
    for (LocalSecretInfo info : store.list()) {
      for (LocalSecretInfo.VersionInfo v : info.versions()) {
        if (v.expired()) {
          continue;
        }
        SecretRef ref = SecretRef.parse(info.ref()).withQueryParam("version",
            String.valueOf(v.version()));
        FetchResult result = store.fetch(ref, context);
        byte[] value = result.value();
        try {
          index.register(ref, value);
          count++;
        } finally {
          Arrays.fill(value, (byte) 0);
          result.wipe();
        }
      }
    }
    return count;
  }
}
