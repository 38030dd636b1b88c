#!/usr/bin/env bash
# Install the front-end packages from the npm registry (package-lock.json) and copy the files
# the templates use into static/vendor/, where Django's staticfiles/WhiteNoise serve them.
# No CDN at run time. Skipped quickly when the lock file and this script are unchanged.
#
#   static/vendor/bootstrap.min.css, bootstrap.bundle.min.js (+ their .map files)
#   static/vendor/bootstrap-icons.min.css and static/vendor/fonts/bootstrap-icons.woff{,2}
#   static/vendor/htmx.min.js
#   static/vendor/echarts.min.js
set -euo pipefail
cd "$(dirname "$0")/.."

vendor=static/vendor
stamp="$vendor/.assets.sha256"
files=(
    bootstrap.min.css bootstrap.min.css.map bootstrap.bundle.min.js bootstrap.bundle.min.js.map
    bootstrap-icons.min.css fonts/bootstrap-icons.woff fonts/bootstrap-icons.woff2
    htmx.min.js echarts.min.js
)

lock=package-lock.json
[[ -f "$lock" ]] || lock=package.json
want="$(cat package.json "$lock" "$0" | sha256sum | cut -d' ' -f1)"

complete=1
for f in "${files[@]}"; do
    [[ -s "$vendor/$f" ]] || complete=0
done
if [[ $complete -eq 1 && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "assets: ok ($vendor up to date)"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "assets: npm not found; installing Debian's npm"
    ZHANWU_SKIP_SYSTEM_DEPS= scripts/install-system-deps.sh --npm
fi

npm_flags=(--no-audit --no-fund --ignore-scripts --loglevel=error)
if [[ -f package-lock.json ]]; then
    echo "assets: npm ci"
    npm ci "${npm_flags[@]}"
else
    echo "assets: npm install (no package-lock.json)"
    npm install "${npm_flags[@]}"
fi

nm=node_modules
mkdir -p "$vendor/fonts"
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/css/bootstrap.min.css.map" "$vendor/"
cp "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$vendor/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$vendor/"
cp "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff" "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff2" \
    "$vendor/fonts/"
cp "$nm/htmx.org/dist/htmx.min.js" "$vendor/"
cp "$nm/echarts/dist/echarts.min.js" "$vendor/"

for f in "${files[@]}"; do
    if [[ ! -s "$vendor/$f" ]]; then
        echo "assets: $vendor/$f is missing after the copy" >&2
        exit 1
    fi
done
echo "$want" > "$stamp"
echo "assets: ok (copied into $vendor)"
