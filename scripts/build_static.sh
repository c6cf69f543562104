#!/usr/bin/env bash
# Copy the pinned npm front-end assets into our static files (no CDN). Their CSS refers to
# /assets/...; rewrite that to a path relative to the stylesheet so it works under /static/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=safeguard/frontend/static/vendor
rm -rf "$out"
mkdir -p "$out/govuk-frontend" "$out/moj-frontend"
govuk=node_modules/govuk-frontend/dist/govuk
moj=node_modules/@ministryofjustice/frontend/moj
cp "$govuk/govuk-frontend.min.js" "$govuk/govuk-frontend.min.js.map" "$out/govuk-frontend/"
cp -r "$govuk/assets" "$out/govuk-frontend/"
sed 's#url(/assets/#url(assets/#g; s#/\*\# sourceMappingURL=.*\*/##' "$govuk/govuk-frontend.min.css" \
  > "$out/govuk-frontend/govuk-frontend.min.css"
cp "$moj/moj-frontend.min.js" "$out/moj-frontend/"
cp -r "$moj/assets" "$out/moj-frontend/"
sed 's#url(/assets/#url(assets/#g; s#/\*\# sourceMappingURL=.*\*/##' "$moj/moj-frontend.min.css" \
  > "$out/moj-frontend/moj-frontend.min.css"
echo "static assets built in $out"
