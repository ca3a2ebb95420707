package io.secretsdk.redact;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Command-line entry point of the {@link LeakScanner}.
 *
 * <pre>
 * java -cp ... io.secretsdk.redact.LeakScannerMain [options] PATH...
 *   --value-env NAME          look for the value of environment variable NAME (reported as env://NAME)
 *   --fingerprints FILE       look for keyed fingerprints (lines: hmac-sha256:&lt;hex&gt; &lt;label&gt;)
 *   --fingerprint-key-env NAME  the HMAC key, from environment variable NAME (UTF-8)
 *   --fingerprint-key-file FILE the HMAC key, raw bytes of FILE
 *   --ignore-file FILE        path globs not to scan (default: ./.leakscanignore if present)
 *   --no-ignore-file          do not read ./.leakscanignore
 *   --no-detectors            do not look for token formats
 *   --max-file-bytes N        largest file read, and most bytes read from an archive entry or a
 *                             gzip once decompressed (default 256 MiB)
 * </pre>
 *
 * <p>Prints one finding per line on standard output, {@code path:line:column kind label}, never a
 * value; on standard error, one {@code leak-scan: could not read: path: reason} line per file or
 * archive entry that could not be read in full, and a summary. Exit status: {@value #CLEAN}
 * nothing found and everything read; {@value #FINDINGS} findings (whether or not something could
 * not be read); {@value #ERROR} a usage error (an option's file unreadable too), or nothing found but something could not be read.
 */
final class LeakScannerMain {
  /** Exit status when nothing was found. */
  public static final int CLEAN = 0;
  /** Exit status when something was found, whether or not everything could be read. */
  public static final int FINDINGS = 1;
  /** Exit status on a usage error, or when nothing was found but something could not be read. */
  public static final int ERROR = 2;

  private LeakScannerMain() {}

  /** Runs the scanner and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
  }

  /**
   * Runs the scanner; {@code env} stands for the environment.
   *
   * @return the exit status
   */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    RedactionOptions.Builder options = RedactionOptions.builder();
    List<String> valueEnvs = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    Path ignoreFile = null;
    boolean useDefaultIgnore = true;
    Path fingerprintFile = null;
    byte[] fingerprintKey = null;
    long maxFileBytes = LeakScanner.DEFAULT_MAX_FILE_BYTES;
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--value-env":
            valueEnvs.add(next(args, ++i, a));
            break;
          case "--fingerprints":
            fingerprintFile = Path.of(next(args, ++i, a));
            break;
          case "--fingerprint-key-env": {
            String name = next(args, ++i, a);
            String key = env.get(name);
            if (key == null || key.isEmpty()) {
              return usage(err, "environment variable " + name + " is not set");
            }
            fingerprintKey = key.getBytes(StandardCharsets.UTF_8);
            break;
          }
          case "--fingerprint-key-file":
            fingerprintKey = Files.readAllBytes(Path.of(next(args, ++i, a)));
            break;
          case "--ignore-file":
            ignoreFile = Path.of(next(args, ++i, a));
            break;
          case "--no-ignore-file":
            useDefaultIgnore = false;
            break;
          case "--no-detectors":
            options.detectors(java.util.Set.of());
            break;
          case "--max-file-bytes":
            maxFileBytes = Long.parseLong(next(args, ++i, a));
            break;
          case "-h":
          case "--help":
            err.println(help());
            return CLEAN;
          default:
            if (a.startsWith("-")) {
              return usage(err, "unknown option " + a);
            }
            paths.add(Path.of(a));
        }
      }
      if (paths.isEmpty()) {
        return usage(err, "no PATH given");
      }
      if ((fingerprintFile == null) != (fingerprintKey == null)) {
        return usage(err, "--fingerprints needs --fingerprint-key-env or --fingerprint-key-file, and vice versa");
      }
      RedactionIndex index = RedactionIndex.create(options.build());
      for (String name : valueEnvs) {
        String value = env.get(name);
        if (value == null || value.isEmpty()) {
          return usage(err, "environment variable " + name + " is not set");
        }
        index.register(SecretRef.parse("env://" + name), value.getBytes(StandardCharsets.UTF_8));
      }
      LeakScanner.Builder scanner = LeakScanner.builder().index(index).maxFileBytes(maxFileBytes);
      if (fingerprintFile != null) {
        scanner.fingerprints(KeyedFingerprints.load(fingerprintKey, fingerprintFile));
      }
      if (ignoreFile != null) {
        scanner.ignoreFile(ignoreFile);
      } else if (useDefaultIgnore && Files.isRegularFile(Path.of(".leakscanignore"))) {
        scanner.ignoreFile(Path.of(".leakscanignore"));
      }
      LeakScanner.Report report = scanner.build().scan(paths);
      for (LeakFinding f : report.findings()) {
        out.println(f);
      }
      out.flush();
      for (String e : report.errors()) {
        err.println("leak-scan: could not read: " + e);
      }
      err.println("leak-scan: " + report.findings().size() + " finding(s) in "
          + report.filesScanned() + " file(s) or entries, " + report.errors().size()
          + " could not be read");
      if (!report.findings().isEmpty()) {
        return FINDINGS;
      }
      return report.errors().isEmpty() ? CLEAN : ERROR;
    } catch (IOException e) {
      err.println("leak-scan: error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return ERROR;
    } catch (IllegalArgumentException | InvalidSecretRefException e) {
      return usage(err, e.getMessage());
    }
  }

  private static String next(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(i);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("leak-scan: " + problem);
    err.println(help());
    return ERROR;
  }

  private static String help() {
    return "usage: leak-scan [--value-env NAME]... [--fingerprints FILE (--fingerprint-key-env NAME"
        + " | --fingerprint-key-file FILE)] [--ignore-file FILE | --no-ignore-file] [--no-detectors]"
        + " [--max-file-bytes N] PATH...\n"
        + "\n"
        + "scans files, directories, zip/jar entries and gzip data (by magic bytes, nested up to 4"
        + " deep), UTF-8 and UTF-16 text\n"
        + "exit status: " + CLEAN + " nothing found and everything read; " + FINDINGS + " findings"
        + " (whether or not something could not be read); " + ERROR + " usage error (an option's"
        + " file unreadable too), or nothing"
        + " found but a file or entry could not be read (each named on stderr)";
  }
}
