#!/usr/bin/env bash
# Scans files and directories (logs, run records, build artifacts, jars) for leaked secrets with
# the SDK's own leak scanner, io.secretsdk.redact.LeakScannerMain.
#
#   scripts/leak-scan.sh [options] PATH...        (scripts/leak-scan.sh --help for the options)
#
# Prints "path:line:column kind ref-or-detector" per finding, never a value.
# Reads zip/jar entries and gzip data (nested), UTF-8 and UTF-16 text; names on stderr each file
# or entry it could not read ("leak-scan: could not read: path: reason").
# Exit status: 0 nothing found and everything read, 1 findings (whether or not something could
# not be read), 2 usage error (or the scanner could not be built), or nothing found but a file
# or entry could not be read.
# Paths listed in ./.leakscanignore are skipped (test fixtures with fake tokens).
# Builds secrets-sdk-core's jar when it is missing or older than the core's sources
# (LEAK_SCAN_REBUILD=1 forces a rebuild) and
# caches the core's runtime classpath in secrets-sdk-core/target/leak-scan.classpath.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/secrets-sdk-core/target"

find_jar() {
  ls "$target"/secrets-sdk-core-*.jar 2>/dev/null | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' | head -n 1 || true
}

jar="$(find_jar)"
if [[ -z "$jar" || "${LEAK_SCAN_REBUILD:-0}" == "1" \
      || -n "$(find "$root/secrets-sdk-core/src/main" "$root/secrets-sdk-core/pom.xml" -newer "$jar" -print -quit)" ]]; then
  mvn -B -q -f "$root/pom.xml" -pl secrets-sdk-core -am package -DskipTests \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true >&2
  jar="$(find_jar)"
fi
if [[ -z "$jar" ]]; then
  echo "leak-scan: could not build secrets-sdk-core" >&2
  exit 2
fi

cp_file="$target/leak-scan.classpath"
if [[ ! -s "$cp_file" || "$root/pom.xml" -nt "$cp_file" || "$root/secrets-sdk-core/pom.xml" -nt "$cp_file" ]]; then
  mvn -B -q -f "$root/pom.xml" -pl secrets-sdk-core dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >&2
fi

# no SLF4J provider on this classpath: keep SLF4J's own notice about that off stderr
exec java -Dslf4j.internal.verbosity=ERROR -cp "$jar:$(cat "$cp_file")" io.secretsdk.redact.LeakScannerMain "$@"
