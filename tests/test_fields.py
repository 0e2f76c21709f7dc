"""The declaration of the scenario format's keys (:mod:`npv_calc.load.fields`) and its four
consumers: the TOML reader, the JSON Schema, the input workbook (layout, reader and ``export``).

Every declared field is given a value of its kind and must come through each consumer: read into
the model, accepted by the schema, written into a workbook by ``export`` and read back the same.
A field declared but missed by a consumer (no schema for its kind, no column, not written) fails
here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from npv_calc import load_portfolio
from npv_calc.convert.input_workbook import export
from npv_calc.convert.scenario_files import value as toml_value
from npv_calc.load import fields, workbook_layout
from npv_calc.load.kinds import (
    Agencies,
    Amounts,
    Boolean,
    Choice,
    Identifier,
    Keyed,
    Kind,
    Names,
    Nested,
    Number,
    Outturn,
    Pair,
    Span,
    Statuses,
    Text,
    UncertainValue,
    Whole,
    Year,
)
from npv_calc.load.spec import SPREAD, Col, Field, Row, Section
from npv_calc.model import APPRAISAL_KEYS, Impact, Line, Portfolio, Project, Risk
from npv_calc.schema import schema
from npv_calc.workbook_io import column_number
from tests.strategies import toml_dumps

YEAR = 2022
#: Structural kinds: their tables are sections of their own, tested as such.
STRUCTURAL = (Keyed, Nested, Pair)


def sample(field: Field) -> Any:
    """A valid value of a field's kind, other than its default (so that it shows)."""
    kind: Kind = field.kind
    if isinstance(kind, UncertainValue):
        triples = [(0.01, 0.02, 0.03), (10.0, 20.0, 30.0)]
        low, central, high = next(t for t in triples if all(kind.rule.ok(x) for x in t))
        return {"low": low, "central": central, "high": high}
    if isinstance(kind, Number):
        return next(x for x in (0.05, 2.5, 1000.0) if kind.rule.ok(x))
    samples: dict[type, Callable[[], Any]] = {
        Text: lambda: "Police" if field.key == "agency" else "Sample text",
        Identifier: lambda: "SAMPLE",
        Boolean: lambda: True,
        Year: lambda: YEAR,
        Span: lambda: [1, 2],
        Amounts: lambda: [10.0, 20.0],
        Outturn: lambda: {str(YEAR - 1): 5.0},
        Agencies: lambda: ["Police", "Fire"],
        Statuses: lambda: ["approved"],
        Names: lambda: ["P0"] if field.key == "exclude" else ["Police"],
    }
    if isinstance(kind, Choice):
        return kind.choices[-1]
    if isinstance(kind, Whole):
        return min(kind.high, kind.low + 11)
    if type(kind) not in samples:
        raise AssertionError(f"{field.key}: no sample for the kind {type(kind).__name__}")
    return samples[type(kind)]()


def _own(section: Section) -> list[Field]:
    return [f for f in section.fields if not isinstance(f.kind, STRUCTURAL)]


#: What a key needs beside it in its table to be valid on its own.
COMPANIONS = {"quantity": {"unit_value": 3.0}, "unit_value": {"quantity": 3.0}}
#: The key that states a line's money, unless the field under test does.
MONEY_KEYS = {"amounts", "quantity", "unit_value", "annual"}


def _line(section: Section, field: Field) -> dict[str, Any]:
    table: dict[str, Any] = {"name": f"{section.name} {field.key}"}
    if field.key not in MONEY_KEYS:
        table["annual"] = 1000.0
    table.update(COMPANIONS.get(field.key, {}))
    table[field.key] = sample(field)
    return table


def _risk(field: Field) -> dict[str, Any]:
    return {"name": f"risk {field.key}", "probability": 0.5, "impact": 100.0} | {
        field.key: sample(field)
    }


def _impact(field: Field) -> dict[str, Any]:
    base = {"name": f"impact {field.key}", "direction": "positive", "materiality": "low"}
    return base | {field.key: sample(field)}


#: (what, field, the item of a loaded portfolio that holds it, the value written)
Check = tuple[str, Field, Callable[[Portfolio], object], Any]


def _project(portfolio: Portfolio, pid: str) -> Project:
    return next(p for p in portfolio.projects if p.id == pid)


