#!/bin/bash
# Serves the web root in the background and records how to reach and stop it.
set -euo pipefail
root=$(ctx instance runtime-properties root_dir)
if command -v python3 >/dev/null 2>&1; then
  nohup python3 -m http.server "${port}" --bind 127.0.0.1 --directory "${root}" >"${root}/server.log" 2>&1 &
  ctx instance runtime-properties pid "$!"
else
  ctx logger warning "python3 not found: the page is written but not served"
fi
ctx instance runtime-properties url "http://127.0.0.1:${port}/"
ctx logger info "Web server started on port ${port}"
