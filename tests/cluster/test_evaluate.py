"""Pair-counting scores and the gold reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.align.cluster.evaluate import pair_scores, read_gold

GOLD = Path(__file__).parent.parent / "data" / "seed_clusters_gold.tsv"


def test_pair_counting_with_optional_pairs() -> None:
    gold = [["a", "b", "c"], ["d", "e"]]
    scores = pair_scores([["a", "b"], ["c", "d"]], gold)
    assert (scores.predicted, scores.correct, scores.gold) == (2, 1, 4)
    assert scores.precision == 0.5 and scores.recall == 0.25
    lenient = pair_scores([["a", "b"], ["c", "d"]], gold, optional=[["c", "d", "x"]])
    assert (lenient.predicted, lenient.correct) == (1, 1) and lenient.precision == 1.0
    assert pair_scores([], gold).precision == 1.0 and pair_scores([], gold).recall == 0.0


def test_seed_gold_names_real_sentences_once(seed_corpus) -> None:
    gold = read_gold(GOLD)
    assert len(gold) == 21
    ids = [s for g in gold for s in g.sentence_ids()]
    assert len(ids) == len(set(ids)), "a sentence in two gold clusters"
    for g in gold:
        docs = [m[0].rpartition(":")[0] for m in g.members]
        assert len(docs) == len(set(docs)) >= 2, g.id
        for member in g.members:
            index = [int(s.rpartition(":")[2]) for s in member]
            assert index == list(range(index[0], index[0] + len(index))), g.id
    optional = read_gold(GOLD, optional=True)
    assert len(optional) == 3
    for sid in ids + [s for g in optional for s in g.sentence_ids()]:
        assert seed_corpus.has_sentence(sid), sid


def test_the_issue_examples_are_in_the_gold(seed_corpus) -> None:
    gold = {g.id: g for g in read_gold(GOLD)}
    assert gold["elites"].sentence_ids() == [
        "th-2021-xinhua:3",
        "en-2021-globaltimes:2",
        "fr-2022-cnw:1",
        "en-2022-chinadaily:1",
    ]
    assert "350 milliards" in seed_corpus.sentence("fr-2022-cnw:5").text
    assert "fr-2022-cnw:5" in gold["scale"].sentence_ids()
    with pytest.raises(KeyError):
        gold["no-such-cluster"]
