#!/usr/bin/env bash
# Regenerate the checked-in reports under reports/ with the current nova.
# `cargo test -p nova-cli` fails when they are out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
nova=(cargo run -q -p nova-cli --)
ex=examples/coupled-monorepo
out=reports/coupled-monorepo
mkdir -p "$out"
"${nova[@]}" ownership-matrix "$ex" --format markdown --output "$out/ownership-matrix.md"
"${nova[@]}" ownership-matrix "$ex" --format csv --output "$out/ownership-matrix.csv"
"${nova[@]}" graph "$ex" --format mermaid --output "$out/graph.mmd"
"${nova[@]}" graph "$ex" --format csv --output "$out/graph.csv"
"${nova[@]}" plan "$ex" --output "$out/plan.md"
echo "reports written to $out"
