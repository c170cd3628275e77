#!/usr/bin/env bash
# Fill corpus/TARGET with the repository's own inputs, so the fuzzer starts
# from every shape the tests know (and follows them as they change):
#   rust_parse   the Rust files of the CLI fixtures and the example
#   manifests    their YAML, proto, Cargo.toml and nova.toml files
# plus the hand-written seeds/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/seed.sh sql_analyze|rust_parse|manifests}
mkdir -p "corpus/$target"
sources=(../cli/tests/fixtures ../examples)
case "$target" in
  rust_parse) find "${sources[@]}" -name '*.rs' -size -8k ;;
  manifests)
    find "${sources[@]}" ../proto -size -8k \( -name '*.yaml' -o -name '*.yml' \
      -o -name '*.proto' -o -name Cargo.toml -o -name nova.toml \) ;;
  sql_analyze) ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac | while read -r f; do
  rel=${f#../}
  cp "$f" "corpus/$target/${rel//\//_}"
done
if [ -d "seeds/$target" ]; then cp "seeds/$target"/* "corpus/$target/"; fi
echo "corpus/$target: $(ls "corpus/$target" | wc -l) inputs"
