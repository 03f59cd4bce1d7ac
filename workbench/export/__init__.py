"""Export aligned sentence pairs (TMX, Moses, TSV, JSONL) with provenance; import them back.

Formats live in one registry (``@register_format``); :func:`export_alignments` streams the
selected links of alignment files into a format writer; :func:`import_file` reads TMX,
TSV or JSONL exports back into alignment files.
"""

from workbench.export.exporter import ExportResult, export_alignments
from workbench.export.records import CorpusText, ExportRecord
from workbench.export.registry import ExportFormat, format_names, get_format, register_format
from workbench.export.select import Selection

__all__ = [
    "CorpusText",
    "ExportFormat",
    "ExportRecord",
    "ExportResult",
    "Selection",
    "export_alignments",
    "format_names",
    "get_format",
    "register_format",
]
