#!/bin/bash
# Writes the page; `greeting` is an operation input, passed as an environment variable.
set -euo pipefail
root=$(ctx instance runtime-properties root_dir)
echo "<h1>${greeting}</h1>" > "${root}/index.html"
ctx logger info "Wrote ${root}/index.html"
