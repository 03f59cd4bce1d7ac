"""Models fetched from the hub, for real, from a local hub on 127.0.0.1 (``HF_ENDPOINT``) that
serves the tiny models through the hub's file API: the path a connected user takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.translate.locate import MARKER, ModelUnavailable, partial_dir, pull
from workbench.translate.registry import ModelSpec, load_registry

from .conftest import REGISTRY
from .hubserver import HubState, LocalHub

WEIGHTS = "model.safetensors"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tiny_marian: Path, tmp_path: Path):
    """The registry's th-en and fr-en models at their pinned commits (tiny Marian weights)."""
    import huggingface_hub.constants

    registry = load_registry(REGISTRY)
    state = HubState()
    for pair in ("th-en", "fr-en"):
        spec = registry.models[registry.pairs[pair]]
        state.add_folder(spec.hub_id, spec.revision, tiny_marian)
    with LocalHub(state) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        # the hub library reads HF_HUB_OFFLINE once, at import; the suite imported it offline
        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
        # the library's user-agent code fetches a registry from its import-time endpoint
        # (huggingface.co, not HF_ENDPOINT): the suite's network guard caught it; no registry
        monkeypatch.setattr(
            "huggingface_hub.utils._detect_agent._registry",
            {"standardEnvVars": [], "harnesses": {}},
        )
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        yield state


@pytest.fixture
def fr_en() -> ModelSpec:
    return load_registry(REGISTRY).for_pair("fr", "en")


def same_files(folder: Path, source: Path) -> bool:
    return all((folder / p.name).read_bytes() == p.read_bytes() for p in source.iterdir())


def test_pull_downloads_the_pinned_revision_verified_into_models(hub, fr_en, tmp_path, tiny_marian):
    folder = pull(fr_en, tmp_path / "models")
    assert folder == tmp_path / "models" / "Helsinki-NLP--opus-mt-fr-en"
    assert same_files(folder, tiny_marian)
    assert f'"revision": "{fr_en.revision}"' in (folder / MARKER).read_text()
    assert not partial_dir(fr_en, tmp_path / "models").exists() and not (folder / ".cache").exists()
    asked = {(m, p) for m, p, _ in hub.requests}
    assert ("HEAD", f"/{fr_en.hub_id}/resolve/{fr_en.revision}/{WEIGHTS}") in asked
    assert ("GET", f"/api/models/{fr_en.hub_id}/tree/{fr_en.revision}") in asked


def test_a_dropped_connection_resumes_with_a_range_request(
    hub, fr_en, tmp_path, tiny_marian, monkeypatch
):
    import huggingface_hub.constants

    # the hub client writes (and so can resume) in 10 MB chunks; the tiny weights are 1 MB
    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
    hub.cut[WEIGHTS] = 64 * 1024 * 5
    folder = pull(fr_en, tmp_path / "models")
    ranges = [r for m, p, r in hub.requests if m == "GET" and p.endswith(WEIGHTS)]
    assert ranges == [None, f"bytes={64 * 1024 * 5}-"]  # the rest only, not the whole file again
    assert (folder / WEIGHTS).read_bytes() == (tiny_marian / WEIGHTS).read_bytes()


def test_an_interrupted_pull_fetches_only_the_missing_files_next_time(hub, fr_en, tmp_path):
    models = tmp_path / "models"
    hub.broken.add(WEIGHTS)
    with pytest.raises(ModelUnavailable, match="could not download Helsinki-NLP/opus-mt-fr-en"):
        pull(fr_en, models)
    assert not (models / fr_en.slug).exists()  # nothing half-downloaded looks finished
    hub.broken.clear()
    folder = pull(fr_en, models)
    assert (folder / "config.json").is_file()
    assert hub.gets("config.json") == 1 and hub.gets("vocab.json") == 1
    assert hub.gets(WEIGHTS) == 2  # the failed GET and the one that finished


