#!/usr/bin/env bash
# Re-make docs/realisation.png: the example's board workbook, printed by LibreOffice, the first
# page of the Realisation sheet (found by its footer, which names the sheet).
# Needs LibreOffice (libreoffice-calc-nogui) and poppler-utils (pdftotext, pdftoppm).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/npv-calc run scenarios/ --xlsx "$work/board.xlsx" > /dev/null
soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
    --convert-to pdf --outdir "$work" "$work/board.xlsx" > /dev/null
pages=$(pdfinfo "$work/board.pdf" | awk '/^Pages:/ {print $2}')
for page in $(seq 1 "$pages"); do
    if pdftotext -f "$page" -l "$page" -layout "$work/board.pdf" - | grep -q '^ *Realisation  '; then
        pdftoppm -f "$page" -l "$page" -r 100 -png -singlefile "$work/board.pdf" docs/realisation
        echo "wrote docs/realisation.png (page $page)"
        exit 0
    fi
done
echo "no Realisation page found" >&2
exit 1
