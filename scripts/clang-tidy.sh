#!/usr/bin/env bash
# clang-tidy over strata's own sources, with the checks of the top-level .clang-tidy.
#
#   bash scripts/clang-tidy.sh                      # every .cpp of core io spatial render
#                                                   # plugins engine apps
#   bash scripts/clang-tidy.sh core/src/share.cpp   # the files given
#   bash scripts/clang-tidy.sh --changed            # the .cpp files changed against origin/main
#
# Options:
#   --changed   only the .cpp files changed (committed, staged, unstaged or new) since
#               `git merge-base HEAD origin/main`, or since HEAD~1 when there is no origin/main
#   -p DIR      build folder with compile_commands.json (default: build/ci; make it with
#               `cmake --preset ci`)
#   -j N        clang-tidy processes at once (default: the number of CPUs)
#   -h, --help  this text
#
# It uses run-clang-tidy-14 when installed (set RUN_CLANG_TIDY= to check one file after another
# instead) and clang-tidy-14 from the Debian package clang-tidy-14.
#
# Tests (tests/, fuzz targets), benchmarks and build/ are not checked. Headers are checked
# through the .cpp files that include them (HeaderFilterRegex in .clang-tidy). The last lines
# printed count the findings per check. Exit status: 0 when clang-tidy reported no error
# (warnings only), 1 when it reported an error (a check listed in WarningsAsErrors, or a file
# that does not compile), 2 on a usage or set-up problem.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLANG_TIDY=/usr/bin/clang-tidy-14
# Runs the files in parallel; RUN_CLANG_TIDY= (empty) or a missing one: one file after another.
RUN_CLANG_TIDY="${RUN_CLANG_TIDY-/usr/bin/run-clang-tidy-14}"
MODULES=(core io spatial render plugins engine apps)
BUILD_DIR=build/ci
JOBS="$(nproc 2>/dev/null || echo 1)"
CHANGED=0
ARGS=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --changed) CHANGED=1 ;;
    -p) BUILD_DIR="${2:?-p needs a folder}"; shift ;;
    -p=*) BUILD_DIR="${1#-p=}" ;;
    -j) JOBS="${2:?-j needs a number}"; shift ;;
    -j*) JOBS="${1#-j}" ;;
    -h|--help) usage; exit 0 ;;
    --) shift; ARGS+=("$@"); break ;;
    -*) echo "clang-tidy.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done

if [ ! -x "$CLANG_TIDY" ]; then
  echo "clang-tidy.sh: $CLANG_TIDY not found; install it with: apt-get install clang-tidy-14" >&2
  exit 2
fi
DB="$BUILD_DIR/compile_commands.json"
if [ ! -f "$DB" ]; then
  cat >&2 <<EOF
clang-tidy.sh: $DB is missing. clang-tidy needs the compile commands of a configured build:
  cmake --preset ci
(configuring is enough, CMakeLists.txt sets CMAKE_EXPORT_COMPILE_COMMANDS; only the CityJSON
writer also needs a generated header, made by any build of strata_plugins or alone by
ninja -C build/ci plugins/generated/strata_ladm_extension.h)
Or name another build folder with -p DIR.
EOF
  exit 2
fi

