#!/bin/bash
# Makes the web root; its path becomes a runtime property the later scripts read.
set -euo pipefail
root=$(mktemp -d -t stratus-hello-XXXXXX)
ctx instance runtime-properties root_dir "$root"
ctx logger info "Created web root ${root}"
