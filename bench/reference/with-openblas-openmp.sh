#!/bin/sh
# Runs a command with the references in their best configuration (see BENCHMARKS.md):
# Debian's OpenMP build of OpenBLAS put first, so that numpy and PyTorch use it instead of the pthread build,
# and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, so that OpenBLAS picks the kernel for this processor itself
# (this machine sets them for old OpenBLAS builds; they pin a slower kernel).
# Usage: bench/reference/with-openblas-openmp.sh /usr/bin/python3 bench/reference/gemm_numpy.py
# NABLA_OPENBLAS_CORETYPE (compare.py --path avx2 sets it to Haswell) pins a kernel on purpose.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
if [ -n "${NABLA_OPENBLAS_CORETYPE:-}" ]; then export OPENBLAS_CORETYPE="$NABLA_OPENBLAS_CORETYPE"; fi
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
exec "$@"
