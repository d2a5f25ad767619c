#!/bin/bash
# Removes the web root made by create.sh.
set -euo pipefail
root=$(ctx instance runtime-properties root_dir || true)
if [ -n "${root}" ] && [ -d "${root}" ]; then
  rm -rf "${root}"
  ctx logger info "Removed ${root}"
fi
ctx instance runtime-properties deleted true
