#!/usr/bin/env bash
# Every measurement behind BENCHMARKS.md, in one go (about 16 minutes on 2 cores).
#   secrets-sdk-benchmarks/run-benchmarks.sh [outdir]          all steps
#   STEPS="cache-hit cold-miss" secrets-sdk-benchmarks/run-benchmarks.sh
# Then: python3 secrets-sdk-benchmarks/report.py [outdir] prints the tables.
# FORKS (default 2), THRPT_FORKS and PEER_FORKS (1; the slow logstash masking and the redaction
# diagnostics), WI (3), WI2 (2) and MI (5) set forks and iterations.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-secrets-sdk-benchmarks/target/results}
jar=secrets-sdk-benchmarks/target/benchmarks.jar
forks=${FORKS:-2}
steps=${STEPS:-"machine cache-hit cold-miss refresh redaction footprint fleet"}
mkdir -p "$out"
[ -f "$jar" ] || mvn -B -q -pl secrets-sdk-benchmarks -am -DskipTests package

jmh() {
  local name=$1
  shift
  java -jar "$jar" "$@" -foe true -rf json -rff "$out/$name.json" > "$out/$name.txt" 2>&1
  echo "$name: done ($(date -u +%H:%M:%S))"
}

for step in $steps; do
  case $step in
    machine)
      { echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"; echo "cores: $(nproc)";
        grep -m1 'model name' /proc/cpuinfo || true; grep -m1 MemTotal /proc/meminfo || true;
        java -version 2>&1 | head -2; uptime; } > "$out/machine.txt" ;;
    cache-hit)
      jmh cache-hit-avgt CacheHitBenchmark -bm avgt -tu ns -f "$forks" -wi "${WI:-3}" -w 1s -i "${MI:-5}" -r 1s -prof gc
      jmh cache-hit-thrpt CacheHitBenchmark -bm thrpt -tu us -f "${THRPT_FORKS:-1}" -wi "${WI:-3}" -w 1s -i "${MI:-5}" -r 1s ;;
    cold-miss)
      jmh cold-miss ColdMissBenchmark -f "$forks" -wi "${WI2:-2}" -w 1s -i "${MI:-5}" -r 1s ;;
    refresh)
      jmh refresh RefreshUnderLoadBenchmark -f "$forks" -wi "${WI2:-2}" -w 1s -i "${MI:-5}" -r 1s ;;
    redaction)
      jmh redaction-plain RedactionBenchmark -p impl=pattern,json -p registered=10 \
          -f "$forks" -wi "${WI:-3}" -w 1s -i "${MI:-5}" -r 1s -prof gc
      jmh redaction RedactionBenchmark -p impl=pattern-redacting,json-redacting \
          -f "$forks" -wi "${WI:-3}" -w 1s -i "${MI:-5}" -r 1s -prof gc
      jmh redaction-peer RedactionBenchmark -p impl=json-logstash-masking \
          -f "${PEER_FORKS:-1}" -wi "${WI:-3}" -w 1s -i "${MI:-5}" -r 1s -prof gc
      jmh redaction-diag RedactionBenchmark -p impl=index-scan,index-scan-no-detectors \
          -f "${PEER_FORKS:-1}" -wi "${WI:-3}" -w 1s -i "${MI:-5}" -r 1s -prof gc ;;
    footprint)
      java -XX:+UseSerialGC -Xms512m -Xmx512m -cp "$jar" io.secretsdk.benchmarks.FootprintMeasurement \
          10000 7 > "$out/footprint.md"
      echo "footprint: done" ;;
    fleet)
      java -Xmx2g -cp "$jar" io.secretsdk.benchmarks.FleetSimulation "$out/fleet" 1000 20 2 5 \
          > "$out/fleet.md" 2> "$out/fleet.log"
      echo "fleet: done" ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