def _tried(what: str, fields_: list[Field], item: Callable[[Portfolio], object]) -> list[Check]:
    return [(what, f, item, sample(f)) for f in fields_]


def _items_tried(section: Section) -> list[Check]:
    """A check for each line (risk, impact) of project P0, which tries one field each."""
    return [
        (
            f"{section.name}[{i}]",
            f,
            lambda p, s=section.name, i=i: getattr(_project(p, "P0"), s)[i - 1],
            sample(f),
        )
        for i, f in enumerate(_own(section), start=1)
    ]


def _documents(options: bool = True) -> tuple[dict[str, dict[str, Any]], list[Check]]:
    """A scenario directory giving every declared field a value (each line, risk, impact,
    project and scenario trying one field), and where each field lands in the model."""
    settings = list(fields.APPRAISAL.fields)
    portfolio: dict[str, Any] = {
        "portfolio": {f.key: sample(f) for f in _own(fields.PORTFOLIO)},
        # schedule and discount_rate may not share a table: the rate is tried elsewhere
        "appraisal": {f.key: sample(f) for f in settings if f.key != "discount_rate"},
        "confidence_grades": {"12": 0.3},
        "deflators": {"2015": 80.0, str(YEAR): 100.0, "2023": 101.0},
        "scenarios": {f"s-{f.key}": {"set": {f.key: sample(f)}} for f in settings},
        "realisation": {f.key: sample(f) for f in _own(fields.REALISATION)},
    }
    portfolio["scenarios"]["s-meta"] = {f.key: sample(f) for f in _own(fields.SCENARIO)}
    checks = _tried("[portfolio]", _own(fields.PORTFOLIO), lambda p: p)
    checks += _tried("[appraisal]", settings[1:], lambda p: p.settings)
    checks += _tried("[realisation]", _own(fields.REALISATION), lambda p: p.realisation)
    for f in settings:
        checks += _tried(f"s-{f.key}", [f], lambda p, k=f.key: p.scenarios[f"s-{k}"].set)
    checks += _tried("s-meta", _own(fields.SCENARIO), lambda p: p.scenarios["s-meta"])
    identity = {"id": "P0", "name": "Every item", "start_year": YEAR - 2}
    scalars = [f for f in _own(fields.PROJECT) if f not in settings and f.key not in SHORTLIST]
    p0: dict[str, Any] = {f.key: identity.get(f.key, sample(f)) for f in scalars}
    checks += [
        ("project P0", f, lambda p: _project(p, "P0"), identity.get(f.key, sample(f)))
        for f in scalars
    ]
    p0["costs"] = [_line(fields.COSTS, f) for f in _own(fields.COSTS)]
    p0["benefits"] = [_line(fields.BENEFITS, f) for f in _own(fields.BENEFITS)]
    p0["risks"] = [_risk(f) for f in _own(fields.RISKS)]
    p0["impacts"] = [_impact(f) for f in _own(fields.IMPACTS)]
    for section in (fields.COSTS, fields.BENEFITS, fields.RISKS, fields.IMPACTS):
        checks += _items_tried(section)
    documents = {"portfolio.toml": portfolio, "p0.toml": p0}
    for f in settings:  # each a project's own setting
        pid = f"P-{f.key}".replace("_", "-")
        documents[f"{pid}.toml"] = {
            "id": pid,
            "name": pid,
            "start_year": YEAR - 2,
            f.key: sample(f),
            "costs": [{"name": "c", "annual": 1.0}],
        }
        checks += _tried(f"project {pid}", [f], lambda p, pid=pid: _project(p, pid).overrides)
    if options:
        documents["p-options.toml"], more = _options_document()
        checks += more
    return documents, checks


#: The keys of a project only a project with options holds.
SHORTLIST = ("preferred", "preferred_because")


def _options_document() -> tuple[dict[str, Any], list[Check]]:
    """A project with a shortlist: business as usual and an option giving every option key,
    preferred (with a reason)."""
    option_fields = {f.key: f for f in _own(fields.OPTIONS)}
    option = {key: sample(f) for key, f in option_fields.items()} | {"includes": "bau"}
    option["costs"] = [{"name": "c", "annual": 1.0}]
    document = {
        "id": "P-options",
        "name": "Options",
        "start_year": YEAR - 2,
        "preferred": option["id"],
        "preferred_because": "Sample text",
        "options": [{"id": "bau", "name": "Business as usual", "role": "bau"}, option],
    }
    checks: list[Check] = [
        (f"option {key}", f, lambda p: _project(p, "P-options").options[1], option[key])
        for key, f in option_fields.items()
    ]
    checks += [
        (
            f"project {key}",
            fields.PROJECT.field(key),
            lambda p: _project(p, "P-options"),
            document[key],
        )
        for key in SHORTLIST
    ]
    return document, checks


