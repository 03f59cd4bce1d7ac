"""Issue 11: names that become folders under models/ (hub ids, registry names, revisions read
from a model folder's marker file or the registry, quantizations, embed shard names) follow the
name rule; a path-like one is refused with one line naming it, and nothing is created."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from workbench.cli import main
from workbench.errors import InputError
from workbench.translate.backends.ctranslate2 import converted_dir
from workbench.translate.embed import INDEX, load_embeddings
from workbench.translate.locate import MARKER, folder_revision
from workbench.translate.registry import ModelSpec, load_registry, resolve_spec

HOSTILE = ["../../x", "/tmp/x", "..", "a\nb", "sub/dir/x"]


def _model_folder(tmp_path: Path, revision: object) -> Path:
    folder = tmp_path / "models" / "org--name"
    folder.mkdir(parents=True)
    (folder / MARKER).write_text(json.dumps({"hub_id": "org/name", "revision": revision}))
    return folder


@pytest.mark.parametrize("revision", HOSTILE)
def test_a_marker_revision_that_is_a_path_is_refused_naming_the_file(tmp_path, revision):
    folder = _model_folder(tmp_path, revision)
    spec = ModelSpec("org/name", hub_id="org/name")
    with pytest.raises(InputError, match="model revision") as caught:
        converted_dir(spec, folder, tmp_path / "models", "int8")
    assert str(folder / MARKER) in str(caught.value)
    assert not (tmp_path / "x").exists() and not (tmp_path / "models" / "ctranslate2").exists()


def test_a_damaged_marker_file_is_one_line(tmp_path):
    folder = _model_folder(tmp_path, "abc")
    (folder / MARKER).write_text("{not json")
    with pytest.raises(InputError, match="marker file"):
        folder_revision(ModelSpec("org/name", hub_id="org/name"), folder)


def test_a_commit_marker_still_names_the_converted_folder(tmp_path):
    folder = _model_folder(tmp_path, "e3074dd1a6bcb73c88d96c2fc98106478156703d")
    spec = ModelSpec("org/name", hub_id="org/name")
    target = converted_dir(spec, folder, tmp_path / "models", "int8")
    assert target == tmp_path / "models" / "ctranslate2" / "org--name@e3074dd1a6bc-int8"


def test_a_quantization_that_is_a_path_is_refused(tmp_path):
    folder = _model_folder(tmp_path, "abc123")
    with pytest.raises(InputError, match="quantization"):
        converted_dir(ModelSpec("n", hub_id="org/name"), folder, tmp_path, "int8/../../x")


@pytest.mark.parametrize("name", ["foo/..", "x/..", "a b/c", "org/na\nme", "org/-x"])
def test_models_pull_refuses_a_hub_id_that_is_not_a_name(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    assert main(["models", "pull", name]) == 2
    err = capsys.readouterr().err
    assert "model hub id" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "models").exists()


def test_models_pull_of_a_folder_is_refused(tmp_path, monkeypatch, capsys):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert main(["models", "pull", ".."]) == 2
    assert "is a folder: models pull takes" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('[models."../../x"]\npath = "m"\n', "model name"),
        ('[models.m]\nhub_id = "org/../x"\n', "model hub id"),
        ('[models.m]\nhub_id = "org/n"\nrevision = "../../x"\n', "model revision"),
    ],
)
def test_registry_entries_that_become_folders_are_checked(tmp_path, entry, message):
    registry = tmp_path / "registry.toml"
    registry.write_text(entry)
    with pytest.raises(InputError, match=message) as caught:
        load_registry(registry)
    assert str(registry) in str(caught.value)


def test_a_local_folder_with_an_odd_name_gets_a_safe_slug(tmp_path):
    folder = tmp_path / "my model (v2)"
    folder.mkdir()
    spec = resolve_spec(load_registry(tmp_path / "none.toml"), "fr", "en", str(folder))
    assert spec.path == folder.resolve()
    assert "/" not in spec.slug and spec.slug.startswith("local-my_model")


@pytest.mark.parametrize("name", ["../outside.npy", "/tmp/x.npy", "sub/x.npy"])
def test_embed_index_shard_names_are_data(tmp_path, name):
    folder = tmp_path / "emb"
    folder.mkdir()
    np.save(tmp_path / "outside.npy", np.zeros((1, 2), np.float32))
    index = {"ids": ["a"], "dim": 2, "encoder": {}, "shards": [{"file": name, "rows": 1}]}
    (folder / INDEX).write_text(json.dumps(index))
    with pytest.raises(InputError, match="shard file name"):
        load_embeddings(folder)


def test_a_damaged_embed_index_is_one_line(tmp_path):
    (tmp_path / INDEX).write_text('{"ids": []}')
    with pytest.raises(InputError, match="not an embed index"):
        load_embeddings(tmp_path)
