"""`workbench translate` over the corpus, and the main job's translation step."""

from __future__ import annotations

import time
from pathlib import Path

from workbench.cli import main
from workbench.corpus.translations import load_translations
from workbench.pipeline import run_main_job
from workbench.settings import Settings

NON_ENGLISH = {"th-2021-xinhua", "fr-2022-cnw"}


def test_translate_corpus_with_a_command_writes_the_translations_files(
    corpus_copy, config_file, lookup_command, seed_corpus, capsys
):
    argv = ["--config", str(config_file), "translate", "--corpus", str(corpus_copy)]
    assert main([*argv, "--backend", "command", "--model", lookup_command]) == 0
    translations = load_translations(corpus_copy, "en")
    assert set(translations) == NON_ENGLISH
    for doc_id, doc in translations.items():
        sentences = seed_corpus.document(doc_id).sentences
        assert doc.by_sentence == {s.id: f"EN({s.text})" for s in sentences}
        provenance = doc.provenance
        assert provenance["backend"] == "command" and provenance["model"] == lookup_command
        assert provenance["revision"].startswith("cmd-") and provenance["workbench"]
        assert provenance["decoding"]["beam_size"] == 1 and provenance["src_lang"] == doc_id[:2]
    out = capsys.readouterr().out
    assert "th→en" in out and "fr→en" in out and "2 translations files written" in out


def test_translate_named_documents_only_and_unknown_id(
    corpus_copy, config_file, lookup_command, capsys
):
    argv = [
        "--config",
        str(config_file),
        "translate",
        "--corpus",
        str(corpus_copy),
        "--backend",
        "command",
    ]
    assert main([*argv, "fr-2022-cnw", "--model", lookup_command]) == 0
    assert set(load_translations(corpus_copy, "en")) == {"fr-2022-cnw"}
    assert main([*argv, "nope-2020", "--model", lookup_command]) == 2
    assert "no document with id 'nope-2020'" in capsys.readouterr().err


def test_main_job_without_models_says_so_in_one_line_and_goes_on(
    corpus_copy, tmp_path, capsys, monkeypatch
):
    settings = Settings()
    settings.paths.corpus = corpus_copy
    settings.paths.models = tmp_path / "models"
    settings.paths.alignments = tmp_path / "alignments"
    settings.translate.registry = Path(__file__).resolve().parents[2] / "models" / "registry.toml"
    import workbench.translate.tasks as tasks

    fallback_seconds: list[float] = []
    real = tasks.translate_if_available

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            fallback_seconds.append(time.perf_counter() - started)

    monkeypatch.setattr("workbench.pipeline.translate_if_available", timed)
    assert run_main_job(settings) == 0
    # the translate stage gives up at once offline (no hub retries: 24 s before); the
    # aligner's time after it depends on the machine's load, so it is not timed here
    assert len(fallback_seconds) == 1 and fallback_seconds[0] < 5
    lines = [line for line in capsys.readouterr().out.splitlines() if "machine translation" in line]
    assert len(lines) == 1
    assert "continuing without machine translation" in lines[0]
    assert "Helsinki-NLP/opus-mt-th-en" in lines[0] and "Helsinki-NLP/opus-mt-fr-en" in lines[0]
    assert not (corpus_copy / "translations").exists()


def test_main_job_translates_when_models_are_here(corpus_copy, tmp_path, tiny_marian, models_dir):
    registry = tmp_path / "registry.toml"
    registry.write_text(
        '[pairs]\n"th-en" = "tiny"\n"fr-en" = "tiny"\n'
        f'[models.tiny]\npath = "{tiny_marian}"\nbackend = "transformers"\n'
    )
    settings = Settings()
    settings.paths.corpus = corpus_copy
    settings.paths.models = models_dir
    settings.paths.alignments = tmp_path / "alignments"
    settings.translate = settings.translate.model_copy(
        update={
            "registry": registry,
            "cache": tmp_path / "c.sqlite",
            "beam_size": 1,
            "max_length": 16,
        }
    )
    assert run_main_job(settings) == 0
    translations = load_translations(corpus_copy, "en")
    assert set(translations) == NON_ENGLISH
    assert all(doc.provenance["backend"] == "transformers" for doc in translations.values())
