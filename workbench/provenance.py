"""Provenance as typed schemas, owned here: every writer and reader goes through them.

* :class:`AlignmentProvenance` — the ``provenance`` of an alignment file's header, written by
  the aligner (via ``store.files.header_dict``) and read by export, import and review
  (``store.files.alignment_from_header``).
* :class:`ExportProvenance` — what an export records (TMX header prop, ``OUT.meta.json``),
  built by ``export.provenance.build_provenance`` and read back by ``workbench import``.

Unknown keys are kept (a newer workbench may add some), known keys must have their type:
``"alignments": 5`` or ``"provenance": "str"`` is an :class:`InputError` naming the file,
never a ``TypeError`` later on. Old shapes that real files have are read too: a top-level
``mode`` (before ``aligner.mode``) and ``aligner`` as a plain string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from workbench.errors import InputError

__all__ = [
    "AlignerInfo",
    "AlignmentProvenance",
    "ExportProvenance",
    "ExportedAlignment",
    "UNKNOWN",
]

UNKNOWN = "unknown"


class _Schema(BaseModel):
    model_config = ConfigDict(extra="allow")

    @classmethod
    def read(
        cls, data: Any, path: str | Path | None = None, line: int | None = None, what: str = ""
    ):
        """Validate ``data`` (parsed JSON); a wrong shape is one :class:`InputError`."""
        try:
            return cls.model_validate(data if data is not None else {})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'provenance'}: {err['msg']}"
                for err in exc.errors()[:3]
            )
            raise InputError(
                f"{what or 'provenance'} has a wrong field: {problems}", path, line
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: the keys that were given (so files keep their shape)."""
        return self.model_dump(mode="json", exclude_unset=True)


class AlignerInfo(_Schema):
    mode: str = UNKNOWN  # comparable, parallel, cluster, ...
    settings: dict[str, Any] = {}


class AlignmentProvenance(_Schema):
    """How an alignment file was made."""

    workbench: str | None = None  # version that wrote it
    created: str | None = None
    aligner: AlignerInfo | None = None
    mt: dict[str, dict[str, Any]] | None = None  # source document id -> translation provenance
    encoder: dict[str, Any] | None = None  # sentence encoder: id, package version, weights sha256
    similarity: str | None = None
    segmenter: dict[str, str] | None = None  # splitters and their package versions
    kept_reviewer_links: int | None = None
    imported: dict[str, Any] | None = None  # set by ``workbench import``

    @model_validator(mode="before")
    @classmethod
    def _old_shapes(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("aligner"), str):
            data["aligner"] = {"mode": data["aligner"]}
        if "aligner" not in data and isinstance(data.get("mode"), str):
            data["aligner"] = {"mode": data.pop("mode"), "settings": data.pop("settings", {})}
        return data

    @property
    def mode(self) -> str:
        """The aligner's mode, as the export signature shows it (``aligner:comparable``)."""
        return self.aligner.mode if self.aligner is not None else UNKNOWN

    def segmenter_signature(self, language: str) -> str:
        """The splitter ``language`` went through, from what the file records (never from
        what happens to be installed at export time); ``unknown`` when it records nothing."""
        from workbench.corpus.segment import signature_from_versions

        recorded = (self.segmenter or {}).get(language, "")
        if recorded.startswith(("pysbd-", "pythainlp-")):  # recorded per language already
            return recorded
        return signature_from_versions(language, self.segmenter or {}) or UNKNOWN


class ExportedAlignment(_Schema):
    name: str
    file: str | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None
    src_docs: list[str] = []
    tgt_docs: list[str] = []
    links: int | None = None
    aligner: str | None = None
    provenance: AlignmentProvenance = AlignmentProvenance()


class ExportProvenance(_Schema):
    """What an export records about itself and the alignments it came from."""

    tool: str | None = None
    version: str | None = None
    created: str | None = None
    format: str | None = None
    signature: str | None = None
    filters: dict[str, Any] = {}
    links: int | None = None
    mt: dict[str, Any] = {}
    segmenters: dict[str, str] = {}
    reviewers: list[str] = []
    alignments: list[ExportedAlignment] = []

    def alignment(self, name: str) -> ExportedAlignment | None:
        return next((a for a in self.alignments if a.name == name), None)
