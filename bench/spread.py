#!/usr/bin/env python3
"""Compares Nabla with a reference as compare.py does, and reads each side's own run-to-run spread beside the ratio.

Each round runs Nabla, the reference, Nabla, the reference (N P N P). The ratio column is the median of the 2·rounds
pairwise ratios N/P; the spread columns are, for each side, its second run over its first within a round (median, and
the range over the rounds). A ratio whose distance from 1.0 is inside the spread of the two sides cannot be told from
the host's noise by a block this size.

Usage (from the repository root, after `dotnet build Nabla.slnx -c Release`):
    python3 bench/spread.py W3 --reference numpy --rounds 6 --threads 1 --path avx2
"""
import argparse
import statistics

import compare


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["W1", "W3", "W4", "W5", "W6"])
    parser.add_argument("--reference", choices=["torch", "numpy"], required=True)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--path", choices=sorted(compare.PATHS), default="native")
    args = parser.parse_args()

    rounds = []
    for r in range(args.rounds):
        runs = [compare.run(side, args.workload, args.threads, (), args.path)[0] for side in ("nabla", args.reference) * 2]
        rounds.append(runs)
        print(f"round {r + 1}/{args.rounds} done", flush=True)

    def span(values):
        return f"{statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"

    print(f"\n| {args.workload} ({args.threads} thread(s), {args.path} path, {args.rounds} rounds of N P N P) | Nabla / {args.reference} | Nabla 2nd / 1st | {args.reference} 2nd / 1st |")
    print("|---|---|---|---|")
    for key in rounds[0][0]:
        ratios = [run[0][key] / run[1][key] for run in rounds] + [run[2][key] / run[3][key] for run in rounds]
        nabla = [run[2][key] / run[0][key] for run in rounds]
        reference = [run[3][key] / run[1][key] for run in rounds]
        print(f"| {key} | {span(ratios)} | {span(nabla)} | {span(reference)} |")


if __name__ == "__main__":
    main()
