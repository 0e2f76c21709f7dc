"""The look of the board workbook, read from the declarative style file
``templates/xlsx/board.toml``: cell formats, colours, number formats, page set-up.

The file is npv-calc's own (not user input) but it is meant to be edited, so every problem in it
is reported with the file's name and what to fix, and a run never writes it.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import OutputError

REPO_STYLE = Path(__file__).resolve().parents[4] / "templates" / "xlsx" / "board.toml"
INSTALLED_STYLE = Path(sys.prefix) / "share" / "npv-calc" / "templates" / "board.toml"

#: The formats the workbook writer uses: the style file must define each one.
FORMATS = (
    "title",
    "subtitle",
    "section",
    "header",
    "label",
    "wrap label",
    "text",
    "text right",
    "wrap",
    "note",
    "note right",
    "wrap note",
    "money",
    "money pence",
    "money total",
    "money key",
    "percent",
    "percent key",
    "benefits fall",
    "costs rise",
    "probability",
    "probability key",
    "percent fine",
    "band end",
    "factor",
    "ratio",
    "number",
    "year",
    "count",
    "centre",
    "centre wrap",
    "label right",
    "status",
    "status good",
    "status bad",
    "verdict",
    "money verdict",
    "label verdict",
    "rag",
    "rag green",
    "rag amber",
    "rag red",
    "share",
    "share total",
    "input money",
    "input money pence",
    "input number",
    "input count",
    "input percent",
    "input index",
    "input year",
    "input text",
    "input wrap",
    "outturn money",
)
#: The format properties a style may set (XlsxWriter's names), and the type of each.
PROPERTIES: dict[str, type | tuple[type, ...]] = {
    "font_name": str,
    "font_size": (int, float),
    "bold": bool,
    "italic": bool,
    "underline": int,
    "font_color": str,
    "bg_color": str,
    "pattern": int,
    "num_format": str,
    "align": str,
    "valign": str,
    "text_wrap": bool,
    "indent": int,
    "border": int,
    "top": int,
    "bottom": int,
    "left": int,
    "right": int,
    "border_color": str,
    "locked": bool,
    "shrink": bool,
}
PAGE_KEYS: dict[str, type | tuple[type, ...]] = {
    "paper": int,
    "landscape": bool,
    "margin_left": (int, float),
    "margin_right": (int, float),
    "margin_top": (int, float),
    "margin_bottom": (int, float),
    "center_horizontally": bool,
    "zoom": int,
    "header": str,
    "footer": str,
    "title_height": (int, float),
    "subtitle_height": (int, float),
    "page_width": (int, float),
}


@dataclass(frozen=True)
class Style:
    """A style file, read and checked."""

    path: Path
    #: the default font of every cell ({"font_name": ..., "font_size": ...})
    base: dict[str, Any]
    #: XlsxWriter format properties by format name, colours and number formats resolved
    formats: dict[str, dict[str, Any]]
    page: dict[str, Any]
    colours: dict[str, str]

    def colour(self, name: str) -> str:
        return self.colours[name]


def default_style() -> Path:
    """The style file in the source tree, or the copy installed with the package."""
    return REPO_STYLE if REPO_STYLE.exists() else INSTALLED_STYLE


def read_style(path: Path) -> Style:
    """Read and check a style file.

    Raises
    ------
    OutputError
        The file is missing or not valid TOML, or a format is missing, unknown, or sets an
        unknown property or a value of the wrong type; the message names the file.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(
            f"the workbook style file {path} is missing; restore templates/xlsx/board.toml "
            "from the source"
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise OutputError(f"the workbook style file {path} cannot be read: {exc}") from None
    problems: list[str] = []

    def table(name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            problems.append(f"[{name}] must be a table")
            return {}
        return value

    colours = {k: str(v) for k, v in table("colours").items()}
    numbers = {k: str(v) for k, v in table("numbers").items()}

    def resolve(where: str, key: str, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            if value[1:] not in colours:
                problems.append(f"{where}: {key} names the colour {value}, not in [colours]")
            return colours.get(value[1:], "#000000")
        if key == "num_format" and isinstance(value, str) and value.startswith("#"):
            if value[1:] not in numbers:
                problems.append(f"{where}: num_format names {value}, not in [numbers]")
            return numbers.get(value[1:], "General")
        return value

    def checked(where: str, spec: dict[str, Any], allowed: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in spec.items():
            kind = allowed.get(key)
            if kind is None:
                problems.append(f"{where}: unknown property {key!r}; allowed: {', '.join(allowed)}")
            elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                problems.append(f"{where}: {key} = {value!r} has the wrong type")
            else:
                out[key] = resolve(where, key, value)
        return out

    base = checked("[workbook]", table("workbook"), PROPERTIES)
    page = checked("[page]", table("page"), PAGE_KEYS)
    missing_page = sorted(set(PAGE_KEYS) - set(page))
    if missing_page:
        problems.append(f"[page] lacks {', '.join(missing_page)}")
    raw_formats = table("formats")
    formats = {
        name: {**base, **checked(f"[formats.{name!r}]", spec, PROPERTIES)}
        for name, spec in raw_formats.items()
        if isinstance(spec, dict)
    }
    missing = [name for name in FORMATS if name not in formats]
    if missing:
        problems.append("formats missing: " + ", ".join(repr(m) for m in missing))
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        problems.append(
            "formats npv-calc does not use (a misspelling?): " + ", ".join(map(repr, unknown))
        )
    if problems:
        raise OutputError(f"the workbook style file {path} has problems: " + "; ".join(problems))
    return Style(path, base, formats, page, colours)