def test_a_wrong_checksum_is_refused_and_the_file_fetched_again(hub, fr_en, tmp_path, tiny_marian):
    models = tmp_path / "models"
    hub.corrupt.add(WEIGHTS)
    with pytest.raises(ModelUnavailable, match=f"checksum mismatch .*{WEIGHTS}.*sha256"):
        pull(fr_en, models)
    assert not (models / fr_en.slug).exists()
    assert not (partial_dir(fr_en, models) / WEIGHTS).exists()
    hub.corrupt.clear()
    assert same_files(pull(fr_en, models), tiny_marian)


def test_a_revision_that_does_not_exist_is_named(hub, fr_en, tmp_path):
    spec = ModelSpec(fr_en.name, fr_en.hub_id, revision="0" * 40)
    with pytest.raises(ModelUnavailable, match=f"has no revision {'0' * 40}.*fix the pin"):
        pull(spec, tmp_path / "models")
    assert not (tmp_path / "models" / fr_en.slug).exists()


def test_models_pull_cli_downloads_and_offline_refuses_at_once(hub, tmp_path, monkeypatch, capsys):
    config = tmp_path / "workbench.toml"
    config.write_text(
        f"[paths]\nmodels = {str(tmp_path / 'models')!r}\n[translate]\nregistry = {str(REGISTRY)!r}\n"
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["--config", str(config), "models", "pull", "fr-en"]) == 2
    assert "HF_HUB_OFFLINE is set" in capsys.readouterr().err and not hub.requests
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert main(["--config", str(config), "models", "pull", "fr-en"]) == 0
    assert str(tmp_path / "models" / "Helsinki-NLP--opus-mt-fr-en") in capsys.readouterr().out


def test_the_main_job_downloads_converts_and_translates_the_seeds(hub, corpus_copy, tmp_path):
    """What `make run` does on a fresh clone of a connected machine: MT with the pinned models."""
    from workbench.corpus.ingest import ingest
    from workbench.settings import Settings
    from workbench.translate.tasks import translate_if_available

    settings = Settings()
    settings.paths.models = tmp_path / "models"
    settings.translate.registry = REGISTRY
    settings.translate.cache = tmp_path / "cache.sqlite"
    settings.translate.beam_size, settings.translate.max_length = 1, 16
    lines: list[str] = []
    corpus = ingest(corpus_copy)
    translate_if_available(corpus, settings, echo=lines.append)
    assert not any("without machine translation" in line for line in lines), lines
    for slug in ("Helsinki-NLP--opus-mt-th-en", "Helsinki-NLP--opus-mt-fr-en"):
        assert (tmp_path / "models" / slug / "config.json").is_file()
    assert len(list((tmp_path / "models" / "ctranslate2").iterdir())) == 2  # converted once each
    written = {p.name.split(".")[0] for p in (corpus_copy / "translations").glob("*.en.jsonl")}
    assert written == {d.id for d in corpus.documents if d.language != "en"}


def test_translate_file_downloads_the_pair_model_on_first_use(hub, tmp_path, capsys):
    config = tmp_path / "workbench.toml"
    config.write_text(
        f"[paths]\nmodels = {str(tmp_path / 'models')!r}\n[translate]\n"
        f"registry = {str(REGISTRY)!r}\ncache = {str(tmp_path / 'c.sqlite')!r}\n"
        "beam_size = 1\nmax_length = 16\n"
    )
    (tmp_path / "in.txt").write_text("Bonjour le monde.\n\nMerci.\n")
    argv = ["--config", str(config), "translate-file", str(tmp_path / "in.txt")]
    assert main([*argv, str(tmp_path / "out.txt"), "--src-lang", "fr", "--no-progress"]) == 0
    assert len((tmp_path / "out.txt").read_text().split("\n")) == 4
    assert (tmp_path / "models" / "Helsinki-NLP--opus-mt-fr-en" / "config.json").is_file()
    assert "downloading Helsinki-NLP/opus-mt-fr-en at d62bcebc3426" in capsys.readouterr().err
