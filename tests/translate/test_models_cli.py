"""`workbench models list` and the [translate] settings section."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.errors import ConfigError
from workbench.settings import load_settings

from .conftest import REGISTRY


def test_models_list_shows_every_entry_and_what_is_local(tmp_path, tiny_marian, capsys):
    import shutil

    models_dir = tmp_path / "models"
    shutil.copytree(
        tiny_marian, models_dir / "Helsinki-NLP--opus-mt-fr-en"
    )  # a copied pulled folder
    config = tmp_path / "workbench.toml"
    config.write_text(
        f"[paths]\nmodels = {str(models_dir)!r}\n[translate]\nregistry = {str(REGISTRY)!r}\n"
    )
    assert main(["--config", str(config), "models", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("opus-mt-th-en", "opus-mt-fr-en", "nllb-200-distilled-600M"):
        assert name in out
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert str(models_dir / "Helsinki-NLP--opus-mt-fr-en") in rows["opus-mt-fr-en"]
    assert "d62bcebc342" in rows["opus-mt-fr-en"] and "fr-en" in rows["opus-mt-fr-en"]
    assert rows["opus-mt-th-en"].split()[-2:] == ["no", "-"]


def test_models_pull_offline_fails_with_the_model_named(config_file, capsys):
    assert main(["--config", str(config_file), "models", "pull", "opus-mt-th-en"]) == 2
    assert "Helsinki-NLP/opus-mt-th-en" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[translate]\nbeam = 4\n", "translate.beam: unknown key"),
        ('[translate]\ndevice = "gpu"\n', "translate.device"),
    ],
)
def test_translate_settings_are_strict(tmp_path: Path, text: str, message: str):
    path = tmp_path / "workbench.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)
