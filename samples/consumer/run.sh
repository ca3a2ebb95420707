#!/usr/bin/env bash
# Builds samples/consumer (its own pom, importing secrets-sdk-bom like a user's project, with the
# enforcer's dependencyConvergence) on the installed secrets-sdk artifacts, then runs its main on
# the classpath and on the module path. Extra arguments go to every mvn call
# (e.g. -Dmaven.repo.local=...). Run `mvn install` at the repository root first.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q "$@" verify \
  org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -Dmdep.outputFile=target/dependencies.txt -Dmdep.includeScope=runtime
path="target/classes:$(cat target/dependencies.txt)"

check() { # output, expected line
  if ! grep -qF -- "$2" <<<"$1"; then
    printf 'consumer: expected "%s" in:\n%s\n' "$2" "$1" >&2
    exit 1
  fi
}

out=$(java -cp "$path" com.example.runner.Runner)
echo "$out"
check "$out" "running on the classpath"
check "$out" "Authorization: Bearer [REDACTED:mem://demo/api_key]"

out=$(java --module-path "$path" -m com.example.runner/com.example.runner.Runner)
echo "$out"
check "$out" "running on the module path as com.example.runner"
check "$out" "Authorization: Bearer [REDACTED:mem://demo/api_key]"
