"""Batches form within blocks of ``block_lines`` sentences, in input order, on both engines:
the local engine's batch composition is the Ray workers' (int8 results move with it)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.translate.backends import Decoding, Translator
from workbench.translate.cache import TranslationCache
from workbench.translate.engine import Engine
from workbench.translate.job import translate_texts
from workbench.translate.registry import ModelSpec


class Recorder(Translator):
    name = "recorder"
    needs_model_dir = False

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    @classmethod
    def load(cls, request):  # noqa: ANN001, ANN206 - never called (preloaded)
        raise AssertionError

    def translate_batch(self, texts: list[str]) -> list[str]:
        self.batches.append(list(texts))
        return [t.upper() for t in texts]


def engine_with(recorder: Recorder) -> Engine:
    decoding = Decoding(beam_size=1, max_length=64, min_length=0, device="cpu", precision="-")
    spec = ModelSpec("recorder", backend="recorder", command="recorder")
    return Engine(spec, Recorder, "fr", "en", decoding, Path("."), None, "r", _translator=recorder)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.text("abc ", min_size=1, max_size=12), min_size=1, max_size=40),
    st.integers(1, 9),
    st.integers(1, 5),
)
def test_every_batch_lies_within_one_block_of_the_missing_sentences(texts, block, batch):
    recorder = Recorder()
    with TranslationCache(":memory:") as cache:
        results, _ = translate_texts(
            texts, engine_with(recorder), cache, batch_size=batch, batch_tokens=10_000,
            progress=False, block_lines=block,
        )  # fmt: skip
    missing = list(dict.fromkeys(t for t in texts if t.strip()))
    block_of = {text: i // block for i, text in enumerate(missing)}
    for sent in recorder.batches:
        assert len(sent) <= batch and len({block_of[t] for t in sent}) == 1
    assert [block_of[b[0]] for b in recorder.batches] == sorted(
        block_of[b[0]] for b in recorder.batches
    )
    assert all(results[t] == (t.upper() if t.strip() else "") for t in texts)


def test_the_ray_engine_without_ray_says_how_to_install_it(monkeypatch):
    import sys

    import pytest

    from workbench.errors import WorkbenchError
    from workbench.translate.distributed import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(
        WorkbenchError, match=r'the Ray engine needs Ray Data .*pip install -e "\.\[ray\]"'
    ):
        import_ray()
