#!/usr/bin/env python3
"""Prints BENCHMARKS.md's result tables from the files run-benchmarks.sh wrote.

usage: python3 secrets-sdk-benchmarks/report.py [outdir]   (default secrets-sdk-benchmarks/target/results)
"""
import json
import os
import re
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "secrets-sdk-benchmarks/target/results"


def load(name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        try:
            return json.load(f)
        except ValueError:
            return []  # a run still writing, or one that failed


def lines(name, pattern, benchmark=None):
    """Lines of a run's log matching pattern, optionally only those printed by one benchmark."""
    path = os.path.join(out, name + ".txt")
    if not os.path.exists(path):
        return []
    current = None
    kept = []
    with open(path) as f:
        for l in f:
            if l.startswith("# Benchmark: "):
                current = l.split(".")[-1].strip()
            if re.match(pattern, l) and (benchmark is None or current == benchmark):
                kept.append(l.rstrip())
    return kept


def pm(m, digits=1):
    """score ± error of a JMH metric; the error is NaN with a single iteration."""
    try:
        err = float(m["scoreError"])
    except (TypeError, ValueError):
        err = float("nan")
    score = float(m["score"])
    if err != err:
        return f"{score:,.{digits}f}"
    return f"{score:,.{digits}f} ± {err:,.{digits}f}"


def short(r):
    return r["benchmark"].rsplit(".", 1)[1]


def sec(r, key):
    m = r.get("secondaryMetrics", {}).get(key)
    return m["score"] if m else None


def fmt(x, digits=1):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def cache_hit():
    avgt = load("cache-hit-avgt")
    thrpt = load("cache-hit-thrpt")
    if not avgt:
        return
    print("### 1. Cache hit\n")
    print("| threads | impl | time per hit (ns) | throughput, all threads (ops/us) | allocated (B/op)"
          " | vs caffeine | vs aws-caching |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for method, threads in (("hit_1thread", 1), ("hit_2threads", 2)):
        rows = {r["params"]["impl"]: r for r in avgt if short(r) == method}
        tp = {r["params"]["impl"]: r for r in thrpt if short(r) == method}
        base = rows.get("caffeine", {}).get("primaryMetric", {}).get("score")
        aws = rows.get("aws-caching", {}).get("primaryMetric", {}).get("score")
        for impl, r in rows.items():
            p = r["primaryMetric"]
            t = tp.get(impl, {}).get("primaryMetric")
            tps = pm(t, 2) if t else "-"
            print(f"| {threads} | {impl} | {pm(p)} | {tps}"
                  f" | {fmt(sec(r, 'gc.alloc.rate.norm'), 0)} | {ratio(p['score'], base)}"
                  f" | {ratio(p['score'], aws)} |")
    print()


def cold_miss():
    rows = load("cold-miss")
    if not rows:
        return
    print("### 2. Cold misses (64 callers, provider takes 5 ms)\n")
    print("| impl | rounds | provider calls | calls per round | round time mean (ms) | p50 | p99"
          " | max |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        p = r["primaryMetric"]
        pct = p["scorePercentiles"]
        calls = sec(r, "providerCalls")
        rounds = sec(r, "rounds")
        print(f"| {r['params']['impl']} | {fmt(rounds, 0)} | {fmt(calls, 0)} | {ratio(calls, rounds).rstrip('x')}"
              f" | {p['score']:.2f} | {pct['50.0']:.2f} | {pct['99.0']:.2f} | {pct['100.0']:.2f} |")
    print("\nEach caller's own latency (gate opened to value in hand), per fork:\n")
    print("```")
    for l in lines("cold-miss", r"^\[.*caller latency"):
        print(l)
    print("```\n")


def refresh():
    rows = [r for r in load("refresh") if short(r) == "read"]
    if not rows:
        return
    print("### 3. Refresh under load (2 reader threads, refresh takes 200 ms)\n")
    print("JMH sample mode (a random subset of reads is timed), ns:\n")
    print("| impl | scenario | p50 | p99 | p99.9 | p99.99 | max |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        pct = r["primaryMetric"]["scorePercentiles"]
        print(f"| {r['params']['impl']} | {r['params']['scenario']} | {fmt(pct['50.0'], 0)}"
              f" | {fmt(pct['99.0'], 0)} | {fmt(pct['99.9'], 0)} | {fmt(pct['99.99'], 0)}"
              f" | {fmt(pct['100.0'], 0)} |")
    print("\nEvery read timed (`readEveryOp`), split by whether a provider call was in flight, per fork:\n")
    print("```")
    for l in lines("refresh", r"^\[.*(reads|refreshes)", "readEveryOp"):
        if "reads during refresh: n=0 " not in l:
            print(l)
    print("```\n")


def redaction():
    plain = load("redaction-plain")
    rows = load("redaction") + load("redaction-peer") + load("redaction-diag")
    if not rows and not plain:
        return
    base = {}
    for r in plain:
        base[(r["params"]["impl"], r["params"]["message"])] = r
    print("### 4. Redaction (200-byte message)\n")
    print("| encoder | registered values | message | ns/op | allocated (B/op) | vs plain encoder |")
    # index-scan* are diagnostics: the scan alone over the pattern encoder's line
    print("|---|---:|---|---:|---:|---:|")
    for r in plain + rows:
        impl = r["params"]["impl"]
        # the diagnostics scan the pattern encoder's line: compared with that encoder
        family = "json" if impl.startswith("json") else "pattern"
        b = base.get((family, r["params"]["message"]))
        p = r["primaryMetric"]
        reg = r["params"]["registered"] if r in rows else "-"
        print(f"| {impl} | {reg} | {r['params']['message']} | {pm(p, 0)}"
              f" | {fmt(sec(r, 'gc.alloc.rate.norm'), 0)}"
              f" | {ratio(p['score'], b['primaryMetric']['score'] if b else None)} |")
    print()


def include(title, name):
    path = os.path.join(out, name)
    if os.path.exists(path):
        print(f"### {title}\n")
        with open(path) as f:
            print(f.read())


def machine():
    path = os.path.join(out, "machine.txt")
    if os.path.exists(path):
        print("```")
        with open(path) as f:
            print(f.read().rstrip())
        print("```\n")


machine()
cache_hit()
cold_miss()
refresh()
redaction()
include("5. Footprint (10,000 cached secrets of 40 bytes)", "footprint.md")
include("6. Fleet simulation", "fleet.md")
