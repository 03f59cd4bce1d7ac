"""``workbench cluster``: the job. Corpus -> encoder vectors (cached) -> clusters -> file -> report.

Reviewer decisions survive a re-run: approved and flagged clusters of the existing file are
kept as they are (their sentences are not clustered again), rejected clusters stay as negative
decisions (their sentences never share a cluster again), approved pairwise links are
must-links and rejected pairwise links cannot-links. A damaged, newer or stale clusters file
is an error: nothing is overwritten.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.align.cluster.build import BuiltCluster, ClusterConfig, build_clusters
from workbench.corpus.model import Corpus
from workbench.errors import InputError, WorkbenchError
from workbench.settings import Settings
from workbench.store.clusters import (
    Cluster,
    ClusterSet,
    DocInfo,
    Member,
    load_clusters,
    save_clusters,
)
from workbench.store.model import Status, now_iso

_KEPT = (Status.APPROVED, Status.FLAGGED)


def clusters_path(settings: Settings) -> Path:
    output = settings.cluster.output
    return output if output.is_absolute() else settings.paths.alignments / output


def check_against_corpus(clusters: ClusterSet, corpus: Corpus, path: Path) -> None:
    """Every member sentence must still be in the corpus, segmented as when clustered."""
    for doc_id, info in clusters.documents.items():
        try:
            doc = corpus.document(doc_id)
        except KeyError:
            raise InputError(
                f"document {doc_id!r} is no longer in the corpus; re-run workbench cluster "
                "(after moving this file away) or restore the document",
                path,
            ) from None
        if len(doc.sentences) != info.sentences:
            raise InputError(
                f"document {doc_id!r} had {info.sentences} sentences when clustered and has "
                f"{len(doc.sentences)} now (text or segmenter changed); re-run workbench cluster",
                path,
            )
    for cluster in clusters.clusters:
        for sid in cluster.sentence_ids():
            if not corpus.has_sentence(sid):
                raise InputError(
                    f"cluster {cluster.id} refers to sentence {sid}, not in the corpus", path
                )


def load_checked(path: Path, corpus: Corpus) -> ClusterSet:
    clusters = load_clusters(path)
    check_against_corpus(clusters, corpus, path)
    return clusters


def _provenance(
    settings: Settings, encoder: Any, corpus: Corpus, mt: dict[str, Any]
) -> dict[str, Any]:
    from workbench.corpus.segment import segmenter_signature

    return {
        "workbench": __version__,
        "created": now_iso(),
        "clusterer": {
            "method": (
                f"{settings.cluster.evidence} pair evidence + constrained average linkage "
                f"({settings.cluster.linkage})"
            ),
            "settings": settings.cluster.model_dump(mode="json"),
        },
        "encoder": encoder.provenance() if encoder is not None else None,
        "mt": mt or None,
        "segmenter": {
            lang: segmenter_signature(lang)
            for lang in sorted({d.language for d in corpus.documents})
        },
    }


def _constraints(
    previous: ClusterSet | None,
) -> tuple[list[Cluster], list[str], list[tuple[str, str]]]:
    """Clusters kept as they are, their sentences, and cannot-link pairs from rejected ones."""
    if previous is None:
        return [], [], []
    kept = [c for c in previous.clusters if c.status in _KEPT]
    rejected = [c for c in previous.clusters if c.status is Status.REJECTED]
    frozen = [sid for c in kept for sid in c.sentence_ids()]
    cannot = []
    for cluster in rejected:
        for a, b in combinations(cluster.members, 2):
            cannot.extend((s, t) for s in a.ids for t in b.ids)
    return kept + rejected, frozen, cannot


def _as_clusters(built: list[BuiltCluster], result: ClusterSet) -> None:
    for item in built:
        members = [Member(m.doc, m.ids, m.score) for m in item.members]
        result.clusters.append(Cluster(result.next_id(), members, score=item.score))


def cluster_corpus(
    settings: Settings, corpus: Corpus, previous: ClusterSet | None = None
) -> ClusterSet:
    """The clusters of ``corpus`` (library entry point: no file is read or written here
    besides the embedding cache and the alignment files read for constraints)."""
    from workbench.align.cluster.evidence import (
        auto_links,
        doc_views,
        pairwise_files,
        reviewed_links,
    )
    from workbench.align.signals.semantic import open_encoder
    from workbench.corpus.translations import load_translations

    if len(corpus.documents) < 2:
        raise WorkbenchError(
            f"the corpus has {len(corpus.documents)} document(s): clusters need at least two",
            corpus.root,
        )
    cached = open_encoder(
        settings.align.encoder, settings.align.embedding_cache, settings.paths.models
    )
    if cached is None:
        raise WorkbenchError("workbench cluster needs a sentence encoder (align.encoder is 'none')")
    translations = load_translations(corpus.root, settings.corpus.target_language)
    views = doc_views(corpus, cached, translations, settings.corpus.target_language)
    known = {s.id for s in corpus.sentences()}
    pairwise = pairwise_files(settings.paths.alignments)
    must, cannot, _skipped = reviewed_links(pairwise, known)
    fixed, frozen, rejected_pairs = _constraints(previous)
    built = build_clusters(
        views,
        ClusterConfig.from_settings(settings.cluster),
        must_link=must,
        cannot_link=cannot + rejected_pairs,
        links=auto_links(pairwise),
        frozen=frozen,
    )
    result = ClusterSet(
        documents={
            d.id: DocInfo(d.language, d.edition, len(d.sentences)) for d in corpus.documents
        },
        provenance=_provenance(
            settings, cached, corpus, {d: t.provenance for d, t in translations.items()}
        ),
        clusters=list(fixed),
    )
    _as_clusters(built, result)
    return result


def _comparable(clusters: ClusterSet) -> dict[str, Any]:
    """A clusters file's content without its timestamps (a re-run with the same result
    leaves the file byte for byte as it was)."""
    provenance = {k: v for k, v in clusters.provenance.items() if k != "created"}
    rows = [{k: v for k, v in c.to_dict().items() if k != "created"} for c in clusters.clusters]
    documents = {d: i.to_dict() for d, i in clusters.documents.items()}
    return {"documents": documents, "provenance": provenance, "clusters": rows}


def _keep_created(result: ClusterSet, previous: ClusterSet | None) -> None:
    if previous is None:
        return
    created = {(c.id, tuple(c.sentence_ids())): c.created for c in previous.clusters}
    for cluster in result.clusters:
        key = (cluster.id, tuple(cluster.sentence_ids()))
        if key in created:
            cluster.created = created[key]


def run_cluster(settings: Settings, corpus: Corpus | None = None, write: bool = True) -> ClusterSet:
    """The command and the main job: cluster, save atomically (only when something changed),
    print the coverage table and the disagreements within an edition."""
    from workbench.align.cluster.report import print_report
    from workbench.corpus.ingest import ingest
    from workbench.store.guard import refuse_if_under_review

    corpus = corpus or ingest(settings.paths.corpus, settings.corpus)
    path = clusters_path(settings)
    previous = load_checked(path, corpus) if path.exists() else None
    if write:
        refuse_if_under_review(path, "decide there")
    result = cluster_corpus(settings, corpus, previous)
    _keep_created(result, previous)
    shared = sum(1 for c in result.clusters if len(c.members) > 1)
    if not write:
        where = "(dry run: nothing written)"
    elif previous is not None and _comparable(previous) == _comparable(result):
        where = f"(unchanged: {path})"
        result = previous
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_clusters(result, path)
        where = f"-> {path}"
    print(f"{shared} statement clusters over {len(corpus.documents)} documents {where}")
    print_report(result, corpus)
    return result


def cluster_stage(settings: Settings, corpus: Corpus) -> None:
    """The main job's cluster stage: a corpus of one document says so and the job goes on."""
    from workbench.store.guard import pending_decisions
    from workbench.store.lock import live_holder

    if len(corpus.documents) < 2:
        print(f"clusters: the corpus has {len(corpus.documents)} document(s); nothing to cluster")
        return
    path = clusters_path(settings)
    if path.exists() and (live_holder(path) is not None or pending_decisions(path)):
        print(f"clusters: {path} is under review or holds unsaved decisions; left as it is")
        return
    run_cluster(settings, corpus)
