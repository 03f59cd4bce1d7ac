"""A hand-edited file whose ``rejected`` list holds the pair of an approved row: status and
export count that row rejected (``records.as_decided``), so re-alignment treats it as a
rejected row too: not an anchor, its sentences mined afresh, never proposed again."""

from __future__ import annotations

from workbench.align.corpus_align import realign
from workbench.export.records import as_decided
from workbench.jobs.realign import _summary
from workbench.settings import AlignSettings
from workbench.store.model import Alignment, Rejection, Status, pair_of


def conflicting(seed_corpus) -> tuple[Alignment, AlignSettings]:
    settings = AlignSettings(encoder="none")
    aligned = realign(Alignment("fr", "en"), seed_corpus, {}, settings)
    link = next(x for x in aligned.links if x.src and x.tgt)
    link.status, link.reviewer = Status.APPROVED, "ana"
    aligned.rejected = [Rejection(*pair_of(link), "bo", "2026-01-01T00:00:00+00:00")]
    return aligned, settings


def test_an_approved_row_holding_a_listed_pair_is_no_anchor(seed_corpus) -> None:
    aligned, settings = conflicting(seed_corpus)
    (rejection,) = aligned.rejected
    again = realign(aligned, seed_corpus, {}, settings)
    listed = {r.pair for r in again.rejected}
    assert rejection.pair in listed
    for link in again.links:  # the rows say what status and export say
        assert as_decided(link.to_dict(), listed)["status"] == link.status, link.id
    assert all(pair_of(x) != rejection.pair or x.status is Status.REJECTED for x in again.links)
    assert again.provenance["kept_reviewer_links"] == 0
    assert any(set(rejection.src) & set(x.src) for x in again.links)  # the source has a row
    assert _summary(aligned, again).kept == 0
