#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then runs the whole
# GoogleTest suite through ctest. Tests that need ../shared/samples skip with
# a one-line reason when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 900
