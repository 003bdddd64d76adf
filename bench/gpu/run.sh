#!/usr/bin/env bash
# Nabla's GPU backend on an NVIDIA GPU against PyTorch on the same GPU (issue 14): the GPU tests, then W1 at batch 128
# and 1024, W4 and W5, each for Nabla (captured steps, and eager autograd) and PyTorch (eager, and the whole step in a
# CUDA graph), then one table. BENCHMARKS.md says how it was run and what it gave.
#
#   bench/gpu/run.sh publish   where the .NET SDK is (here): writes bench/gpu/nabla-gpu.tar.xz, a self-contained
#                              publish of nabla and of the GPU tests (about 40 MB): the GPU machine needs no .NET.
#   bench/gpu/run.sh           on the GPU machine: unpacks that archive (or publishes first, where the SDK is), makes
#                              CUDA 13's cuBLAS loadable under the name ILGPU 1.5 asks for (libcublas.so.12), and runs
#                              everything. NABLA_GPU_QUICK=1 runs one timed stretch of each instead of three.
#
# With the device tool: `bench/gpu/run.sh publish` here, then run `bench/gpu/run.sh` there with
# carry ["bench/gpu/nabla-gpu.tar.xz"] and a timeout_s of about 500. The log and the table go to $OUT (the device
# tool's folder that comes back) or, without it, bench/gpu/results/.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
archive="$here/nabla-gpu.tar.xz"

publish() {
    local out
    out="$(mktemp -d)"
    for project in src/Nabla.Cli tests/Nabla.Cuda.Tests; do
        dotnet publish "$root/$project" -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -o "$out" -v quiet -nologo || return 1
    done
    source_revision > "$out/SOURCE"   # what the archive was built from, printed by every run
    tar -C "$out" -cJf "$archive" . && rm -rf "$out"
    echo "wrote $archive ($(du -h "$archive" | cut -f1)), built from $(source_revision)"
}

# The commit the source is at, "-dirty" when it has changes: an archive built from other source measures other code.
source_revision() { git -C "$root" describe --always --dirty 2> /dev/null || echo "unknown (no git)"; }

if [ "${1:-}" = "publish" ]; then
    publish
    exit $?
fi

results="${OUT:-$here/results}"
mkdir -p "$results"
log="$results/gpu-bench.log"
exec 3>&1 4>&2
exec > >(tee "$log") 2>&1
tee_pid=$!
runs=3
[ "${NABLA_GPU_QUICK:-}" = "1" ] && runs=1

if [ ! -f "$archive" ]; then
    command -v dotnet > /dev/null || { echo "bench/gpu/run.sh: no $archive and no .NET SDK to make it: run 'bench/gpu/run.sh publish' where the SDK is, and carry the archive"; exit 2; }
    publish || exit 2
fi
app="$(mktemp -d)"
tar -C "$app" -xJf "$archive" || { echo "bench/gpu/run.sh: $archive could not be unpacked"; exit 2; }
built="$(cat "$app/SOURCE" 2> /dev/null || echo unknown)"
echo "# Nabla built from $built"
if [ "$(source_revision)" != "unknown (no git)" ] && [ "$built" != "$(source_revision)" ]; then
    # Figures of other code, printed as this code's, would be a wrong answer: refused unless asked for.
    if [ "${NABLA_GPU_ALLOW_STALE:-}" != "1" ]; then
        echo "bench/gpu/run.sh: the archive was built from $built, but the source here is $(source_revision): run 'bench/gpu/run.sh publish' again (or set NABLA_GPU_ALLOW_STALE=1)"
        exit 2
    fi
    echo "# WARNING: the archive was built from $built, not from this source ($(source_revision)): NABLA_GPU_ALLOW_STALE=1"
fi

