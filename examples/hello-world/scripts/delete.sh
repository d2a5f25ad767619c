#!/bin/bash
# Removes the web root made by create.sh.
set -euo pipefail
root=$(ctx instance runtime-properties root_dir || true)
if [ -n "${root}" ] && [ -d "${root}" ]; then
  rm -rf "${root}"
  ctx logger info "Removed ${root}"
fi
# @ marks a JSON value (a boolean here); without it a value is stored as a string, as in Cloudify
ctx instance runtime-properties deleted @true
