"""Tiny models built once per session from corpus text, through the real loading code.

Everything here runs offline (HF_HUB_OFFLINE=1, an empty Hugging Face cache): no test can
reach the network or pick up a model from the user's cache.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from workbench.settings import TranslateSettings

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "models" / "registry.toml"


@pytest.fixture(scope="session", autouse=True)
def offline_hub(tmp_path_factory: pytest.TempPathFactory):
    saved = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "HF_HOME", "HF_HUB_CACHE")}
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HOME"] = str(tmp_path_factory.mktemp("hf-home"))
    os.environ.pop("HF_HUB_CACHE", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def corpus_texts(seed_corpus) -> list[str]:
    return [s.text for s in seed_corpus.sentences()]


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory, corpus_texts) -> Path:
    from workbench.translate.toymodels import build_marian

    return build_marian(tmp_path_factory.mktemp("models") / "tiny-marian", corpus_texts)


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory, corpus_texts) -> Path:
    from workbench.translate.toymodels import build_nllb

    return build_nllb(tmp_path_factory.mktemp("models") / "tiny-nllb", corpus_texts)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """Converted models live here for the whole session (one CTranslate2 conversion)."""
    return tmp_path_factory.mktemp("models-dir")


@pytest.fixture
def tsettings(tmp_path: Path) -> TranslateSettings:
    """Fast decoding, a fresh cache per test, the project's registry."""
    return TranslateSettings(
        beam_size=1, max_length=24, batch_size=4, cache=tmp_path / "cache.sqlite", registry=REGISTRY
    )


@pytest.fixture
def config_file(tmp_path: Path, models_dir: Path) -> Path:
    """A settings file for CLI runs: a fresh cache, the session's models folder."""
    path = tmp_path / "workbench.toml"
    path.write_text(
        f"[paths]\nmodels = {str(models_dir)!r}\n\n"
        f"[translate]\ncache = {str(tmp_path / 'cache.sqlite')!r}\nregistry = {str(REGISTRY)!r}\n"
        "beam_size = 1\nmax_length = 24\nbatch_size = 4\n"
    )
    return path


@pytest.fixture(scope="session")
def lookup_script(tmp_path_factory) -> Path:
    """A command-backend program: ``EN(<line>)`` per line; logs what it was given to $LOG;
    sleeps $SLEEP seconds before answering; $FAIL=crash exits 3, $FAIL=drop loses a line."""
    path = tmp_path_factory.mktemp("scripts") / "fake_mt.py"
    path.write_text(
        "import os, sys, time\n"
        "lines = sys.stdin.read().split('\\n')[:-1]\n"
        "if os.environ.get('LOG'):\n"
        "    with open(os.environ['LOG'], 'a', encoding='utf-8') as log:\n"
        "        log.writelines(line + '\\n' for line in lines)\n"
        "time.sleep(float(os.environ.get('SLEEP', '0')))\n"
        "if os.environ.get('FAIL') == 'crash':\n"
        "    print('model server down', file=sys.stderr); sys.exit(3)\n"
        "if os.environ.get('FAIL') == 'drop':\n"
        "    lines = lines[:-1]\n"
        "sys.stdout.write(''.join(f'EN({line})\\n' for line in lines))\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def lookup_command(lookup_script: Path) -> str:
    return f"{sys.executable} {lookup_script}"
