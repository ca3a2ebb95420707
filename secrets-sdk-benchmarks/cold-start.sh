#!/usr/bin/env bash
# Whole-process cold start: JVM start to one aws-sm:// value in hand, against a local Secrets
# Manager endpoint (MockWebServer in its own JVM), for (a) secrets-sdk, (b) the AWS caching client
# and (c) a bare AWS SDK v2 GetSecretValue. Runs are interleaved; medians and ratios vs (c).
#   secrets-sdk-benchmarks/cold-start.sh [runs (15)] [outdir (secrets-sdk-benchmarks/target/cold-start)]
# SKIP_BUILD=1 reuses the last build; JAVA (default java) picks the JVM; JAVA_OPTS adds flags to
# every variant (all run with the same classpath and cold-start-logback.xml, root INFO). Prints a
# Markdown report (also in outdir/report.md).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
out=${2:-secrets-sdk-benchmarks/target/cold-start}
cpfile=secrets-sdk-benchmarks/target/cold-start-classpath.txt
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$cpfile" ]; then
  # -am: our modules come from this work tree, never from a stale local repository
  mvn -B -q -pl secrets-sdk-benchmarks -am -DskipTests package dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile=target/cold-start-classpath.txt
fi
# the run uses copies of this tree's jars and classes: rebuilding during a run changes nothing
lib="$out/lib"
rm -rf "$lib" && mkdir -p "$lib"
cp -r secrets-sdk-benchmarks/target/classes "$lib/benchmarks-classes"
cp=""
for entry in "$lib/benchmarks-classes" $(tr ':' ' ' < "$cpfile"); do
  case $entry in
    "$PWD"/*) cp "$entry" "$lib/" && entry="$lib/$(basename "$entry")" ;;
  esac
  cp="${cp:+$cp:}$entry"
done
exec python3 secrets-sdk-benchmarks/cold-start.py "$cp" "$runs" "$out"