# ILGPU 1.5.3 loads libcublas.so.12; CUDA 13 ships libcublas.so.13 (../shared/GPU.md). Either will do, under the
# name ILGPU asks for: the CUDA toolkit's, else the one in PyTorch's wheels (nvidia/cublas/lib, or nvidia/cu13/lib).
wheels="$(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, d, "lib") for p in nvidia.__path__ for d in ("cublas", "cu13", "cu12")))' 2> /dev/null || true)"
cublas=""
for name in libcublas.so.12 libcublas.so.13; do
    for dir in /usr/local/cuda*/targets/x86_64-linux/lib /usr/local/cuda*/lib64 $wheels; do
        if [ -z "$cublas" ] && [ -f "$dir/$name" ]; then cublas="$dir/$name"; fi
    done
done
if [ -n "$cublas" ] && [ -f "$cublas" ]; then
    mkdir -p "$app/cublas"
    ln -sf "$cublas" "$app/cublas/libcublas.so.12"
    export LD_LIBRARY_PATH="$app/cublas:$(dirname "$cublas"):${LD_LIBRARY_PATH:-}"
    echo "# cuBLAS: $cublas, linked as libcublas.so.12"
else
    echo "# cuBLAS not found: nabla will say what is missing"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null | sed 's/^/# GPU: /'
export DOTNET_gcServer=0 DOTNET_TieredPGO=1

echo "## GPU tests (tests/Nabla.Cuda.Tests on the GPU: every kernel against the CPU backend, gradient checks, captured steps)"
NABLA_TEST_DEVICE=cuda timeout 240 "$app/Nabla.Cuda.Tests" -noColor -parallel none 2>&1 | grep -v "^\s*Passed\b" | tail -40
echo "GPU tests exit code: ${PIPESTATUS[0]}"

nabla() { timeout 150 "$app/Nabla.Cli" "$@"; }
median() { grep -o "$1 median: [0-9]*" | grep -o "[0-9]*$" | tail -1; }
declare -A figure
bench() {   # bench KEY ARGS...: one nabla bench, its median kept under KEY
    local key="$1" name="$2" output
    shift
    output="$(nabla bench "$@" --device cuda --synthetic --runs "$runs" 2>&1)"
    echo "$output"
    figure[$key]="$(echo "$output" | median "$name")"
}
echo "## Nabla"
bench W1-128-replay W1
bench W1-1024-replay W1 --batch-size 1024
bench W4-replay W4
bench W5-replay W5
bench W1-128-eager W1 --eager
bench W1-1024-eager W1 --batch-size 1024 --eager
bench W4-eager W4 --eager
bench W5-eager W5 --eager

echo "## PyTorch"
torch_output="$(PYTHONUNBUFFERED=1 timeout 240 python3 "$here/torch_gpu.py" --runs "$runs" 2>&1)"
echo "$torch_output"
torch() { echo "$torch_output" | awk -v w="$1" -v b="$2" -v m="$3" '$1 == "RESULT" && $2 == w && $3 == b && $4 == m { print $5 }'; }

show() { [ -n "$1" ] && printf "%'d" "$1" || printf "—"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }' || printf "—"; }
{
    echo
    echo "## samples/s, fp32 (median of $runs), $(date -u +%Y-%m-%d)"
    echo "| workload | Nabla, captured steps | Nabla, eager | PyTorch eager | PyTorch, CUDA graph | Nabla ÷ PyTorch graph | target (H200) |"
    echo "|---|---|---|---|---|---|---|"
    for row in "W1 128 W1-128 775,000" "W1 1024 W1-1024 4,000,000" "W4 128 W4 65,000" "W5 128 W5 —"; do
        set -- $row
        replay="${figure[$3-replay]:-}"
        graph="$(torch "$1" "$2" graph)"
        echo "| $1, batch $2 | $(show "$replay") | $(show "${figure[$3-eager]:-}") | $(show "$(torch "$1" "$2" eager)") | $(show "$graph") | $(ratio "$replay" "$graph") | $4 |"
    done
    echo
    echo "Nabla built from $built; data on the GPU for both (random, of Fashion-MNIST's shape); every step reads its loss."
} | tee "$results/gpu-table.md"

# Let tee write the log's last lines before the script ends.
exec 1>&3 2>&4 3>&- 4>&-
wait "$tee_pid"
