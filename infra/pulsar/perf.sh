#!/usr/bin/env bash
# Pulsar's Java perf tool against one region of the local stack (or the external one):
#   infra/pulsar/perf.sh [--region east|west] produce|consume|read|transaction [flags...]
# e.g. infra/pulsar/perf.sh --region west produce -r 1000 -m 10000 -s 1024 persistent://public/default/t
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node_modules/.bin/tsx infra/pulsar/perf.ts "$@"
