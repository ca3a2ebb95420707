#!/usr/bin/env bash
# Builds samples/spring-boot (Boot's parent, secrets-sdk-bom imported, dependencyConvergence on)
# on the installed secrets-sdk artifacts, runs its @SpringBootTest, then starts the application
# with a demo key in STRIPE_API_KEY and checks that the log masks it and health is UP.
# Extra arguments go to mvn (e.g. -Dmaven.repo.local=...). Run `mvn install` at the root first.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q "$@" package
key="demo-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
out=$(STRIPE_API_KEY="$key" java -jar target/payments-1.0.0.jar)
echo "$out"
if grep -qF -- "$key" <<<"$out"; then
  echo "spring-boot sample: the key reached the output" >&2
  exit 1
fi
for expected in "Bearer [REDACTED:env://STRIPE_API_KEY]" "secrets health: UP"; do
  if ! grep -qF -- "$expected" <<<"$out"; then
    printf 'spring-boot sample: expected "%s"\n' "$expected" >&2
    exit 1
  fi
done
