#!/usr/bin/env bash
# Runs node with a suitable version (>= 22.19), fetching one into .cache/node/ when needed.
# npm scripts go through this so `npm start` and `npm test` work on a machine with an older node.
set -euo pipefail
. "$(dirname "$0")/node-env.sh"
exec node "$@"
