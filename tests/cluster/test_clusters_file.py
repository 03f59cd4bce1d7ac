"""clusters.jsonl: round trip, strict reader (one-line errors with the line), corpus check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.align.cluster.run import check_against_corpus
from workbench.errors import InputError
from workbench.store.clusters import (
    Cluster,
    ClusterSet,
    DocInfo,
    Member,
    load_clusters,
    save_clusters,
)
from workbench.store.model import Status


def sample() -> ClusterSet:
    docs = {
        "fr-2022-cnw": DocInfo("fr", 2022, 13),
        "en-2022-chinadaily": DocInfo("en", 2022, 51),
        "en-2023": DocInfo("en", 2023, 18),
    }
    clusters = [
        Cluster(
            "C0001",
            [
                Member("fr-2022-cnw", ["fr-2022-cnw:5"], 0.9),
                Member("en-2022-chinadaily", ["en-2022-chinadaily:24"], 0.8),
            ],
            score=0.85,
        ),
        Cluster(
            "C0002",
            [
                Member("en-2022-chinadaily", ["en-2022-chinadaily:37", "en-2022-chinadaily:38"]),
                Member("fr-2022-cnw", ["fr-2022-cnw:11"]),
            ],
            status=Status.APPROVED,
            reviewer="ana",
        ),
    ]
    return ClusterSet(docs, {"workbench": "test", "encoder": {"id": "x"}}, clusters)


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "clusters.jsonl"
    save_clusters(sample(), path)
    loaded = load_clusters(path)
    assert loaded == sample()
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == "workbench-clusters" and header["schema"] == 1
    assert header["provenance"]["encoder"] == {"id": "x"}
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    assert first["members"][0] == {
        "doc": "fr-2022-cnw",
        "lang": "fr",
        "edition": 2022,
        "ids": ["fr-2022-cnw:5"],
        "score": 0.9,
    }


def damage(tmp_path: Path, edit) -> Path:
    path = tmp_path / "clusters.jsonl"
    save_clusters(sample(), path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return path


def _replace(lines, number, old, new):
    lines[number] = lines[number].replace(old, new)
    return lines


@pytest.mark.parametrize(
    ("edit", "message", "line"),
    [
        (lambda ls: ls[:-1] + [ls[-1].rstrip("\n")], "truncated", 3),
        (lambda ls: _replace(ls, 0, '"schema": 1', '"schema": 2'), "newer", 1),
        (
            lambda ls: _replace(ls, 0, "workbench-clusters", "workbench-alignment"),
            "not a workbench clusters",
            1,
        ),
        (lambda ls: _replace(ls, 1, '"members"', '"memberz"'), "unknown field", 2),
        (lambda ls: ls[:2] + ["{not json\n"], "", 3),
        (
            lambda ls: _replace(ls, 2, "fr-2022-cnw:11", "fr-2022-cnw:5"),
            "fr-2022-cnw:5 is in clusters",
            3,
        ),
        (lambda ls: _replace(ls, 2, '"doc": "fr-2022-cnw"', '"doc": "en-2022-chinadaily"'), "", 3),
        (lambda ls: _replace(ls, 1, '"status": "auto"', '"status": "maybe"'), "status", 2),
        (lambda ls: _replace(ls, 1, '"edition": 2022', '"edition": 2021'), "edition differs", 2),
        (
            lambda ls: _replace(
                ls,
                1,
                '"ids": ["fr-2022-cnw:5"]',
                '"ids": ["en-2023:1"]',
            ),
            "another document",
            2,
        ),
    ],
)
def test_damaged_files_are_one_line_errors(tmp_path: Path, edit, message: str, line: int) -> None:
    path = damage(tmp_path, edit)
    before = path.read_bytes()
    with pytest.raises(InputError) as caught:
        load_clusters(path)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == before


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_clusters(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_clusters(tmp_path / "empty.jsonl")


def test_sentences_no_longer_in_the_corpus_are_refused(seed_corpus, tmp_path: Path) -> None:
    clusters = sample()
    check_against_corpus(clusters, seed_corpus, tmp_path / "c.jsonl")  # fine as it is
    clusters.clusters[0].members[0].ids = ["fr-2022-cnw:99"]
    with pytest.raises(InputError, match="fr-2022-cnw:99, not in the corpus"):
        check_against_corpus(clusters, seed_corpus, tmp_path / "c.jsonl")
    clusters = sample()
    clusters.documents["fr-2022-cnw"] = DocInfo("fr", 2022, 12)
    with pytest.raises(InputError, match="had 12 sentences when clustered and has 13 now"):
        check_against_corpus(clusters, seed_corpus, tmp_path / "c.jsonl")
    clusters = sample()
    clusters.documents["gone"] = DocInfo("en", 2020, 3)
    with pytest.raises(InputError, match="'gone' is no longer in the corpus"):
        check_against_corpus(clusters, seed_corpus, tmp_path / "c.jsonl")


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=50, deadline=None)
@given(
    note=text,
    reviewer=st.none() | text,
    scores=st.lists(st.none() | st.floats(-1, 2, allow_nan=False), min_size=2, max_size=2),
    status=st.sampled_from(list(Status)),
)
def test_any_note_reviewer_score_round_trips(
    tmp_path_factory, note, reviewer, scores, status
) -> None:
    clusters = sample()
    cluster = clusters.clusters[0]
    cluster.note, cluster.reviewer, cluster.status = note, reviewer, status
    for member, score in zip(cluster.members, scores, strict=True):
        member.score = score
    path = tmp_path_factory.mktemp("rt") / "clusters.jsonl"
    save_clusters(clusters, path)
    assert load_clusters(path) == clusters
