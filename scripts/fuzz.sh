#!/usr/bin/env bash
# Runs herald's fuzz targets (cargo-fuzz + libFuzzer, nightly toolchain), each seeded with tests/fixtures, for
# SECONDS each (default 120), and copies any crash into fuzz/regressions/<target>/ for `cargo test` to replay.
#   cargo install cargo-fuzz        # once
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-120}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(feed html_text article query sentences schedule embeds)
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  mkdir -p "$corpus" "fuzz/regressions/$t"
  # Seeds: every fixture (feeds, pages, the article) for all targets, plus small hand-made ones.
  find tests/fixtures -type f -size -256k -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  case $t in
    query) printf 'ukraine OR kyiv "peace talks" -football' > "$corpus/seed-query" ;;
    schedule) printf '08:00,18:30\nEurope/Kyiv' > "$corpus/seed-daily"; printf '0 8 * * 1-5\nAmerica/New_York' > "$corpus/seed-cron" ;;
  esac
  echo "== $t (${secs}s)"
  cargo +nightly fuzz run -O "$t" "$corpus" -- -max_total_time="$secs" -max_len=262144 -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | tee "fuzz/last-$t.log" | grep -E '^(#[0-9]+.*(DONE|pulse)|stat::|==[0-9]+==|SUMMARY)' || true
  for crash in fuzz/artifacts/"$t"/crash-* fuzz/artifacts/"$t"/timeout-* fuzz/artifacts/"$t"/oom-*; do
    if [ -e "$crash" ]; then cp "$crash" "fuzz/regressions/$t/"; fi
  done
done
