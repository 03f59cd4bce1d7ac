"""The main job: every stage over the corpus, in data-flow order.

Stages are added here as they exist: ingest -> translate -> align -> cluster. Each stage is a library
call; a stage that cannot run (no MT model on this machine) says so in one line and the job
goes on.
"""

from __future__ import annotations

from workbench.corpus.ingest import ingest
from workbench.corpus.report import print_corpus_table
from workbench.settings import Settings
from workbench.translate.tasks import translate_if_available


def run_main_job(settings: Settings) -> int:
    corpus = ingest(settings.paths.corpus, settings.corpus)
    print_corpus_table(corpus)
    translate_if_available(corpus, settings)
    from workbench.align.corpus_align import run_align
    from workbench.store.guard import refuse_if_under_review

    # files with reviewer decisions are left as they are; unchanged files are not rewritten
    run_align(settings, corpus=corpus, guard=refuse_if_under_review, keep_reviewed=True)
    from workbench.align.cluster.run import cluster_stage

    cluster_stage(settings, corpus)  # ends with the coverage table and the disagreements
    return 0
