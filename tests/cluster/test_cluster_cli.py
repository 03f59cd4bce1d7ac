"""``workbench cluster`` end to end on a copy of the seed corpus (fake encoder, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.store.clusters import load_clusters, save_clusters
from workbench.store.model import Status


@pytest.fixture
def workdir(corpus_copy: Path, monkeypatch: pytest.MonkeyPatch, fake_encoder) -> Path:
    monkeypatch.chdir(corpus_copy.parent)
    return corpus_copy.parent


def test_cluster_writes_the_file_and_reports(workdir: Path, capsys) -> None:
    assert main(["cluster"]) == 0
    out = capsys.readouterr().out
    path = workdir / "alignments" / "clusters.jsonl"
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert header["provenance"]["encoder"] == {"id": "fake-trigrams", "dim": 256}
    assert header["documents"]["fr-2022-cnw"] == {"lang": "fr", "edition": 2022, "sentences": 13}
    clusters = load_clusters(path)
    assert clusters.clusters, "the English editions repeat statements: some clusters"
    assert "Statements shared across documents" in out
    for doc in header["documents"]:
        assert doc in out


def test_reviewed_clusters_survive_a_rerun(workdir: Path, capsys) -> None:
    assert main(["cluster"]) == 0
    path = workdir / "alignments" / "clusters.jsonl"
    clusters = load_clusters(path)
    kept = clusters.clusters[-1]
    kept.status, kept.reviewer = Status.APPROVED, "ana"
    save_clusters(clusters, path)
    assert main(["cluster"]) == 0
    again = load_clusters(path)
    assert any(c.status is Status.APPROVED and c.members == kept.members for c in again.clusters)
    where = again.where()
    assert all(where[s] == kept.id for s in kept.sentence_ids())


def test_one_document_is_a_one_line_error(workdir: Path, capsys) -> None:
    corpus = workdir / "corpus"
    for path in sorted(corpus.glob("*.txt"))[1:]:
        path.unlink()
    manifest = corpus / "manifest.toml"
    first = manifest.read_text(encoding="utf-8").split("[[document]]")[:2]
    manifest.write_text("[[document]]".join(first), encoding="utf-8")
    assert main(["cluster"]) == 2
    err = capsys.readouterr().err
    assert "clusters need at least two" in err and err.count("\n") == 1
    assert not (workdir / "alignments" / "clusters.jsonl").exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: t.replace('"schema": 1', '"schema": 9', 1), "newer"),
        (lambda t: t[:-5], "truncated"),
        (lambda t: t.replace("-2022-cnw:", "-2022-cnw:9", 1), "not in the corpus"),
    ],
)
def test_bad_clusters_file_exit_2_nothing_overwritten(
    workdir: Path, capsys, damage, message
) -> None:
    assert main(["cluster"]) == 0
    path = workdir / "alignments" / "clusters.jsonl"
    text = damage(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["cluster"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert path.read_text(encoding="utf-8") == text


def test_pending_review_decisions_block_a_rerun(workdir: Path, capsys) -> None:
    from workbench.store.cluster_review import ClusterReview

    assert main(["cluster"]) == 0
    path = workdir / "alignments" / "clusters.jsonl"
    review = ClusterReview.open(path, load_clusters(path), "ana")
    review.approve(review.clusters.clusters[0].id)
    review.close()  # killed before saving: the decision is only in the journal
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["cluster"]) == 2
    err = capsys.readouterr().err
    assert "journal" in err and err.count("\n") == 1
    assert path.read_bytes() == before


def test_reviewed_pairwise_links_are_constraints(workdir: Path, capsys) -> None:
    from workbench.align.cluster.evidence import reviewed_links
    from workbench.store.files import save_alignment
    from workbench.store.model import Alignment, Link

    folder = workdir / "alignments"
    folder.mkdir(exist_ok=True)
    links = [
        Link("L00001", ["fr-2022-cnw:5"], ["en-2022-chinadaily:24"], status=Status.APPROVED),
        Link("L00002", ["fr-2022-cnw:12"], ["en-2022-chinadaily:49"], status=Status.REJECTED),
        Link("L00003", ["fr-2022-cnw:99"], ["en-2022-chinadaily:1"], status=Status.APPROVED),
        Link("L00004", ["fr-2022-cnw:1"], ["en-2022-chinadaily:1"]),  # auto: no constraint
    ]
    save_alignment(Alignment("fr", "en", links=links), folder / "fr-en.align.jsonl")
    known = {f"fr-2022-cnw:{i}" for i in range(13)} | {f"en-2022-chinadaily:{i}" for i in range(51)}
    must, cannot, skipped = reviewed_links(folder, known)
    assert must == [["fr-2022-cnw:5", "en-2022-chinadaily:24"]]
    assert cannot == [("fr-2022-cnw:12", "en-2022-chinadaily:49")]
    assert skipped == 1
    assert main(["cluster"]) == 0
    where = load_clusters(folder / "clusters.jsonl").where()
    assert (
        where["fr-2022-cnw:5"] == where["en-2022-chinadaily:24"]
    )  # trigram encoder alone would not
    assert where.get("fr-2022-cnw:12") is None or where.get("fr-2022-cnw:12") != where.get(
        "en-2022-chinadaily:49"
    )


def test_the_main_job_leaves_a_clusters_file_under_review(workdir: Path, capsys) -> None:
    from workbench.align.cluster.run import cluster_stage
    from workbench.corpus.ingest import ingest
    from workbench.settings import Settings
    from workbench.store.cluster_review import ClusterReview

    assert main(["cluster"]) == 0
    path = workdir / "alignments" / "clusters.jsonl"
    review = ClusterReview.open(path, load_clusters(path), "ana")  # a live session
    before = path.read_bytes()
    capsys.readouterr()
    cluster_stage(Settings(), ingest(workdir / "corpus"))
    assert "under review" in capsys.readouterr().out
    assert path.read_bytes() == before
    review.close()
