"""Offline behaviour: a missing hub model fails within seconds and says how to bring it here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.translate.locate import ModelUnavailable, check_model_dir, locate
from workbench.translate.registry import load_registry

from .conftest import REGISTRY


def test_offline_hub_model_fails_at_once_naming_the_model_and_the_ways_in(tmp_path: Path):
    spec = load_registry(REGISTRY).for_pair("th", "en")
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as err:
        locate(spec, tmp_path / "models")
    assert time.perf_counter() - started < 2
    message = str(err.value)
    assert "Helsinki-NLP/opus-mt-th-en" in message and "HF_HUB_OFFLINE" in message
    assert "workbench models pull opus-mt-th-en" in message and "--model PATH" in message
    assert str(tmp_path / "models" / "Helsinki-NLP--opus-mt-th-en") in message


def test_unreachable_hub_fails_within_ten_seconds_through_the_cli(tmp_path: Path):
    env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9", "HF_HOME": str(tmp_path / "hf")}
    env.pop("HF_HUB_OFFLINE")
    (tmp_path / "in.txt").write_text("Bonjour.\n")
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "translate-file",
            tmp_path / "in.txt",
            tmp_path / "out.txt",
            "--src-lang",
            "fr",
        ],
        cwd=REGISTRY.parents[1],  # the project: its models/registry.toml
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.perf_counter() - started
    assert proc.returncode == 2, proc.stderr
    assert elapsed < 10
    assert "Helsinki-NLP/opus-mt-fr-en" in proc.stderr and "cannot be reached" in proc.stderr
    assert not (tmp_path / "out.txt").exists()


def test_pulled_folder_is_found_without_the_network(tmp_path: Path, tiny_marian: Path):
    import shutil

    spec = load_registry(REGISTRY).for_pair("fr", "en")
    target = tmp_path / "models" / "Helsinki-NLP--opus-mt-fr-en"
    shutil.copytree(tiny_marian, target)  # what copying a pulled folder looks like
    assert locate(spec, tmp_path / "models") == target


@pytest.mark.parametrize(
    "keep", [["config.json"], ["config.json", "model.safetensors"], ["source.spm", "vocab.json"]]
)
def test_model_folder_missing_files_is_named(tmp_path: Path, tiny_marian: Path, keep: list[str]):
    import shutil

    for name in keep:
        shutil.copy(tiny_marian / name, tmp_path / name)
    with pytest.raises(InputError, match="model folder is missing") as err:
        check_model_dir(tmp_path)
    assert str(tmp_path) in str(err.value)
