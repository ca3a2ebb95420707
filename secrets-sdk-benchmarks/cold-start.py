#!/usr/bin/env python3
"""Runs the cold-start variants (see cold-start.sh) and prints the Markdown report.

usage: cold-start.py CLASSPATH RUNS OUTDIR
Each run is a fresh JVM; wall time is measured here (monotonic clock, fork to exit), CPU time
(user + sys) and max RSS come from wait4's rusage of that child alone. Loaded classes are counted
in one extra run per variant with -Xlog:class+load (logging is kept out of the timed runs).
Writes OUTDIR/report.md, OUTDIR/samples.csv (every run) and OUTDIR/<variant>.classes.log.
"""
import collections
import os
import re
import statistics
import subprocess
import sys
import time

PKG = "io.secretsdk.benchmarks.coldstart."
VARIANTS = [
    ("secrets-sdk", "SecretsSdkColdStart", "(a) secrets-sdk `SecretsClient` + aws-sm provider"),
    ("aws-caching", "CachingClientColdStart", "(b) AWS caching client (`SecretCache`)"),
    ("bare-sdk", "BareSdkColdStart", "(c) bare AWS SDK v2 `GetSecretValue`"),
]
BASE = "bare-sdk"
SECRET_ID = "ci/deploy-token"


def java_cmd(cp, main, endpoint, extra=()):
    java = os.environ.get("JAVA", "java")
    opts = os.environ.get("JAVA_OPTS", "").split()
    return [java, "-Dlogback.configurationFile=cold-start-logback.xml", *opts, *extra, "-cp", cp,
            PKG + main, endpoint, SECRET_ID]


def child_env():
    env = dict(os.environ)
    # the default credentials chain finds these first in every variant; no profile files read
    env.update({"AWS_ACCESS_KEY_ID": "coldstartkey", "AWS_SECRET_ACCESS_KEY": "coldstartsecret",
                "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"})
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    return env


def run_once(cmd, env, log):
    with open(log, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        stdout = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or b"value-length" not in stdout:
        sys.exit(f"{cmd[-3]} failed (exit {proc.returncode}); see {log}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def loaded_classes(path):
    names = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            # [0.012s][info][class,load] java.lang.Object source: shared objects file
            parts = line.split("] ", 1)
            if len(parts) == 2 and "class,load" in parts[0]:
                name = parts[1].split(" ", 1)[0]
                # hidden classes (lambdas, lambda forms) get new numbers in every JVM
                name = re.sub(r"/0x[0-9a-f]+$", "", name)
                names.append(re.sub(r"\$\$Lambda\$\d+", "$$Lambda", name))
    return names


def group(name):
    """A class's library, by package prefix (three segments; two for short ones)."""
    segs = name.split(".")[:-1]
    return ".".join(segs[:4] if segs[:2] in (["com", "fasterxml"], ["software", "amazon"]) else segs[:3])


def main():
    cp, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    env = child_env()
    load_before = open("/proc/loadavg").read().split()[:3]
    server = subprocess.Popen(["java", "-cp", cp, PKG + "ColdStartServer"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        endpoint = server.stdout.readline().strip()
        if not endpoint.startswith("http://"):
            sys.exit("the local endpoint did not start")
        # class lists (also a warm-up round: jars in the page cache for every variant alike)
        classes = {}
        for key, main_class, _ in VARIANTS:
            log = f"{out}/{key}.classes.log"
            run_once(java_cmd(cp, main_class, endpoint, [f"-Xlog:class+load:file={log}"]), env,
                     f"{out}/{key}.stderr")
            classes[key] = loaded_classes(log)
        samples = collections.defaultdict(list)
        for i in range(runs):
            order = VARIANTS[i % 3:] + VARIANTS[:i % 3]  # each variant first, second, third alike
            for key, main_class, _ in order:
                samples[key].append(run_once(java_cmd(cp, main_class, endpoint), env,
                                             f"{out}/{key}.stderr"))
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    load_after = open("/proc/loadavg").read().split()[:3]
    with open(f"{out}/samples.csv", "w") as f:
        f.write("variant,round,wall_s,cpu_s,max_rss_mib\n")
        for key, rows in samples.items():
            for i, (wall, cpu, rss) in enumerate(rows):
                f.write(f"{key},{i},{wall:.3f},{cpu:.3f},{rss:.1f}\n")
    report = render(runs, samples, classes, load_before, load_after)
    with open(f"{out}/report.md", "w") as f:
        f.write(report)
    print(report)


def paired(ours, base, field):
    return statistics.median(o[field] / b[field] for o, b in zip(ours, base))


def render(runs, samples, classes, load_before, load_after):
    med = {k: [statistics.median(s[i] for s in samples[k]) for i in range(3)] for k in samples}
    base = med[BASE]
    lines = [
        f"{runs} interleaved runs per variant on {os.cpu_count()} cores; load average "
        f"{' '.join(load_before)} before, {' '.join(load_after)} after; `{os.environ.get('JAVA', 'java')}` "
        f"{subprocess.run([os.environ.get('JAVA', 'java'), '-version'], capture_output=True, text=True).stderr.splitlines()[0]}.",
        "",
        "| variant | wall (median) | CPU user+sys (median) | max RSS (median) | classes loaded "
        "| wall / bare | CPU / bare | RSS / bare | classes / bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, _, label in VARIANTS:
        w, c, r = med[key]
        n = len(classes[key])
        lines.append(f"| {label} | {w:.2f} s | {c:.2f} s | {r:.0f} MiB | {n} | {w / base[0]:.2f}x "
                     f"| {c / base[1]:.2f}x | {r / base[2]:.2f}x | {n / len(classes[BASE]):.2f}x |")
    spread = {k: (min(s[0] for s in samples[k]), max(s[0] for s in samples[k])) for k in samples}
    lines += ["", "Wall-time range (min-max): " + ", ".join(
        f"{k} {lo:.2f}-{hi:.2f} s" for k, (lo, hi) in spread.items()) + "."]
    # paired: each round's runs of all variants are back to back, so the ratio within a round
    # cancels most of the load drift between rounds
    lines += ["", "Paired ratios vs (c), median of the per-round ratios: " + "; ".join(
        f"{k} wall {paired(samples[k], samples[BASE], 0):.2f}x, CPU {paired(samples[k], samples[BASE], 1):.2f}x"
        for k, _, _ in VARIANTS if k != BASE) + "."]
    ours = collections.Counter(classes["secrets-sdk"])
    bare = collections.Counter(classes[BASE])
    only_ours, only_bare = ours - bare, bare - ours
    extra = collections.Counter()
    for name, n in only_ours.items():
        extra[group(name)] += n
    lines += ["", f"Classes (a) loads that (c) does not: {sum(only_ours.values())}; "
              f"(c) loads that (a) does not: {sum(only_bare.values())}.", "",
              "| library (package prefix) | classes only in (a) |", "| --- | ---: |"]
    for g, n in extra.most_common(25):
        lines.append(f"| `{g}` | {n} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