def _folder(tmp_path_factory: pytest.TempPathFactory, options: bool) -> Path:
    folder = tmp_path_factory.mktemp("every-field")
    documents, _ = _documents(options)
    for name, document in documents.items():
        (folder / name).write_text(toml_dumps(document), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _folder(tmp_path_factory, options=True)


def _written(field: Field, item: object) -> str | None:
    value = field.value_of(item)
    return None if value is None else toml_value(value)


def test_every_field_is_tried():
    """The directory below tries each field of each section that holds values."""
    _, checks = _documents()
    tried = {id(f) for _, f, _, _ in checks}
    for section in fields.SECTIONS.values():
        for f in _own(section):
            assert id(f) in tried or section is fields.BETWEEN, f"{section.name}: {f.key}"


def test_every_field_reaches_the_model(folder: Path):
    portfolio = load_portfolio(folder, scenarios=True)
    _, checks = _documents()
    for what, field, item, written in checks:
        assert _written(field, item(portfolio)) == toml_value(written), f"{what}: {field.key}"


def test_every_file_passes_the_schema(folder: Path):
    for path in folder.glob("*.toml"):
        kind = "portfolio" if path.name == "portfolio.toml" else "project"
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        errors = list(Draft202012Validator(schema(kind)).iter_errors(document))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_every_field_survives_export_and_import(folder: Path, tmp_path: Path):
    portfolio = load_portfolio(folder, scenarios=True)
    book = export(portfolio, tmp_path / "every-field.xlsx")
    back = load_portfolio(book, scenarios=True)
    _, checks = _documents()
    for what, field, item, _ in checks:
        expected = _written(field, item(portfolio))
        assert _written(field, item(back)) == expected, f"{what}: {field.key}"


# -- the schema and the workbook say what the declaration says ---------------------------------


def _schema_properties() -> Iterator[tuple[Section, dict[str, Any]]]:
    defs = schema("any")["$defs"]
    portfolio = defs["portfolio"]["properties"]
    yield fields.PROJECT, defs["project"]["properties"]
    yield fields.COSTS, defs["cost"]["properties"]
    yield fields.BENEFITS, defs["benefit"]["properties"]
    yield fields.RISKS, defs["risk"]["properties"]
    yield fields.IMPACTS, defs["impact"]["properties"]
    yield fields.OPTIONS, defs["option"]["properties"]
    yield fields.PORTFOLIO_FILE, portfolio
    yield fields.PORTFOLIO, portfolio["portfolio"]["properties"]
    yield fields.APPRAISAL, portfolio["appraisal"]["properties"]
    yield fields.REALISATION, portfolio["realisation"]["properties"]
    yield fields.SCENARIO, portfolio["scenarios"]["additionalProperties"]["properties"]
    yield fields.CORRELATION, portfolio["correlation"]["properties"]
    yield fields.BETWEEN, portfolio["correlation"]["properties"]["between"]["items"]["properties"]


def test_the_schema_has_every_declared_key_and_no_other():
    seen = set()
    for section, properties in _schema_properties():
        assert set(properties) == set(section.keys), section.name
        seen.add(section.name)
    assert seen == set(fields.SECTIONS)


def test_required_keys_are_the_schemas():
    defs = schema("any")["$defs"]
    for section, name in (
        (fields.PROJECT, "project"),
        (fields.RISKS, "risk"),
        (fields.IMPACTS, "impact"),
    ):
        assert defs[name]["required"] == [f.key for f in section.fields if f.required]


def test_appraisal_fields_are_the_models_settings():
    assert fields.APPRAISAL.keys == APPRAISAL_KEYS


@pytest.mark.parametrize(
    ("section", "model"),
    [(fields.COSTS, Line), (fields.BENEFITS, Line), (fields.RISKS, Risk), (fields.IMPACTS, Impact)],
)
def test_item_fields_are_model_fields(section: Section, model: type):
    assert set(section.keys) <= set(model.__dataclass_fields__), section.name


ENDS = ("low", "high", "first", "last")


def _column_keys(sheet: str, key: str) -> list[str]:
    """The keys of the columns a field's value takes on a sheet (a setting's on the Scenarios
    sheet are under ``set.``)."""
    keys = [c.key for c in workbook_layout.TABLE_SHEETS[sheet]]
    return [
        k
        for k in keys
        for base in (key, f"set.{key}")
        if k == base or (k.startswith(f"{base}.") and k.rsplit(".", 1)[1] in ENDS)
    ]


def test_every_field_has_a_place_in_the_workbook():
    """A column or a row of its own (found in the layout), or a sheet it is written on."""
    rows = {key for _, key, _, _ in workbook_layout.PORTFOLIO_ROWS}
    for section in fields.SECTIONS.values():
        for f in section.fields:
            assert f.sheets or f.elsewhere, f"{section.name}: {f.key} has no place in the workbook"
            for sheet, placed in f.sheets.items():
                if isinstance(placed, Col):
                    assert _column_keys(sheet, placed.key or f.key), f"{sheet}: {f.key}"
                elif isinstance(placed, Row):
                    assert f.key in rows, f"Portfolio: {f.key}"
                else:
                    assert placed == SPREAD


def test_the_layout_has_no_column_without_a_field_or_a_purpose():
    """Every column of a sheet is a field's, or one of the few a sheet has of its own."""
    own = {
        "Projects": {"file"},
        "Costs": {"project", "groups"},
        "Benefits": {"project", "groups"},
        "Risks": {"project", "impact.group"},
        "Impacts": {"project"},
        "Options": {"project"},
        "Scenarios": {"name"},
        "Grades": {"grade", "share"},
        "Deflators": {"year", "index"},
        "Correlation": {"group", "with", "rank"},
        "Outturn": {"project", "section", "line", "year", "amount"},
        "Agencies": set(),
    }
    declared = {
        (sheet, (placed.key or f.key))
        for section in fields.SECTIONS.values()
        for f in section.fields
        for sheet, placed in f.sheets.items()
        if isinstance(placed, Col)
    }
    spread = {(sheet, f"set.{f.key}") for f in fields.APPRAISAL.fields for sheet in ("Scenarios",)}
    for sheet, columns in workbook_layout.TABLE_SHEETS.items():
        for column in columns:
            base = (
                column.key.rsplit(".", 1)[0]
                if column.key.endswith((".low", ".high", ".first", ".last"))
                else column.key
            )
            assert (sheet, base) in declared | spread or column.key in own[sheet], (
                f"{sheet}: {column.key}"
            )


def test_columns_of_a_field_are_at_its_letter():
    """The template's cell addresses are a contract: each field's column is where it says."""
    for section in fields.SECTIONS.values():
        for f in section.fields:
            for sheet, placed in f.sheets.items():
                if not isinstance(placed, Col):
                    continue
                keys = [c.key for c in workbook_layout.TABLE_SHEETS[sheet]]
                first = _column_keys(sheet, placed.key or f.key)[0]
                assert keys.index(first) + 1 == column_number(placed.at), f"{sheet}: {f.key}"


def test_portfolio_rows_are_at_their_numbers():
    for number, (table, key, _, _) in enumerate(
        workbook_layout.PORTFOLIO_ROWS, start=workbook_layout.FIRST_ROW
    ):
        section = fields.SECTIONS[table]
        placed = section.field(key).sheets["Portfolio"]
        assert isinstance(placed, Row) and placed.number == number


def test_the_line_hints_name_the_other_section():
    assert fields.COSTS.misplaced["quantity"] == "applies to benefits only"
    assert fields.BENEFITS.misplaced["kind"] == "applies to costs only (revenue or capital)"
    assert set(fields.COSTS.misplaced) == set(fields.BENEFITS.keys) - set(fields.COSTS.keys)
    assert set(fields.BENEFITS.misplaced) == set(fields.COSTS.keys) - set(fields.BENEFITS.keys)


def test_a_new_field_without_a_sample_fails_loudly():
    """The sample table above knows every kind the declaration uses."""

    class Unknown(Kind):
        pass

    with pytest.raises(AssertionError, match="no sample"):
        sample(Field("new", Unknown()))
