#!/usr/bin/env bash
# Regenerate the checked-in reports under reports/ with the current nova.
# `cargo test -p nova-cli` fails when they are out of date (report.png:
# when the report.html it was taken from changed).
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
"${nova[@]}" report "$ex" --output "$out/report.html"
"${nova[@]}" inventory "$ex" --format markdown --output "$out/inventory.md"
# The screenshot of report.html, taken by the browser test in headless
# Chromium; it records a hash of the report it shows (the stale check).
NOVA_UPDATE_REPORTS=1 cargo test -q -p nova-cli --test it -- browser::html_report_in_headless_chromium
echo "reports written to $out"
# The reference services (`services/`), read from the repository root with
# the root nova.toml: nova's own dogfood.
ref=reports/reference-services
mkdir -p "$ref"
"${nova[@]}" ownership-matrix . --format markdown -q --output "$ref/ownership-matrix.md"
"${nova[@]}" ownership-matrix . --format csv -q --output "$ref/ownership-matrix.csv"
"${nova[@]}" graph . --format mermaid -q --output "$ref/graph.mmd"
"${nova[@]}" graph . --format csv -q --output "$ref/graph.csv"
"${nova[@]}" plan . -q --output "$ref/plan.md"
"${nova[@]}" audit . --format sarif -q --output "$ref/audit.sarif"
echo "reports written to $ref"
