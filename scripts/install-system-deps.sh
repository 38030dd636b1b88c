#!/usr/bin/env bash
# Install the Debian packages Zhanwu needs, only those that are missing.
#
#   scripts/install-system-deps.sh            # run-time: CJK fonts + HarfBuzz subsetter (WeasyPrint PDFs)
#   scripts/install-system-deps.sh --browser  # also Debian's chromium for the Playwright browser tests
#   scripts/install-system-deps.sh --npm      # Debian's npm (+ nodejs), when npm is not on PATH
#
# Idempotent and quick when everything is present: `dpkg -s` is checked first and
# `apt-get update` runs at most once, only when something has to be installed.
# Set ZHANWU_SKIP_SYSTEM_DEPS=1 to skip this step entirely (e.g. a machine without apt).
set -euo pipefail

if [[ "${ZHANWU_SKIP_SYSTEM_DEPS:-}" == "1" ]]; then
    echo "system-deps: skipped (ZHANWU_SKIP_SYSTEM_DEPS=1)"
    exit 0
fi

# WeasyPrint renders Chinese PDFs with the Noto CJK fonts and subsets them with HarfBuzz.
packages=(fonts-noto-cjk libharfbuzz-subset0)
for arg in "$@"; do
    case "$arg" in
        --browser)
            # Playwright drives /usr/bin/chromium (executable_path); never `playwright install`.
            if [[ -x /usr/bin/chromium ]]; then
                echo "system-deps: ok (/usr/bin/chromium)"
            else
                packages+=(chromium)
            fi
            ;;
        --npm)
            command -v npm >/dev/null 2>&1 || packages=(npm)
            ;;
        *)
            echo "usage: $0 [--browser] [--npm]" >&2
            exit 2
            ;;
    esac
done

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system-deps: ok (${packages[*]})"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
    exit 1
fi

sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    else
        echo "system-deps: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
