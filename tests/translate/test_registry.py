"""The model registry: the shipped entries, pair lookup, overrides, bad registries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.errors import ConfigError, InputError
from workbench.translate.registry import language_codes, load_registry, resolve_spec

from .conftest import REGISTRY


def test_shipped_registry_pins_full_revisions_for_both_pairs():
    registry = load_registry(REGISTRY)
    assert set(registry.pairs) >= {"th-en", "fr-en"}
    assert registry.for_pair("th", "en").hub_id == "Helsinki-NLP/opus-mt-th-en"
    assert registry.for_pair("fr", "en").hub_id == "Helsinki-NLP/opus-mt-fr-en"
    nllb = registry.models["nllb-200-distilled-600M"]
    assert nllb.languages == {"th": "tha_Thai", "fr": "fra_Latn", "en": "eng_Latn"}
    for spec in registry.models.values():
        assert re.fullmatch(r"[0-9a-f]{40}", spec.revision), spec.name


def test_unknown_pair_names_the_registry_and_the_known_pairs():
    with pytest.raises(ConfigError) as err:
        load_registry(REGISTRY).for_pair("de", "en")
    assert (
        "de→en" in str(err.value)
        and "fr-en" in str(err.value)
        and "registry.toml" in str(err.value)
    )


def test_model_override_by_name_hub_id_folder(tmp_path: Path):
    registry = load_registry(REGISTRY)
    assert (
        resolve_spec(registry, "th", "en", "nllb-200-distilled-600M").hub_id
        == "facebook/nllb-200-distilled-600M"
    )
    hub = resolve_spec(registry, "th", "en", "someone/opus-mt-th-en-finetuned")
    assert hub.hub_id == "someone/opus-mt-th-en-finetuned" and hub.revision is None
    local = resolve_spec(registry, "th", "en", str(tmp_path), backend="transformers")
    assert local.path == tmp_path.resolve() and local.backend == "transformers"
    with pytest.raises(InputError, match="model folder does not exist"):
        resolve_spec(registry, "th", "en", str(tmp_path / "nothing-here"))
    with pytest.raises(ConfigError, match="needs --model"):
        resolve_spec(registry, "th", "en", None, backend="command")


def test_project_registry_adds_a_pair_with_a_local_folder(tmp_path: Path, tiny_nllb: Path):
    path = tmp_path / "registry.toml"
    path.write_text(
        f'[pairs]\n"lo-en" = "mine"\n[models.mine]\npath = "{tiny_nllb}"\nbackend = "transformers"\n'
        'languages = { lo = "lao_Laoo" }\n'
    )
    spec = load_registry(path).for_pair("lo", "en")
    assert spec.path == tiny_nllb and spec.backend == "transformers"
    assert language_codes(spec, tiny_nllb, "lo", "en") == ("lao_Laoo", "eng_Latn")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[pairs]\n"th-en" = "missing"\n', "no \\[models.missing\\] entry"),
        ('[models.x]\nhub_id = "a/b"\nrevison = "abc"\n', "revison: unknown key"),
        ('[models.x]\nbackend = "transformers"\n', "exactly one of hub_id or path"),
        ("[pairs\n", "not valid TOML"),
    ],
)
def test_bad_registry_is_refused_with_the_file_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "registry.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_registry(path)
    assert str(path) in str(err.value)
