#!/usr/bin/env bash
# Post-deploy smoke test: reaches the checkout Service through a port-forward (so it
# needs no ingress and no exception in the NetworkPolicy) and checks that the new
# pods are ready and that the API answers.
#
# Usage: scripts/smoke-test.sh [namespace]
set -euo pipefail

namespace="${1:-checkout}"
port=18080

kubectl -n "$namespace" port-forward service/checkout "$port:80" >/dev/null &
forward=$!
trap 'kill "$forward" 2>/dev/null || true' EXIT

for _ in $(seq 1 15); do
  if curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" >/dev/null; then
    break
  fi
  sleep 2
done

curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz"

# An unknown order must be a clean 404: proves routing, the database and error handling.
status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
  "http://127.0.0.1:$port/v1/orders/ord_smoke_test_does_not_exist")"
if [ "$status" != "404" ]; then
  echo "smoke test: GET /v1/orders/<unknown> answered $status, want 404" >&2
  exit 1
fi
echo "smoke test passed"
