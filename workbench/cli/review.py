"""``workbench review`` (the terminal UI) and ``workbench realign`` (re-align the rest)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workbench.cli._common import add_encoder_option, apply_encoder, settings_from
from workbench.errors import WorkbenchError

MIN_COLUMNS, MIN_LINES = 80, 24


def register(subparsers: argparse._SubParsersAction) -> None:
    review = subparsers.add_parser(
        "review",
        help="review alignments in a terminal UI (approve, reject, merge, split, re-link, edit)",
        description="Open ALIGNMENT_FILE (default: choose from alignments/*.align.jsonl) in the "
        "review UI. Every decision is journaled to disk when made; press ? for the keys.",
    )
    review.add_argument(
        "alignment",
        nargs="?",
        type=Path,
        metavar="ALIGNMENT_FILE",
        help="the alignment file to review (default: choose from alignments/)",
    )
    _common_options(review)
    review.add_argument(
        "--reviewer", help="name recorded on each decision (default: settings, login)"
    )
    review.add_argument(
        "--take-over",
        action="store_true",
        help="open even though another session holds the lock (only if that session is gone)",
    )
    review.set_defaults(func=run)

    realign = subparsers.add_parser(
        "realign",
        help="re-run the aligner on links not yet reviewed, keeping reviewer decisions as anchors",
        description="Re-align the auto links of ALIGNMENT_FILE; approved, rejected and flagged "
        "links stay fixed. Journaled like a review decision (one undo step in `workbench review`).",
    )
    realign.add_argument(
        "alignment", type=Path, metavar="ALIGNMENT_FILE", help="the alignment file to re-align"
    )
    _common_options(realign)
    realign.add_argument(
        "--reviewer", help="name recorded in the journal (default: settings, login)"
    )
    realign.add_argument(
        "--take-over",
        action="store_true",
        help="re-align even though a review session holds the lock (only if that session is gone)",
    )
    add_encoder_option(realign)
    realign.set_defaults(func=run_realign)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", type=Path, metavar="DIR", help="corpus folder (default: corpus/)"
    )


def choose_file(folder: Path) -> Path:
    """The alignment file to review when none is named: the only one, or the reviewer's choice."""
    from workbench.store.files import alignment_files

    files = alignment_files(folder)
    if not files:
        raise WorkbenchError(
            "no alignment files (*.align.jsonl) to review; run `workbench align` first", folder
        )
    if len(files) == 1:
        return files[0]
    if not sys.stdin.isatty():
        names = ", ".join(f.name for f in files)
        raise WorkbenchError(f"several alignment files ({names}); name the one to review", folder)
    for number, path in enumerate(files, start=1):
        print(f"  {number}. {path}")
    answer = input(f"Review which file [1-{len(files)}]? ").strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(files):
        raise WorkbenchError(f"no such choice: {answer!r}")
    return files[int(answer) - 1]


def check_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise WorkbenchError("workbench review needs an interactive terminal")
    size = os.get_terminal_size(sys.stdout.fileno())
    if size.columns < MIN_COLUMNS or size.lines < MIN_LINES:
        raise WorkbenchError(
            f"the terminal is {size.columns}x{size.lines}; the review UI needs at least "
            f"{MIN_COLUMNS}x{MIN_LINES}: enlarge the window and run again"
        )


def run_clusters(args: argparse.Namespace, settings, path: Path) -> int:
    """``workbench review alignments/clusters.jsonl``: the cluster review screen."""
    from workbench.align.cluster.run import load_checked
    from workbench.corpus.ingest import ingest
    from workbench.corpus.translations import load_translations
    from workbench.review.clusters import ClusterApp
    from workbench.store.cluster_review import ClusterReview
    from workbench.store.lock import current_user

    corpus_dir = args.corpus or settings.paths.corpus
    corpus = ingest(corpus_dir, settings.corpus)
    clusters = load_checked(path, corpus)
    check_terminal()
    reviewer = args.reviewer or settings.review.reviewer or current_user()
    review = ClusterReview.open(path, clusters, reviewer, take_over=args.take_over)
    for notice in review.notices:
        print(f"workbench review: {notice}", file=sys.stderr)
    translations = load_translations(corpus.root, settings.corpus.target_language)
    mt = {sid: text for t in translations.values() for sid, text in t.by_sentence.items()}
    app = ClusterApp(review, corpus, mt, settings.paths.alignments)
    app.run()
    review.close()
    print(f"workbench review: {path}: saved {len(review.clusters.clusters)} clusters")
    return 0


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    path = args.alignment or choose_file(settings.paths.alignments)
    from workbench.store.clusters import is_clusters_file

    if is_clusters_file(path):
        return run_clusters(args, settings, path)
    corpus_dir = args.corpus or settings.paths.corpus
    from workbench.store.session import check_openable

    check_openable(path)  # missing, read-only: before the corpus is read
    from workbench.corpus.ingest import ingest

    corpus = ingest(corpus_dir, settings.corpus)
    from workbench.review.app import make_app

    app = make_app(
        path,
        corpus_dir,
        corpus=corpus,
        settings=settings.review,
        reviewer=args.reviewer,
        take_over=args.take_over,
        align_settings=settings.align,
    )
    try:
        check_terminal()
    except WorkbenchError:
        app.session.release()  # nothing written: the lock goes, files stay as they were
        raise
    app.run()
    if app.close_error is not None:
        raise app.close_error
    app.session.close()  # idempotent: normally done on quit
    if app.return_code:  # the UI stopped on an error (Textual printed it)
        print(
            f"workbench review: {path}: the review screen stopped on an error; every decision "
            "made before it is in the file or its journal and is restored on the next open",
            file=sys.stderr,
        )
        return 2
    counts = app.session.counts()
    summary = ", ".join(f"{status} {n}" for status, n in counts.items())
    print(f"workbench review: {path}: saved ({summary})")
    return 0


def run_realign(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    apply_encoder(args, settings)
    corpus_dir = args.corpus or settings.paths.corpus
    from workbench.corpus.ingest import ingest
    from workbench.jobs.realign import check_aligner, realign_session
    from workbench.review.data import corpus_validator
    from workbench.store.lock import current_user
    from workbench.store.session import ReviewSession

    check_aligner()  # a clear message before anything is opened when the aligner is missing
    corpus = ingest(corpus_dir, settings.corpus)
    session = ReviewSession.open(
        args.alignment,
        args.reviewer or settings.review.reviewer or current_user(),
        take_over=args.take_over,
        validate=corpus_validator(corpus, Path(args.alignment)),
    )
    try:
        for notice in session.notices:
            print(f"workbench realign: {notice}", file=sys.stderr)
        transaction, summary = realign_session(session, corpus, corpus_dir, settings.align)
    finally:
        session.close()
    change = "" if transaction is not None else " (no change)"
    print(f"workbench realign: {args.alignment}: {summary}{change}")
    return 0
