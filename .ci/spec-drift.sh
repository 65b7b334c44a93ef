#!/usr/bin/env bash
# The steps of .github/workflows/spec-drift.yml, locally:
#   .ci/spec-drift.sh BASE_REF      (e.g. origin/main)
# Writes diff.md, spec-drift.xml and contract.xml into $OUT (default: a temp dir).
# Exit status: the first failing step's (diff: 1 breaking change, 2 bad input).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
    echo "usage: $0 BASE_REF" >&2
    exit 2
fi
base_ref=$1
if ! git rev-parse --verify --quiet "$base_ref^{commit}" >/dev/null; then
    echo "error: $base_ref is not a commit" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${OUT:-$work}
status=0
step() { printf '\n==> %s\n' "$*"; }
# Keeps the first failure's status; later steps still run (as in CI).
record() { if [ "$status" -eq 0 ]; then status=$1; fi; }

step "cargo xtask codegen --check"
cargo xtask codegen --check
record $?

step "specs/ of $base_ref"
git archive "$base_ref" specs | tar -x -C "$work" || exit 2

step "cargo xtask diff $base_ref:specs specs"
cargo xtask diff "$work/specs" specs --format markdown > "$out/diff.md"
record $?
cat "$out/diff.md"
cargo xtask diff "$work/specs" specs --format junit > "$out/spec-drift.xml" || true

step "cargo xtask contract --junit contract.xml"
cargo xtask contract --junit "$out/contract.xml"
record $?

if [ -z "${OUT:-}" ]; then
    echo "(reports were in a temp dir; set OUT=dir to keep them)"
fi
exit "$status"
