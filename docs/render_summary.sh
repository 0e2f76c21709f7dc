#!/usr/bin/env bash
# Re-make docs/summary.png: the example's board workbook, printed by LibreOffice, first page.
# Needs LibreOffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/npv-calc run scenarios/ --xlsx "$work/board.xlsx" > /dev/null
soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
    --convert-to pdf --outdir "$work" "$work/board.xlsx" > /dev/null
pdftoppm -f 1 -l 1 -r 100 -png -singlefile "$work/board.pdf" docs/summary
echo "wrote docs/summary.png"
