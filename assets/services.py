"""The write paths for assets: create, update, a measure's assets, and the CSV import.

Every write checks the actor's right (coordinators), validates the whole
asset (each fact with its source note) and writes in one transaction. A
change that can change a measure's coverage (its assets, or an asset's host
or criticality) also touches the measure's ``updated_at``, so the support
answer's ETag (``consensus.selectors.support_etag``) changes with it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from assets.models import Asset
from consensus.errors import InvalidInput
from positions.models import Measure, State

# The fields a caller may set, in the CSV's column order.
ASSET_FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "host",
    "host_source",
    "latitude",
    "longitude",
    "location_source",
    "owner",
    "owner_country",
    "owner_source",
    "share",
    "share_source",
    "criticality",
    "criticality_source",
)
REQUIRED_COLUMNS = frozenset(
    {
        "name",
        "kind",
        "host",
        "host_source",
        "owner",
        "owner_country",
        "owner_source",
        "criticality",
        "criticality_source",
    }
)
# Facts whose change can change which routes cover the asset.
COVERAGE_FIELDS = frozenset({"host", "criticality"})
# The largest CSV import, in rows.
IMPORT_ROW_LIMIT = 2000


def sources_missing(asset: Asset) -> dict[str, list[str]]:
    """Each fact recorded needs its source note; the location needs both coordinates."""
    errors: dict[str, list[str]] = {}
    needs = [
        ("host_source", True, "say where the host state comes from"),
        ("owner_source", True, "say where the owner and its country come from"),
        ("criticality_source", True, "say who assessed the criticality, and how"),
        (
            "location_source",
            asset.latitude is not None or asset.longitude is not None,
            "say where the location comes from",
        ),
        ("share_source", asset.share is not None, "say where the ownership share comes from"),
    ]
    for name, needed, message in needs:
        if needed and not str(getattr(asset, name) or "").strip():
            errors[name] = [message]
    if (asset.latitude is None) != (asset.longitude is None):
        missing = "latitude" if asset.latitude is None else "longitude"
        errors[missing] = ["give both the latitude and the longitude, or neither"]
    return errors


def _validate(asset: Asset, *, unique: bool = True) -> None:
    """Refuse an asset with a bad field or a fact without its source. Writes nothing.

    The host is a ``State`` the caller has already found, so it is not looked up again.
    """
    errors: dict[str, list[str]] = {}
    try:
        asset.full_clean(exclude=["measures", "host"], validate_unique=unique)
    except ValidationError as error:
        errors.update({k: [str(m) for m in v] for k, v in error.message_dict.items()})
    for name, messages in sources_missing(asset).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidInput(errors)


def _touch_measures(measure_ids: Iterable[int]) -> None:
    """Mark the measures as changed: their coverage (and so their support answer) changed."""
    Measure.objects.filter(pk__in=list(measure_ids)).update(updated_at=timezone.now())


def asset_create(*, actor: User, host: State, **facts: Any) -> Asset:
    """Record a new asset (coordinators). Refuses, writing nothing, a bad or unsourced fact."""
    if not permissions.can_manage_assets(actor):
        raise PermissionDenied("only coordinators keep the asset registry")
    unknown = set(facts) - set(ASSET_FIELDS)
    if unknown:
        raise InvalidInput(dict.fromkeys(sorted(unknown), "unknown field"))
    asset = Asset(host=host, **facts)
    _validate(asset)
    with transaction.atomic():
        asset.save()
    return asset


def asset_update(*, actor: User, asset: Asset, **changes: Any) -> Asset:
    """Edit an asset (coordinators): only the fields given change.

    A new host state or criticality changes the coverage of every measure
    covering the asset, so those measures are marked as changed too.
    """
    if not permissions.can_manage_assets(actor):
        raise PermissionDenied("only coordinators keep the asset registry")
    unknown = set(changes) - set(ASSET_FIELDS)
    if unknown:
        raise InvalidInput(dict.fromkeys(sorted(unknown), "unknown or read-only field"))
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        before = {name: getattr(asset, name) for name in COVERAGE_FIELDS}
        for name, value in changes.items():
            setattr(asset, name, value)
        _validate(asset)
        asset.save()
        if any(getattr(asset, name) != before[name] for name in COVERAGE_FIELDS):
            _touch_measures(asset.measures.values_list("pk", flat=True))
    return asset


def measure_assets_set(*, actor: User, measure: Measure, assets: Iterable[Asset]) -> list[Asset]:
    """Say which assets the measure covers (coordinators): the list replaces the previous one."""
    if not permissions.can_manage_assets(actor):
        raise PermissionDenied("only coordinators say which assets a measure covers")
    wanted = list({asset.pk: asset for asset in assets}.values())
    with transaction.atomic():
        current = set(measure.assets.values_list("pk", flat=True))
        if current != {asset.pk for asset in wanted}:
            measure.assets.set(wanted)
            _touch_measures([measure.pk])
    return sorted(wanted, key=lambda asset: asset.name)


# The CSV import ----------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: every row imported, or none and each refused row with why."""

    rows: int = 0
    imported: list[Asset] = field(default_factory=list)
    # Row numbers count the header as row 1, as a spreadsheet shows them.
    refused: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": len(self.imported) if self.ok else 0,
            "ids": [asset.pk for asset in self.imported] if self.ok else [],
            "refused": [{"row": row, "errors": errors} for row, errors in self.refused],
        }


