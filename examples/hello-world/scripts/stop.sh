#!/bin/bash
# Stops the server started by start.sh, if it is still running.
set -euo pipefail
pid=$(ctx instance runtime-properties pid || true)
if [ -n "${pid}" ] && kill -0 "${pid}" 2>/dev/null; then
  kill "${pid}"
  ctx logger info "Stopped web server (pid ${pid})"
fi
