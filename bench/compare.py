#!/usr/bin/env python3
"""Runs Nabla and a reference side by side, interleaved (A B A B …), and reports the median of the pairwise ratios.

Why interleaved: on these machines two-thread timings are bimodal for minutes at a time (DESIGN.md), so figures from
separate runs cannot be compared; in one interleaved run both sides see the same machine state.

Usage (from the repository root, after `dotnet build Nabla.slnx -c Release`):
    python3 bench/compare.py W1 --reference torch --pairs 5 --threads 2
    python3 bench/compare.py W2 --reference torchsharp --pairs 5
    python3 bench/compare.py W3 --reference numpy --pairs 5 --threads 1
    python3 bench/compare.py W6 --reference torch --pairs 3 --threads 2
    python3 bench/compare.py W5 --reference torch --pairs 3 --threads 2 --nabla-option=--eager   (no capture)
    python3 bench/compare.py W3 --reference numpy --pairs 5 --threads 1 --path avx2   (both sides on AVX2)
References: torch (Debian python3-torch on OpenBLAS/OpenMP), numpy (W3: OpenBLAS GEMM), torchsharp (TorchSharp-cpu).
Higher is better for samples/s and GFLOP/s; for W2 (µs per step) the ratio is reference / Nabla, so > 1 means Nabla
is faster in every row.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --path avx2 measures an AVX2-only host on an AVX-512 one. .NET 8 and 9 read DOTNET_EnableAVX512F; .NET 10 reads
# DOTNET_EnableAVX512 and ignores the other (checked: Vector512.IsHardwareAccelerated stays true with it alone), so
# both are set. OpenBLAS takes its Haswell kernel; oneDNN (PyTorch's convolutions) reads ONEDNN_MAX_CPU_ISA, older
# releases DNNL_MAX_CPU_ISA. The reference wrapper passes NABLA_OPENBLAS_CORETYPE on as OPENBLAS_CORETYPE.
PATHS = {
    "native": ({}, {}),
    "avx2": ({"DOTNET_EnableAVX512": "0", "DOTNET_EnableAVX512F": "0"},
             {"NABLA_OPENBLAS_CORETYPE": "Haswell", "ONEDNN_MAX_CPU_ISA": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2"}),
}
OPENBLAS = [os.path.join(ROOT, "bench/reference/with-openblas-openmp.sh"), "/usr/bin/python3"]
NABLA = ["dotnet", os.path.join(ROOT, "src/Nabla.Cli/bin/Release/net10.0/Nabla.Cli.dll"), "bench"]
TORCHSHARP_DLL = os.path.join(ROOT, "bench/reference/TorchSharpReference/bin/Release/net10.0/TorchSharpReference.dll")


def command(side, workload, threads, nabla_options=()):
    common = [workload, "--runs", "1", "--threads", str(threads)]
    if side == "nabla":
        return NABLA + common + list(nabla_options)
    if side == "torch":
        return OPENBLAS + [os.path.join(ROOT, "bench/reference/torch_mlp.py")] + common
    if side == "numpy":
        return OPENBLAS + [os.path.join(ROOT, "bench/reference/gemm_numpy.py"), "--runs", "1", "--threads", str(threads)]
    if side == "torchsharp":
        return ["dotnet", TORCHSHARP_DLL] + common
    raise ValueError(side)


def run(side, workload, threads, nabla_options=(), path="native"):
    """Runs one side once on the given vector path; returns {figure name: value} and the header line."""
    nabla_env, reference_env = PATHS[path]
    env = dict(os.environ, **(nabla_env if side == "nabla" else reference_env))
    result = subprocess.run(command(side, workload, threads, nabla_options), cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"compare.py: {side} {workload} failed (exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    figures, header = {}, ""
    for line in result.stdout.splitlines():
        if line.startswith("#"):
            header = line
        elif m := re.match(r"(W[12456]) median: ([\d.]+)", line):
            figures[m.group(1)] = float(m.group(2))
        elif m := re.match(r"W3 (.+?)\s+\d+×\s*\d+×\s*\d+: median\s+([\d.]+) GFLOP/s", line):
            figures[m.group(1).strip()] = float(m.group(2))
    if not figures:
        sys.exit(f"compare.py: no figures in the output of {side} {workload}:\n{result.stdout}")
    return figures, header


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["W1", "W2", "W3", "W4", "W5", "W6"])
    parser.add_argument("--reference", choices=["torch", "numpy", "torchsharp"], required=True)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, help="default: all cores (W2: 1, as DESIGN.md defines it)")
    parser.add_argument("--nabla-option", action="append", default=[], help="an option for `nabla bench`, e.g. --eager (repeatable)")
    parser.add_argument("--path", choices=sorted(PATHS), default="native", help="native (the widest vectors) or avx2 (both sides as on an AVX2-only host)")
    args = parser.parse_args()
    if args.threads is None:
        args.threads = 1 if args.workload == "W2" else os.cpu_count()
    if args.pairs < 1:
        sys.exit("compare.py: --pairs must be at least 1")
    if args.workload == "W3" and args.reference == "torch":
        args.reference = "numpy"
    lower_is_better = args.workload == "W2"

    nabla, reference, ratios = {}, {}, {}
    headers = set()
    for pair in range(1, args.pairs + 1):
        a, header_a = run("nabla", args.workload, args.threads, args.nabla_option, args.path)
        b, header_b = run(args.reference, args.workload, args.threads, path=args.path)
        headers.update([header_a, header_b])
        for name in a:
            if name not in b:
                continue
            ratio = b[name] / a[name] if lower_is_better else a[name] / b[name]
            nabla.setdefault(name, []).append(a[name])
            reference.setdefault(name, []).append(b[name])
            ratios.setdefault(name, []).append(ratio)
            print(f"pair {pair}: {name}: Nabla {a[name]:.2f}, {args.reference} {b[name]:.2f}, ratio {ratio:.3f}", flush=True)

    for header in sorted(headers):
        print(header)
    unit = {"W1": "samples/s", "W2": "µs per step", "W3": "GFLOP/s", "W4": "samples/s", "W5": "samples/s", "W6": "samples/s"}[args.workload]
    print(f"\n| {args.workload} ({args.threads} thread(s), {args.path} path) | Nabla median {unit} | {args.reference} median {unit} | median of pairwise ratios |")
    print("|---|---|---|---|")
    for name in ratios:
        print(f"| {name} | {statistics.median(nabla[name]):.2f} | {statistics.median(reference[name]):.2f} | {statistics.median(ratios[name]):.2f}× |")


if __name__ == "__main__":
    main()
