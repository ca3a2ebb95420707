package io.secretsdk.keychain;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A stand-in for macOS's {@code /usr/bin/security}, written at test time: a bash script that
 * accepts exactly the argument vectors the provider is meant to use (anything else exits 2 with
 * "unexpected arguments"), keeps generic passwords as files in its directory, and answers like
 * {@code security} does (exit 44 and its message for a missing item, 36 for a locked keychain).
 * Every run appends its arguments, one line per run with arguments separated by {@code |}, to
 * {@code argv.log}; {@code security -i} appends the lines it read to {@code stdin.log}.
 */
final class FakeSecurity {
  private final Path dir;
  final Path executable;

  FakeSecurity(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir.resolve("items"));
    this.executable = dir.resolve("security");
    Files.writeString(executable, SCRIPT.replace("@DIR@", dir.toString()));
    Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwx------"));
  }

  private static final String SCRIPT = """
      #!/bin/bash
      dir='@DIR@'
      (IFS='|'; printf '%s\\n' "$*") >> "$dir/argv.log"
      key() { printf '%s\\t%s' "$1" "$2" | od -An -tx1 | tr -d ' \\n'; }
      notfound() { echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2; exit 44; }
      locked() { [ -f "$dir/locked" ] && { echo "security: SecKeychainSearchCopyNext: User interaction is not allowed." >&2; exit 36; }; return 0; }
      [ -f "$dir/sleep" ] && { sleep 30 & echo $! > "$dir/child.pid"; wait; }
      [ -f "$dir/stderr" ] && { cat "$dir/stderr" >&2; exit 1; }
      [ -f "$dir/echo" ] && { echo "security: bad command: $(cat)" >&2; exit 1; }
      case "$1" in
        find-generic-password)
          [ "$2" = -s ] && [ "$4" = -a ] || { echo "unexpected arguments" >&2; exit 2; }
          if [ $# -eq 5 ]; then # attributes only, as security prints them
            f="$dir/items/$(key "$3" "$5")"; [ -f "$f" ] || notfound
            printf 'keychain: "/Users/me/Library/Keychains/login.keychain-db"\nversion: 512\nclass: "genp"\nattributes:\n'
            printf '    "acct"<blob>="%s"\n' "$5"
            printf '    "cdat"<timedate>=0x32303236303130323033303430355A00  "20260102030405Z\\000"\n'
            printf '    "labl"<blob>="%s"\n' "$3"
            printf '    "mdat"<timedate>=0x32303236303230333034303530365A00  "20260203040506Z\\000"\n'
            printf '    "svce"<blob>="%s"\n' "$3"
            exit 0
          fi
          [ $# -eq 6 ] && [ "$6" = -w ] || { echo "unexpected arguments" >&2; exit 2; }
          locked || exit
          f="$dir/items/$(key "$3" "$5")"; [ -f "$f" ] || notfound
          cat "$f"; echo ;;
        delete-generic-password)
          [ $# -eq 5 ] && [ "$2" = -s ] && [ "$4" = -a ] || { echo "unexpected arguments" >&2; exit 2; }
          locked || exit
          f="$dir/items/$(key "$3" "$5")"; [ -f "$f" ] || notfound
          rm -f "$f"; echo 'keychain: "/Users/me/Library/Keychains/login.keychain-db"' ;;
        -i)
          [ $# -eq 1 ] || { echo "unexpected arguments" >&2; exit 2; }
          status=0
          while IFS= read -r line; do
            printf '%s\\n' "$line" >> "$dir/stdin.log"
            re='^add-generic-password -U -s "([^"]*)" -a "([^"]*)" -X ([0-9a-f]*)$'
            if [[ $line =~ $re ]]; then
              locked || { status=36; continue; }
              hex=${BASH_REMATCH[3]}; out=''
              for ((i = 0; i < ${#hex}; i += 2)); do out+="\\\\x${hex:i:2}"; done
              printf "$out" > "$dir/items/$(key "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"; status=0
            else
              echo "unknown command" >&2; status=2
            fi
          done
          exit $status ;;
        *) echo "unexpected arguments" >&2; exit 2 ;;
      esac
      """;

  private Path item(String service, String account) {
    return dir.resolve("items").resolve(HexFormat.of().formatHex(
        (service + "\t" + account).getBytes(UTF_8)));
  }

  void put(String service, String account, String value) throws IOException {
    Files.writeString(item(service, account), value);
  }

  String stored(String service, String account) throws IOException {
    return Files.exists(item(service, account)) ? Files.readString(item(service, account)) : null;
  }

  void lock() throws IOException {
    Files.writeString(dir.resolve("locked"), "");
  }

  void hang() throws IOException {
    Files.writeString(dir.resolve("sleep"), "");
  }

  void failWith(String stderr) throws IOException {
    Files.writeString(dir.resolve("stderr"), stderr);
  }

  /** Makes every run fail, echoing what it read on standard input in its error. */
  void echoInputOnFailure() throws IOException {
    Files.writeString(dir.resolve("echo"), "");
  }

  Path childPidFile() {
    return dir.resolve("child.pid");
  }

  /** The argument vectors of every run, in order. */
  List<List<String>> argv() throws IOException {
    Path log = dir.resolve("argv.log");
    return Files.exists(log) ? Files.readAllLines(log).stream()
        .map(l -> Arrays.asList(l.split("\\|", -1))).toList() : List.of();
  }

  /** The lines {@code security -i} read. */
  List<String> stdin() throws IOException {
    Path log = dir.resolve("stdin.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }
}
