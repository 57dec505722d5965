#!/usr/bin/env bash
# Runs the cargo-fuzz (libFuzzer) targets of fuzz/ one after the other, each for a bounded time, and
# prints per target the executions, executions per second and any crash. Exits non-zero when a target
# crashed (a panic, a sanitizer report, a timeout or an out-of-memory), or when a build fails.
#
#   bash scripts/fuzz.sh                    # every target, FUZZ_SECONDS each
#   FUZZ_SECONDS=60 bash scripts/fuzz.sh claims token
#
# Environment:
#   FUZZ_SECONDS    time per target in seconds (libFuzzer -max_total_time), default 400
#   FUZZ_SANITIZER  cargo fuzz --sanitizer: none (default) or address, leak, memory, thread. Without
#                   a sanitizer, panics, overflow checks (debug assertions are on), stack overflows,
#                   hangs and out-of-memory are still caught; AddressSanitizer adds checks on the unsafe
#                   Rust of the dependencies (not on aws-lc's C, which is not instrumented) and runs 4 to
#                   7 times slower here, so `address` is for an occasional long run, not the 10M-execs one.
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang, default 10
#   FUZZ_ARGS       extra libFuzzer arguments, e.g. "-max_len=8192 -dict=fuzz/my.dict"
#
# The committed seeds in fuzz/corpus/<target>/ are only read: libFuzzer writes the inputs it finds into
# fuzz/work/<target>/ (its first corpus directory) and crash inputs into fuzz/artifacts/<target>/. Both,
# fuzz/target/ and the logs in fuzz/work/logs/ are git-ignored. Reproduce a crash with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz <target> fuzz/artifacts/<target>/crash-<sha1>
#
# Toolchain: with a sanitizer, cargo-fuzz passes nightly-only flags (-Zsanitizer=…). A stable toolchain
# accepts them with RUSTC_BOOTSTRAP=1, which this script sets; nothing else needs nightly. Switching
# sanitizers rebuilds everything. The first build compiles
# aws-lc and the dependency tree with coverage instrumentation: about 10 minutes on 2 cores; later
# builds after a change in src/ take a minute or two.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-400}"
FUZZ_SANITIZER="${FUZZ_SANITIZER:-none}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-10}"
ALL_TARGETS=(token claims authorization_header documents)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

export RUSTC_BOOTSTRAP=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked || { echo "fuzz: cargo install cargo-fuzz failed" >&2; exit 2; }
fi

for target in "${TARGETS[@]}"; do
  if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
    echo "fuzz: unknown target '$target' (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done

echo "fuzz: building ${TARGETS[*]} (sanitizer: $FUZZ_SANITIZER; $(rustc --version))"
for target in "${TARGETS[@]}"; do
  if ! cargo fuzz build --fuzz-dir fuzz --sanitizer "$FUZZ_SANITIZER" "$target"; then
    echo "fuzz: build of $target failed" >&2
    exit 2
  fi
done

mkdir -p fuzz/work/logs
summary=()
failed=0
for target in "${TARGETS[@]}"; do
  work="fuzz/work/$target"
  seeds="fuzz/corpus/$target"
  log="fuzz/work/logs/$target.log"
  mkdir -p "$work" "fuzz/artifacts/$target"
  echo
  echo "fuzz: $target for ${FUZZ_SECONDS}s (seeds: $seeds, $(ls "$seeds" | wc -l) files; new inputs: $work; log: $log)"
  # The CPU time (user + sys) is measured too: on a shared machine, execs per CPU-second extrapolate
  # better than execs per wall-clock second.
  TIMEFORMAT='%U %S'
  started=$SECONDS
  # shellcheck disable=SC2086 # FUZZ_ARGS is split into libFuzzer arguments on purpose.
  { time cargo fuzz run --fuzz-dir fuzz --sanitizer "$FUZZ_SANITIZER" "$target" "$work" "$seeds" -- \
    -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1; } 2>"$log.time"
  status=$?
  cpu=$(awk '{printf "%.0f", $1 + $2}' "$log.time" 2>/dev/null)
  cpu=${cpu:-0}

  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
  # Without final stats (the process died hard), the last status line "#<n> ..." is the best count.
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  execs=${execs:-0}
  seconds=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -oE 'in [0-9]+' | grep -oE '[0-9]+')
  seconds=${seconds:-$((SECONDS - started))}
  [ "$seconds" -gt 0 ] || seconds=1
  rate=$((execs / seconds))
  if [ "$cpu" -gt 0 ]; then cpu_rate="$((execs / cpu)) execs/CPU-s over ${cpu} CPU-s"; else cpu_rate="CPU time unknown"; fi
  # Coverage and libFuzzer's own corpus (fuzz/work/ keeps more files: inputs later replaced by smaller ones).
  cov=$(grep -oE '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | grep -oE 'cov: .*')
  rss=$(grep -oE 'stat::peak_rss_mb: +[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')

  if [ "$status" -eq 0 ]; then
    line="$target: $execs execs in ${seconds}s ($rate execs/s; $cpu_rate), ${cov:-cov: ?}, peak RSS ${rss:-?} MB, 0 crashes"
  else
    failed=1
    artifact=$(grep -oE '(Test unit|artifact) written to [^ ]+' "$log" | tail -1 | awk '{print $NF}')
    line="$target: CRASH (exit $status) after $execs execs in ${seconds}s; input: ${artifact:-none written}; log: $log"
    echo "---- $target: crash report (excerpt of $log) ----"
    # The panic message or sanitizer report and its stack trace, up to the artifact line.
    awk '/panicked at|==[0-9]+==ERROR|ERROR: libFuzzer|deadly signal|stack overflow/ {on=1} on {print; n++} /written to/ && on {exit} n>=120 {exit}' "$log"
    echo "----"
  fi
  echo "fuzz: $line"
  summary+=("$line")
done

echo
echo "fuzz: summary (sanitizer $FUZZ_SANITIZER, ${FUZZ_SECONDS}s per target)"
for line in "${summary[@]}"; do echo "  $line"; done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED: at least one target crashed" >&2
  exit 1
fi
