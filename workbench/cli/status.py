"""``workbench status [FILE ...]``: coverage of existing alignment files, without re-aligning."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli._common import settings_from
from workbench.errors import WorkbenchError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="coverage of alignment files as they are: paired, no counterpart, reviewed, flagged",
        description="Read alignment files (default: every alignments/*.align.jsonl) and print, "
        "per source document, how many statements are paired, have no counterpart, are "
        "reviewed (approved or rejected; a row holding a standing rejected pair counts as "
        "rejected, as in exports) and flagged; per English document, how many sentences are "
        "linked to nothing; and the standing rejected pairs no row holds. Nothing is "
        "re-aligned and nothing is written.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="alignment file(s) (default: every *.align.jsonl in the alignments folder)",
    )
    parser.add_argument(
        "--corpus", type=Path, metavar="DIR", help="corpus folder (default: corpus/)"
    )
    parser.add_argument(
        "--unlinked",
        action="store_true",
        help="also list the English sentences linked to nothing (id, place, text)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.corpus.ingest import ingest
    from workbench.jobs.status import file_status, format_status
    from workbench.store.files import alignment_files
    from workbench.store.session import load_current

    settings = settings_from(args)
    files = args.files or alignment_files(settings.paths.alignments)
    if not files:
        raise WorkbenchError(
            "no alignment files (*.align.jsonl); run `workbench align` first",
            settings.paths.alignments,
        )
    corpus = ingest(args.corpus or settings.paths.corpus, settings.corpus)
    for path in files:
        alignment, from_journal = load_current(path)  # a pending review journal applied
        status = file_status(alignment, corpus)
        print("\n".join(format_status(status, str(path))))
        if from_journal:
            print(f"  (includes {from_journal} review decision(s) still in the journal)")
        if args.unlinked:
            sizes = {doc.id: len(doc.sentences) for doc in corpus.documents}
            for sid in status.unlinked:
                doc, _, index = sid.rpartition(":")
                text = corpus.sentence(sid).text
                print(f"    {sid} ({int(index) + 1}/{sizes[doc]}) {text}")
    return 0