def _import_rows(text: str) -> tuple[list[str], list[dict[str, str | None]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, list(reader)


def _import_row(
    row: Mapping[str, Any], states: Mapping[str, State], names_seen: dict[str, int], number: int
) -> tuple[Asset | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if row.get("__extra__"):
        errors["row"] = ["more cells than columns"]
    if any(row.get(name) is None for name in ASSET_FIELDS if name in row):
        errors["row"] = ["fewer cells than columns"]
    values: dict[str, str | None] = {
        name: (row.get(name) or "").strip()
        for name in ASSET_FIELDS
        if name in row and name != "host"
    }
    code = (row.get("host") or "").strip().upper()
    host = states.get(code)
    if host is None:
        errors["host"] = [f"unknown state {code!r}: use one of the 36 states' alpha-3 codes"]
    name = values.get("name") or ""
    if name in names_seen:
        errors.setdefault("name", []).append(f"the same name as row {names_seen[name]}")
    else:
        names_seen[name] = number
    # Empty optional cells mean "not recorded".
    for optional in ("latitude", "longitude", "share"):
        if values.get(optional) == "":
            values[optional] = None
    asset = Asset(host=host, **values) if host is not None else Asset(**values)
    try:
        _validate(asset, unique=False)  # the caller checks the names in one query
    except InvalidInput as refusal:
        for key, messages in refusal.errors.items():
            if key == "host" and "host" in errors:
                continue
            errors.setdefault(key, []).extend(messages)
    return (None if errors else asset), errors


def assets_import(*, actor: User, text: str) -> ImportReport:
    """Import assets from CSV text (coordinators): every row, or none.

    The first row names the columns (``ASSET_FIELDS``; those in
    ``REQUIRED_COLUMNS`` must be there; the others may be left out). Each
    following row is one new asset. If any row is refused (a bad or unsourced
    fact, an unknown host state, a name already in the registry or repeated
    in the file), nothing is written and the report lists every refused row
    with the reasons; otherwise every row is imported in one transaction.
    """
    if not permissions.can_manage_assets(actor):
        raise PermissionDenied("only coordinators import assets")
    report = ImportReport()
    try:
        header, rows = _import_rows(text)
    except csv.Error as error:
        report.refused.append((1, {"file": [f"not readable as CSV: {error}"]}))
        return report
    unknown = sorted(set(header) - set(ASSET_FIELDS))
    missing = sorted(REQUIRED_COLUMNS - set(header))
    header_errors: dict[str, list[str]] = {}
    if not header:
        header_errors["file"] = ["empty: the first row must name the columns"]
    else:
        if unknown:
            header_errors["columns"] = [f"unknown columns: {', '.join(unknown)}"]
        if missing:
            header_errors.setdefault("columns", []).append(f"missing columns: {', '.join(missing)}")
        if len(set(header)) != len(header):
            header_errors.setdefault("columns", []).append("a column is named twice")
    if header_errors:
        report.refused.append((1, header_errors))
        return report
    report.rows = len(rows)
    if not rows:
        report.refused.append((1, {"file": ["no rows below the header"]}))
        return report
    if len(rows) > IMPORT_ROW_LIMIT:
        report.refused.append((1, {"file": [f"more than {IMPORT_ROW_LIMIT} rows"]}))
        return report

    states = {state.code: state for state in State.objects.all()}
    existing = set(
        Asset.objects.filter(name__in=[(r.get("name") or "").strip() for r in rows]).values_list(
            "name", flat=True
        )
    )
    names_seen: dict[str, int] = {}
    assets: list[Asset] = []
    for number, row in enumerate(rows, start=2):
        asset, errors = _import_row(row, states, names_seen, number)
        name = (row.get("name") or "").strip()
        if name in existing:
            errors.setdefault("name", []).append("an asset of this name is already recorded")
            asset = None
        if errors:
            report.refused.append((number, errors))
        elif asset is not None:
            assets.append(asset)
    if report.refused:
        return report
    with transaction.atomic():
        for asset in assets:
            asset.save()
    report.imported = assets
    return report
