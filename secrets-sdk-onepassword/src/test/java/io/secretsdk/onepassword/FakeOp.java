package io.secretsdk.onepassword;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a fake {@code op} executable (a POSIX shell script) that records its argument vector and
 * environment into its own folder and answers {@code op read} according to words in the reference
 * ({@code echo-stderr} writes the file {@code stderr} of that folder to standard error, and the
 * {@code grandchild-*} cases print its file {@code value}, for tests that make canaries at run
 * time).
 */
final class FakeOp {
  static final String VALUE = "CANARY-cli-value-6d1f";

  private FakeOp() {}

  static Path write(Path dir) throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        && Files.isExecutable(Path.of("/bin/sh")), "the fake op CLI needs a POSIX shell");
    String log = dir.toAbsolutePath().toString().replace("'", "");
    String script = "#!/bin/sh\n"
        + "LOG='" + log + "'\n"
        + "printf '%s\\n' \"$@\" > \"$LOG/argv\"\n"
        + "env > \"$LOG/env\"\n"
        + "[ \"$1\" = read ] && [ \"$2\" = --no-newline ] || { echo 'usage: op read --no-newline <ref>' >&2; exit 2; }\n"
        + "ref=\"$3\"\n"
        + "case \"$ref\" in\n"
        + "  *missing*) echo \"[ERROR] 2024/01/01 00:00:00 could not read secret '$ref': \\\"missing\\\" isn't an item in the \\\"Prod\\\" vault. Specify the item with its ID or name.\" >&2; exit 1;;\n"
        + "  *denied*) echo \"[ERROR] 2024/01/01 00:00:00 (401) Unauthorized: invalid service account token $OP_SERVICE_ACCOUNT_TOKEN\" >&2; exit 1;;\n"
        + "  *ratelimited*) echo '[ERROR] 2024/01/01 00:00:00 (429) Too Many Requests' >&2; exit 1;;\n"
        + "  *twins*) echo '[ERROR] 2024/01/01 00:00:00 More than one item matches \"twins\". Try again and specify the item by its ID' >&2; exit 1;;\n"
        + "  *noisy*) i=0; while [ $i -lt 2000 ]; do echo 'noise noise noise noise noise noise noise noise' >&2; i=$((i+1)); done; exit 1;;\n"
        + "  *leaky*) echo 'error near ghp_CANARYaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa in response' >&2; exit 1;;\n"
        + "  *partial*) printf '%s' '" + VALUE + "'; echo 'connection reset while reading' >&2; exit 1;;\n"
        + "  *weird*) echo 'something odd happened' >&2; exit 3;;\n"
        + "  *echo-stderr*) cat \"$LOG/stderr\" >&2; exit 1;;\n"
        + "  *slow*) sleep 60 & echo $! > \"$LOG/childpid\"; wait; exit 0;;\n"
        // a background grandchild keeping standard output open: while op hangs, after op ran a
        // while, or when op exits at once; it prints the file value of the folder
        + "  *grandchild-hangs*) sleep 300 & echo $! > \"$LOG/grandchild\"; wait; exit 0;;\n"
        + "  *grandchild-left*) sleep 300 & echo $! > \"$LOG/grandchild\"; sleep 0.5; cat \"$LOG/value\"; exit 0;;\n"
        + "  *grandchild-quick*) sleep 300 & echo $! > \"$LOG/grandchild\"; cat \"$LOG/value\"; exit 0;;\n"
        + "  *multi*) printf 'line1\\nline2\\n'; exit 0;;\n"
        + "  *huge*) i=0; while [ $i -lt 200 ]; do printf 'vvvvvvvvvv'; i=$((i+1)); done; exit 0;;\n"
        + "  *attribute=otp*) printf '123456'; exit 0;;\n"
        + "  *) printf '%s' '" + VALUE + "'; exit 0;;\n"
        + "esac\n";
    Path op = dir.resolve("op");
    Files.writeString(op, script);
    Files.setPosixFilePermissions(op, PosixFilePermissions.fromString("rwx------"));
    return op;
  }
}
