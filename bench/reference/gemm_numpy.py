"""W3 reference: float32 GEMM through numpy on OpenBLAS, the same cases and output format as `nabla bench W3`.

Usage: bench/reference/with-openblas-openmp.sh /usr/bin/python3 bench/reference/gemm_numpy.py [--runs 5] [--threads N]
Each case: the median rate over repetitions for 0.3 s, per run; the median of the runs is reported.
"""
import argparse
import os
import statistics
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
# The thread count must be fixed before OpenBLAS starts.
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

# (name, m, k, n, transpose A, transpose B): C[m×n] = op(A)·op(B), A stored m×k (k×m transposed), B k×n (n×k).
CASES = [
    ("1024³ A·B", 1024, 1024, 1024, False, False),
    ("W1 fc1 forward X·W1ᵀ", 128, 784, 512, False, True),
    ("W1 fc1 weight grad Gᵀ·X", 512, 128, 784, True, False),
    ("W1 fc2 forward H1·W2ᵀ", 128, 512, 256, False, True),
    ("W1 fc2 weight grad Gᵀ·H1", 256, 128, 512, True, False),
    ("W1 fc2 input grad G·W2", 128, 256, 512, False, False),
    ("W1 fc3 forward H2·W3ᵀ", 128, 256, 10, False, True),
    ("W1 fc3 weight grad Gᵀ·H2", 10, 128, 256, True, False),
    ("W1 fc3 input grad G·W3", 128, 10, 256, False, False),
]


def measure(m, k, n, ta, tb, seconds):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    a_op = a.T if ta else a  # a view: OpenBLAS reads the stored layout with its transpose flag
    b_op = b.T if tb else b
    c = np.empty((m, n), np.float32)
    warm = time.perf_counter()
    while time.perf_counter() - warm < 1.0:  # the same 1 s warm-up as nabla bench W3
        np.matmul(a_op, b_op, out=c)
    flops = 2.0 * m * k * n
    repeats = max(1, int(2e6 / flops * 50))
    rates = []
    start_all = time.perf_counter()
    while time.perf_counter() - start_all < seconds or len(rates) < 3:
        start = time.perf_counter()
        for _ in range(repeats):
            np.matmul(a_op, b_op, out=c)
        rates.append(flops * repeats / (time.perf_counter() - start) / 1e9)
    return statistics.median(rates)


blas = [i for i in threadpool_info() if i["internal_api"] == "openblas"]
config = ", ".join(f"{i['filepath']} ({i.get('threading_layer')}, kernel {i.get('architecture')}, {i['num_threads']} threads)" for i in blas)
print(f"# numpy {np.__version__} bench W3: {args.threads} thread(s); OpenBLAS {config}; "
      f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}", flush=True)
for name, m, k, n, ta, tb in CASES:
    rates = [measure(m, k, n, ta, tb, 0.3) for _ in range(args.runs)]
    runs = ", ".join(f"{r:.1f}" for r in rates)
    print(f"W3 {name:<28} {m:5}×{k:4}×{n:4}: median {statistics.median(rates):6.1f} GFLOP/s  (runs: {runs})", flush=True)
