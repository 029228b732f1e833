#!/usr/bin/env bash
# The GPU checks of the foundation and benchmark issues, in one run on a lent GPU machine.
#
#   scripts/gpu_check.sh prepare   # here, with PyPI and npm: fills .gpu/ and .cache/npm (git-ignored)
#   scripts/gpu_check.sh run       # there, with no network: carry .gpu and .cache/npm; about 8 minutes
#                                  # (on an H100, 2026-11-27: build 332 s, model 78 s, doctor 24 s, bench 12 files)
#
# `run` builds llama-cpp-python with the `cuda` preset, writes a random-weight model with
# qwen2.5-coder-1.5B's real shapes (real weights do not fit the 64 MiB that travels),
# checks the offload plan against what llama.cpp allocates (doctor --load), and times the
# seed's method (a) against a bestcase scan (b) on the npm corpus. Random weights make output
# lengths meaningless, so (a) generates exactly the median length measured with the real
# 1.5B on the CPU (docs/bench-qwen2.5-coder-1.5b.json), EOS ignored.
# Results land in $OUT (the device tool brings that folder back).
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_VERSION=$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)

prepare() {
  local py=${PYTHON:-.venv/bin/python}
  rm -rf .gpu && mkdir -p .gpu/wheels
  "$py" -m pip download -q --no-deps --no-binary :all: -d .gpu "llama-cpp-python==$LLAMA_VERSION"
  tar xzf ".gpu/llama_cpp_python-$LLAMA_VERSION.tar.gz" -C .gpu && rm ".gpu/llama_cpp_python-$LLAMA_VERSION.tar.gz"
  mv ".gpu/llama_cpp_python-$LLAMA_VERSION" .gpu/llama-cpp-python
  rm -rf .gpu/llama-cpp-python/{.git,.github,examples,docs,docker,tests}
  local v=.gpu/llama-cpp-python/vendor/llama.cpp
  cp "$v/models/ggml-vocab-qwen2.gguf" .gpu/
  rm -rf "$v"/{.git,models,docs,examples,tests,benches,tools/ui,tools/server,media,gguf-py,scripts}
  for backend in "$v"/ggml/src/ggml-*/; do
    case "$(basename "$backend")" in ggml-cpu|ggml-cuda|ggml-blas) ;; *) rm -rf "$backend" ;; esac
  done
  # what the device's python3 (3.12) lacks, as wheels
  "$py" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .gpu/wheels pydantic==2.14.4 pydantic-core==2.50.5 pydantic-settings annotated-types typing-inspection \
    typing-extensions python-dotenv gguf diskcache nvidia-ml-py numpy pathspec tqdm jinja2 markupsafe pyyaml \
    tree-sitter tree-sitter-typescript tree-sitter-javascript tree-sitter-html
  "$py" - <<'PY'
from bestcase_core.bench.corpus import PACKAGES, fetch_package
for p in PACKAGES:
    fetch_package(p.spec)
PY
  du -sh .gpu .cache/npm
  echo "carry: .gpu .cache/npm   then: scripts/gpu_check.sh run"
}

run() {
  # at most 8 files come back from $OUT: one log, the doctor's JSON, the benchmark's section and JSON, the scan's JSON
  OUT=${OUT:-/tmp/gpu-check}
  mkdir -p "$OUT" /tmp/site
  export PYTHONUNBUFFERED=1
  local t0=$SECONDS log="$OUT/log.txt"
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/wheels/*.whl
  export PYTHONPATH=/tmp/site:$PWD/src
  nvidia-smi --query-gpu=name,memory.total,memory.free,compute_cap --format=csv | tee "$log"

  echo "== build the cuda preset ($((SECONDS - t0)) s)" | tee -a "$log"
  python3 scripts/install_llama.py --preset cuda --cuda-arch "${CUDA_ARCH:-native}" --python python3 \
    --source .gpu/llama-cpp-python --offline --target /tmp/site 2>&1 | tail -n 5 | tee -a "$log"
  python3 -c "import llama_cpp; assert llama_cpp.llama_supports_gpu_offload(), 'no GPU offload in this build'"

  echo "== a random-weight model with qwen2.5-coder-1.5b's shapes ($((SECONDS - t0)) s)" | tee -a "$log"
  python3 scripts/make_synthetic_model.py make qwen2.5-coder-1.5b --vocab .gpu/ggml-vocab-qwen2.gguf \
    --out /tmp/syn-1.5b.gguf 2>&1 | tee -a "$log"

  echo "== doctor --load: the plan against what llama.cpp allocates ($((SECONDS - t0)) s)" | tee -a "$log"
  python3 scripts/doctor.py --model /tmp/syn-1.5b.gguf --ctx 8192 --load --json > "$OUT/doctor-8192.json" || true
  for ctx in 4096 8192; do
    python3 scripts/doctor.py --model /tmp/syn-1.5b.gguf --ctx "$ctx" --load 2>&1 | tee -a "$log" || true
  done
  python3 scripts/doctor.py --model /tmp/syn-1.5b.gguf --vram-mb 2048 --load 2>&1 | tee -a "$log" || true

  echo "== (a) seed's method vs (b) bestcase, same files, same GPU ($((SECONDS - t0)) s)" | tee -a "$log"
  local gen
  gen=$(python3 -c "import json,statistics;d=json.load(open('docs/bench-qwen2.5-coder-1.5b.json'));\
print(round(statistics.median(next(r for r in d['runs'] if r['name'].startswith('(a)'))['generated_tokens'])))")
  python3 scripts/bench.py --model /tmp/syn-1.5b.gguf --files "${FILES:-12}" --seed-tokens "$gen" \
    --no-quality --no-2000 --work /tmp/bench --key gpu-synthetic-1.5b --doc "$OUT/benchmarks-gpu.md" \
    --json "$OUT/bench-gpu.json" 2>&1 | tee -a "$log"

  echo "== a scan on the GPU: the summary's gpu line from NVML ($((SECONDS - t0)) s)" | tee -a "$log"
  python3 scripts/scan.py --root /tmp/bench/full --storage /tmp/scan-store --model /tmp/syn-1.5b.gguf \
    --max-files 6 --no-progress 2>&1 | tee -a "$log" || true
  python3 scripts/scan.py --root /tmp/bench/full --storage /tmp/scan-store --model /tmp/syn-1.5b.gguf \
    --max-files 6 --force --json > "$OUT/scan.json" 2>>"$log" || true
  echo "== done in $((SECONDS - t0)) s; results in $OUT" | tee -a "$log"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
