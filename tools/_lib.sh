# shellcheck shell=bash
# Shared helpers for tools/*: sourced, never run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# find_python MAJOR.MINOR: print the path of a CPython interpreter of that version.
# Order: pyenv versions (newest patch first), then pythonX.Y on PATH.
find_python() {
    local want="$1" root cand
    root="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root)"
    fi
    while read -r cand; do
        if [[ -x "$cand" ]]; then
            echo "$cand"
            return 0
        fi
    done < <(printf '%s\n' "$root"/versions/"$want".*/bin/python3 | sort -rV)
    if command -v "python$want" >/dev/null 2>&1; then
        command -v "python$want"
        return 0
    fi
    return 1
}

# pip prints harmless warnings about the machine's local file:// indexes; keep the log readable.
pip_quiet() {
    local out rc=0
    out="$(mktemp)"
    "$@" >"$out" 2>&1 || rc=$?
    grep -v -e "is ignored: it is neither a file nor a directory" -e "^Looking in indexes" "$out" >&2 || true
    rm -f "$out"
    return "$rc"
}
