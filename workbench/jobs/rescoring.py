"""Honest evidence after every edit: the review session's link rescorer.

:class:`LinkRescorer` turns a link whose members changed (re-link, merge, split, corrected
text) into the same link with the score, features and discrepancy flags the aligner would
give it now (``workbench.align.rescore``). It builds the aligner's scoring context lazily and
keeps it; a reviewer's correction patches the context for the corrected sentence only
(``workbench.align.context_patch``: milliseconds, where a rebuild took about 1 s per 2,000
sentences; the IDF weights stay the build's, see there).

The context covers the whole language pair, as the aligner mined it, while the pair has at
most ``whole_pair_limit`` sentences (5,000); above that it covers the documents of the link
being rescored (the margin's neighbours then come from those documents only, so the score
can differ from the aligner's; such a link carries the feature ``local_context = 1``), so that
neither opening nor a corrected text waits for a corpus-wide index. Contexts are built in
the background where the cursor is (the review app); a re-link, merge or split then costs about 10 ms of scoring (docs/benchmarks.md).

The aligner (numpy, scipy) is imported on the first rescoring, not when a review opens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.store.model import Alignment, Link

Rescore = Callable[[Link, Alignment], Link]
WHOLE_PAIR_LIMIT = 5_000  # sentences; building a context costs about 1 s per 2,000
PATCH_LIMIT = 5  # corrected texts a cached context is patched for instead of built again


class LinkRescorer:
    """``rescorer(link, alignment) -> link`` with fresh ``score``, ``features`` and ``flags``."""

    def __init__(
        self,
        corpus: Any,
        mt: dict[str, str] | None = None,
        config: Any = None,  # AlignSettings or a MiningConfig; None: the defaults
        whole_pair_limit: int = WHOLE_PAIR_LIMIT,
        models_dir: Path = Path("models"),
    ) -> None:
        self.corpus = corpus
        self.mt = mt or {}
        self.config = config
        self.models_dir = models_dir
        self.whole_pair_limit = whole_pair_limit
        self._contexts: dict[tuple, Any] = {}
        self.builds = 0  # contexts built so far (tests, benchmarks)
        self.patches = 0  # contexts patched for corrected texts instead of built again
        self._lock = threading.Lock()
        # why the encoder is not used (it failed to load or run); None: no problem
        self.problem: str | None = None

    def _documents(self, alignment: Alignment, link: Link) -> tuple[list, list, bool]:
        src_docs = self.corpus.by_language(alignment.src_lang)
        tgt_docs = self.corpus.by_language(alignment.tgt_lang)
        size = sum(len(d.sentences) for d in (*src_docs, *tgt_docs))
        if size <= self.whole_pair_limit:
            return src_docs, tgt_docs, False
        mine = {sid.rpartition(":")[0] for sid in (*link.src, *link.tgt)}
        return (
            [d for d in src_docs if d.id in mine],
            [d for d in tgt_docs if d.id in mine],
            True,
        )

    def _encoder(self) -> Any:
        """The aligner's sentence encoder (``[align] encoder``; None with a MiningConfig)."""
        if not hasattr(self.config, "encoder"):
            return None
        from workbench.align.corpus_align import open_encoder

        return open_encoder(self.config, self.models_dir)

    def _mining_config(self) -> Any:
        """The aligner's settings as its mining config (``config`` may be ``AlignSettings``)."""
        if not hasattr(self.config, "comparable_k"):
            return self.config
        from workbench.align.corpus_align import mining_config

        return mining_config(self.config)

    def _key(self, alignment: Alignment, link: Link) -> tuple[tuple, list, list, bool]:
        src_docs, tgt_docs, local = self._documents(alignment, link)
        doc_ids = {d.id for d in (*src_docs, *tgt_docs)}
        edits = tuple(
            sorted((s, t) for s, t in alignment.edits.items() if s.rpartition(":")[0] in doc_ids)
        )
        key = (tuple(d.id for d in src_docs), tuple(d.id for d in tgt_docs), edits)
        return key, src_docs, tgt_docs, local

    def ready(self, alignment: Alignment, link: Link) -> bool:
        """Whether rescoring ``link`` needs no context built first (cheap: for prefetching)."""
        return self._key(alignment, link)[0] in self._contexts

    def context(self, alignment: Alignment, link: Link) -> tuple[Any, bool]:
        """The scoring context for ``link`` (built once per document set and text version;
        ``None`` when one side has no sentences)."""
        key, src_docs, tgt_docs, local = self._key(alignment, link)
        if key in self._contexts:
            return self._contexts[key], local
        if self._patched(key, alignment, (*src_docs, *tgt_docs)):
            return self._contexts[key], local

        def items(docs, with_mt: bool) -> list:
            from workbench.align.comparable import Item

            return [
                Item(
                    s.id,
                    doc.id,
                    s.index,
                    alignment.edits.get(s.id, s.text),
                    doc.language,
                    self.mt.get(s.id) if with_mt else None,
                    doc.edition,
                )
                for doc in docs
                for s in doc.sentences
            ]

        from workbench.align.rescore import build_context

        src_items, tgt_items = items(src_docs, True), items(tgt_docs, False)
        context = None
        if src_items and tgt_items:
            config = self._mining_config()
            try:
                encoder = None if self.problem else self._encoder()
                context = build_context(src_items, tgt_items, config, encoder)
            except Exception as exc:  # noqa: BLE001 - the encoder failing must not stop a review
                if self.problem:
                    raise
                self.problem = f"rescoring without the sentence encoder ({exc})"
                context = build_context(src_items, tgt_items, config, None)
        if len(self._contexts) >= 8:  # a few documents' worth; drop the oldest
            self._contexts.pop(next(iter(self._contexts)), None)
        self._contexts[key] = context
        self.builds += 1
        return context, local

    def _patched(self, key: tuple, alignment: Alignment, docs: tuple) -> bool:
        """Whether a cached context of the same documents, a few corrected texts away, was
        patched into the context of ``key`` (``RescoreContext.patch``: the corrected sentences
        only, milliseconds instead of a rebuild; re-keyed, so undo patches it back)."""
        with self._lock:
            if key in self._contexts:  # another thread patched it meanwhile
                return True
            for old in [k for k in list(self._contexts) if k[:2] == key[:2]]:
                before, after = dict(old[2]), dict(key[2])
                changed = {
                    sid for sid in before.keys() | after.keys() if before.get(sid) != after.get(sid)
                }
                context = self._contexts[old]
                if context is None or len(changed) > PATCH_LIMIT:
                    continue
                texts = {s.id: s.text for d in docs for s in d.sentences if s.id in changed}
                changes = {sid: alignment.edits.get(sid, texts.get(sid, "")) for sid in changed}
                del self._contexts[old]
                if not context.patch(changes):
                    return False  # left out of the cache: it is built again
                self._contexts[key] = context
                self.patches += 1
                return True
        return False

    def __call__(self, link: Link, alignment: Alignment) -> Link:
        from workbench.align.rescore import rescore_link

        if not link.src:  # 0-1: nothing to score
            return replace(link, score=None, features=_kept(link.features), flags=[])
        if not link.tgt:  # 1-0: as the aligner writes it, confidence that none exists
            best = self.best_candidates(alignment, link, 1)
            top = best[0][0] if best else 0.0
            features = {"best_score": top, **_kept(link.features)}
            return replace(link, score=round(1.0 - top, 4), features=features, flags=[])
        context, local = self.context(alignment, link)
        if context is None:
            return replace(link, score=None, features=_kept(link.features), flags=[])
        score, features, flags = rescore_link(link.src, None, link.tgt, context)
        if local and score is not None:
            features["local_context"] = 1.0
        return replace(
            link, score=score, features={**features, **_kept(link.features)}, flags=flags
        )

    def best_candidates(
        self, alignment: Alignment, link: Link, limit: int = 5
    ) -> list[tuple[float, str]]:
        """For a link without English sentences: ``[(score, English id)]``, best first; an
        English sentence rejected with these source sentences is never offered."""
        from workbench.align.rescore import best_candidates

        context, _ = self.context(alignment, replace(link, tgt=[]))
        if context is None:
            return []
        src = tuple(link.src)
        rejected = {tgt for s, tgt in alignment.rejected_pairs() if s == src and len(tgt) == 1}
        ranked = best_candidates(link.src, context, limit + len(rejected))
        return [(score, sid) for score, sid in ranked if (sid,) not in rejected][:limit]


def _kept(features: dict[str, float]) -> dict[str, float]:
    """Features that are not evidence but bookkeeping (a merge's cut point) survive rescoring."""
    return {k: v for k, v in features.items() if k.startswith("merge.")}
