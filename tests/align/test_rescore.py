"""Rescoring a link gives what the aligner gives it (issue 12 item 3)."""

from __future__ import annotations

from workbench.align.corpus_align import realign
from workbench.align.explain import aligner_weights, contributions, named_features
from workbench.jobs.rescoring import LinkRescorer
from workbench.settings import AlignSettings
from workbench.store.model import Alignment, Link


def test_rescoring_an_aligned_link_gives_the_aligners_score_and_flags(seed_corpus) -> None:
    settings = AlignSettings(encoder="none")
    aligned = realign(Alignment("fr", "en"), seed_corpus, {}, settings)
    rescorer = LinkRescorer(seed_corpus, {}, settings)
    pairs = [link for link in aligned.links if link.src and link.tgt]
    assert pairs
    for link in pairs:
        again = rescorer(link, aligned)
        assert again.score == link.score, link.id
        assert [f.to_dict() for f in again.flags] == [f.to_dict() for f in link.flags]
        for key in ("margin", "cosine", "length"):
            assert again.features[key] == link.features[key]
    assert rescorer.builds == 1  # one context for the whole (small) language pair


def test_a_no_counterpart_link_is_scored_as_the_aligner_writes_it(seed_corpus) -> None:
    settings = AlignSettings(encoder="none")
    aligned = realign(Alignment("fr", "en"), seed_corpus, {}, settings)
    rescorer = LinkRescorer(seed_corpus, {}, settings)
    alone = [link for link in aligned.links if link.src and not link.tgt]
    assert alone
    for link in alone:
        again = rescorer(link, aligned)
        best = rescorer.best_candidates(aligned, link, 1)
        assert again.score == round(1 - best[0][0], 4)
        # the aligner's best candidate is among the nearest neighbours this ranks
        assert again.features["best_score"] <= link.features["best_score"] + 1e-4


def test_a_relinked_pair_with_clashing_dates_is_flagged(seed_corpus) -> None:
    rescorer = LinkRescorer(seed_corpus, {}, AlignSettings(encoder="none"))
    link = Link("L1", ["fr-2022-cnw:0"], ["en-2022-chinadaily:0"])  # 26 novembre / October 26
    again = rescorer(link, Alignment("fr", "en"))
    assert again.score is not None and 0 < again.score < 1
    assert [(f.kind, f.src, f.tgt) for f in again.flags] == [("date", "26 novembre", "October 26")]
    drivers = contributions(again.features, aligner_weights())
    assert drivers and drivers[-1][0] == "bias"
    assert any(name == "dates conflict" for name, _ in named_features(again.features))


def test_large_pairs_are_rescored_against_the_links_documents(seed_corpus) -> None:
    rescorer = LinkRescorer(seed_corpus, {}, AlignSettings(encoder="none"), whole_pair_limit=10)
    link = Link("L1", ["fr-2022-cnw:5"], ["en-2022-chinadaily:24"])
    again = rescorer(link, Alignment("fr", "en"))
    assert again.score is not None and again.features["local_context"] == 1.0
    assert rescorer.ready(Alignment("fr", "en"), link)
    other = Link("L2", ["fr-2022-cnw:5"], ["en-2021-globaltimes:9"])
    assert not rescorer.ready(Alignment("fr", "en"), other)  # another English document


def test_an_encoder_that_fails_leaves_rescoring_without_it(seed_corpus, monkeypatch) -> None:
    rescorer = LinkRescorer(seed_corpus, {}, AlignSettings(encoder="none"))

    def broken():
        raise ValueError("bad value(s) in fds_to_keep")

    monkeypatch.setattr(rescorer, "_encoder", broken)
    again = rescorer(
        Link("L1", ["fr-2022-cnw:5"], ["en-2022-chinadaily:24"]), Alignment("fr", "en")
    )
    assert again.score is not None and "enc_cos" not in again.features
    assert rescorer.problem and "without the sentence encoder" in rescorer.problem


def test_with_the_sentence_encoder_too(seed_corpus, tmp_path) -> None:
    settings = AlignSettings(embedding_cache=tmp_path / "embeddings.sqlite")  # default encoder
    aligned = realign(Alignment("fr", "en"), seed_corpus, {}, settings)
    rescorer = LinkRescorer(seed_corpus, {}, settings)
    pairs = [link for link in aligned.links if link.src and link.tgt]
    assert pairs and all("enc_cos" in link.features for link in pairs)
    assert [rescorer(link, aligned).score for link in pairs] == [link.score for link in pairs]
    assert rescorer.problem is None
