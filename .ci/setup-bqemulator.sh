#!/usr/bin/env bash
# Create the isolated virtualenv that runs the BigQuery emulator used by tests.
# Idempotent: a stamp file records what was installed; a second run is a no-op.
set -euo pipefail

BQEMULATOR_VERSION="1.4.0"
# numpy is imported by bqemulator but not declared as a dependency.
EXTRA_PACKAGES=(numpy)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venvs/bqemulator"
PYTHON_BIN="${BQEMU_PYTHON:-python3.11}"
STAMP="$VENV/.bqemulator-stamp"
WANT="bqemulator==$BQEMULATOR_VERSION ${EXTRA_PACKAGES[*]}"

if [[ -f "$STAMP" && -x "$VENV/bin/python" && "$(cat "$STAMP")" == "$WANT" ]]; then
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON_BIN" -m venv "$VENV"
fi
# pip's machine-wide config names local mirrors that may be absent; drop those warnings.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "bqemulator==$BQEMULATOR_VERSION" "${EXTRA_PACKAGES[@]}" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
printf '%s' "$WANT" > "$STAMP"