# Keeps the .cpp files of strata's own modules, as paths relative to the repository.
own_sources() {
  local f rel
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    rel="$(realpath -m --relative-to="$ROOT" "$f")"
    case "$rel" in
      ../*|build/*|*/build/*) continue ;;
    esac
    case "$rel" in
      *.cpp|*.cc|*.cxx) ;;
      *) continue ;;
    esac
    local m
    for m in "${MODULES[@]}"; do
      if [[ "$rel" == "$m/"* ]]; then
        printf '%s\n' "$rel"
        break
      fi
    done
  done
}

if [ "$CHANGED" = 1 ]; then
  if BASE="$(git merge-base HEAD origin/main 2>/dev/null)"; then
    echo "clang-tidy.sh: files changed since $(git rev-parse --short "$BASE") (merge-base with origin/main)"
  elif BASE="$(git rev-parse --verify -q HEAD~1)"; then
    echo "clang-tidy.sh: no origin/main; files changed since HEAD~1 ($(git rev-parse --short "$BASE"))"
  else
    echo "clang-tidy.sh: --changed needs origin/main or a parent commit" >&2
    exit 2
  fi
  mapfile -t FILES < <({ git diff --name-only --diff-filter=d "$BASE" -- "${MODULES[@]}"
                         git ls-files --others --exclude-standard -- "${MODULES[@]}"; } |
                       own_sources | sort -u)
  if [ ${#ARGS[@]} -gt 0 ]; then
    echo "clang-tidy.sh: --changed takes no file arguments" >&2
    exit 2
  fi
elif [ ${#ARGS[@]} -gt 0 ]; then
  for a in "${ARGS[@]}"; do
    [ -e "$a" ] || { echo "clang-tidy.sh: $a does not exist" >&2; exit 2; }
  done
  mapfile -t FILES < <(printf '%s\n' "${ARGS[@]}" | own_sources | sort -u)
  if [ ${#FILES[@]} -lt ${#ARGS[@]} ]; then
    echo "clang-tidy.sh: only .cpp files of ${MODULES[*]} are checked (headers through the" \
         ".cpp files that include them); the other arguments are left out" >&2
  fi
else
  mapfile -t FILES < <(git ls-files --cached --others --exclude-standard -- "${MODULES[@]}" |
                       own_sources | sort -u)
fi

# Only files the build knows can be checked with the right flags.
mapfile -t KNOWN < <(python3 - "$DB" "$ROOT" <<'EOF'
import json, os, sys
db, root = sys.argv[1], sys.argv[2]
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    print(os.path.relpath(f, root))
EOF
)
declare -A IN_DB=()
for f in "${KNOWN[@]}"; do IN_DB["$f"]=1; done
CHECK=()
MISSING=()
for f in "${FILES[@]}"; do
  if [ -n "${IN_DB[$f]:-}" ]; then CHECK+=("$f"); else MISSING+=("$f"); fi
done
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "clang-tidy.sh: not in $DB (not built by this configuration, or added since:" \
       "re-run cmake --preset ci), skipped:" >&2
  printf '  %s\n' "${MISSING[@]}" >&2
fi
if [ ${#CHECK[@]} -eq 0 ]; then
  echo "clang-tidy.sh: no files to check"
  exit 0
fi
if [ -n "$RUN_CLANG_TIDY" ] && [ -x "$RUN_CLANG_TIDY" ]; then
  echo "clang-tidy.sh: ${#CHECK[@]} file(s), $JOBS at a time, compile commands from $DB"
else
  echo "clang-tidy.sh: ${#CHECK[@]} file(s), one after another, compile commands from $DB"
fi

# The compile commands are GCC's: clang must not stop at GCC-only warning options under -Werror.
EXTRA=(-extra-arg=-Wno-unknown-warning-option)
LOG="$(mktemp)"
RC="$(mktemp)"
trap 'rm -f "$LOG" "$RC"' EXIT
# Drops the colours (run-clang-tidy always asks for them), the echo of each command line and
# clang-tidy's count of the (mostly system-header) warnings it suppressed.
quieter() {
  sed -u 's/\x1b\[[0-9;]*m//g' |
    { grep -v -e '^/usr/bin/clang-tidy-14 ' \
        -e '^[0-9]* warnings\( and [0-9]* errors\)\? generated\.$' || true; }
}
status=0
if [ -n "$RUN_CLANG_TIDY" ] && [ -x "$RUN_CLANG_TIDY" ]; then
  # run-clang-tidy matches its arguments as regular expressions against the database's paths.
  mapfile -t PATTERNS < <(printf '%s\n' "${CHECK[@]}" |
    python3 -c 'import re, sys, os
for l in sys.stdin:
    print("^" + re.escape(os.path.join(sys.argv[1], l.strip())) + "$")' "$ROOT")
  { rc=0
    "$RUN_CLANG_TIDY" -clang-tidy-binary "$CLANG_TIDY" -p "$BUILD_DIR" -quiet -j "$JOBS" \
      "${EXTRA[@]}" "${PATTERNS[@]}" 2>&1 || rc=$?
    echo "$rc" >"$RC"; } | quieter | tee "$LOG"
  [ "$(cat "$RC")" = 0 ] || status=1
else
  for f in "${CHECK[@]}"; do
    echo "== $f"
    { rc=0
      "$CLANG_TIDY" -p "$BUILD_DIR" --quiet "${EXTRA[@]}" "$f" 2>&1 || rc=$?
      echo "$rc" >"$RC"; } | quieter | tee -a "$LOG"
    [ "$(cat "$RC")" = 0 ] || status=1
  done
fi

# Findings per check; a header's finding seen from several .cpp files counts once.
echo
echo "clang-tidy.sh: findings per check (unique locations):"
{ grep -E '^([^ ].*:[0-9]+:[0-9]+: )?(warning|error): .*\[[a-z0-9.,-]+\]$' "$LOG" || true; } |
  sort -u |
  sed -E -e 's/^(.*: )?(warning|error): .*\[([a-z0-9.,-]+)\]$/\3 \2/' -e 's/,-warnings-as-errors / /' |
  sort | uniq -c |
  awk '{printf "  %5d  %s (%s)\n", $1, $2, $3} END {if (NR == 0) print "  none"}'
if [ "$status" != 0 ]; then
  echo "clang-tidy.sh: FAILED: errors above (WarningsAsErrors checks, or files that do not compile)"
  exit 1
fi
echo "clang-tidy.sh: no errors"
