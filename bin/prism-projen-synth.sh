#!/bin/sh
# prism-projen-synth, the synth and drift tasks' entry point: prism-projen-synth.cjs behind a fast path.
#
# usage: prism-projen-synth [.projenrc.ts] [--check]   (the arguments of prism-projen-synth.cjs)
#
# After each synth that it did not skip, the node runner records what that synth saw and wrote:
# the content (sha256) of every input and generated file, the starters that must exist, the inputs
# that were absent. While all of that still holds, a synth would write nothing and the drift check
# would find nothing: this script says so without starting node (a node process costs about 40 ms
# on a 2-core machine; sh and sha256sum about 4 ms). Anything else, and any doubt (no record, a record
# from another folder, no GNU sha256sum, PRISM_PROJEN_NO_CACHE=1, PROJEN_EJECTING), goes to the node
# runner, which checks the same facts again before it synthesizes.

check=
entry=
for arg in "$@"; do
  case $arg in
    --check) check=1 ;;
    --*) ;;
    *) [ -n "$entry" ] || entry=$arg ;;
  esac
done
: "${entry:=.projenrc.ts}"

# Keep this list of facts in step with upToDate() and writeRecord() in prism-projen-synth.cjs; a record
# with another set of facts gets another version in its first line, so an older one never holds.
record_holds() {
  [ "${PRISM_PROJEN_NO_CACHE:-}" != 1 ] && [ -z "${PRISM_PROJEN_SYNTH_DIR+set}" ] && [ -z "${PROJEN_EJECTING:-}" ] || return 1
  case $entry in */*) return 1 ;; esac   # the record is kept only for a projenrc in the working folder
  record=node_modules/.cache/prism-projen/last-synth
  [ -f "$record" ] || return 1
  cd -P . || return 1   # $PWD without symlinks, as node's process.cwd() reports the folder
  {
    IFS= read -r line && [ "$line" = "prism-projen-synth record 2" ] || return 1
    IFS= read -r line && [ "$line" = "root $PWD" ] || return 1
    IFS= read -r line && [ "$line" = "entry $entry" ] || return 1
    while IFS= read -r line && [ "$line" != sha256 ]; do
      case $line in
        "exists "*) [ -e "${line#exists }" ] || return 1 ;;
        "absent "*) ! [ -e "${line#absent }" ] || return 1 ;;
        *) return 1 ;;
      esac
    done
    [ "$line" = sha256 ] || return 1
    # The rest of the record, from where `read` stopped: "<sha256>  <path>" lines.
    sha256sum --status --strict -c - 2>/dev/null
  } < "$record"
}

if record_holds; then
  if [ -n "$check" ]; then
    echo "drift: none, every generated file matches $entry (unchanged since the last synth)"
  else
    echo "prism-projen: up to date (no input or generated file changed since the last synth)"
  fi
  exit 0
fi
# The node runner sits beside this script; npm's bin folder holds a symlink to it.
script=$0
while [ -L "$script" ]; do
  target=$(readlink "$script") || break
  case $target in
    /*) script=$target ;;
    *) case $script in */*) script=${script%/*}/$target ;; *) script=$target ;; esac ;;
  esac
done
case $script in */*) dir=${script%/*} ;; *) dir=. ;; esac
exec node "$dir/prism-projen-synth.cjs" "$@"
