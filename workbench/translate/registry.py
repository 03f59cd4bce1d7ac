"""The model registry (``models/registry.toml``): which public model translates which pair.

``[pairs]`` maps ``"th-en"`` to a model name; ``[models.<name>]`` gives ``hub_id`` + pinned
``revision`` (or a local ``path``), the default ``backend`` and, for multilingual models, the
model's code for each language. ``--model`` overrides the entry with a registry name, a hub
id or a local folder.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from workbench.errors import ConfigError, InputError
from workbench.names import file_id_problem, is_file_id, validate_file_id

# Model types that need language codes (source prefix, forced target token).
MULTILINGUAL_TYPES = {"m2m_100", "nllb-moe"}
# FLORES-200 codes for models given by --model that the registry does not describe.
FLORES_CODES = {
    "ar": "arb_Arab",
    "de": "deu_Latn",
    "en": "eng_Latn",
    "es": "spa_Latn",
    "fr": "fra_Latn",
    "id": "ind_Latn",
    "it": "ita_Latn",
    "ja": "jpn_Jpan",
    "km": "khm_Khmr",
    "lo": "lao_Laoo",
    "ms": "zsm_Latn",
    "my": "mya_Mymr",
    "pt": "por_Latn",
    "ru": "rus_Cyrl",
    "th": "tha_Thai",
    "vi": "vie_Latn",
    "zh": "zho_Hans",
}
DEFAULT_BACKEND = "ctranslate2"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hub_id: str | None = None
    path: Path | None = None
    revision: str | None = None
    backend: str = DEFAULT_BACKEND
    languages: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_source(self) -> _Entry:
        if (self.hub_id is None) == (self.path is None):
            raise ValueError("give exactly one of hub_id or path")
        return self


class _RegistryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pairs: dict[str, str] = {}
    models: dict[str, _Entry] = {}


@dataclass(frozen=True)
class ModelSpec:
    """Where a model comes from and how it is run by default."""

    name: str
    hub_id: str | None = None
    path: Path | None = None
    revision: str | None = None
    backend: str = DEFAULT_BACKEND
    languages: dict[str, str] = field(default_factory=dict)
    command: str | None = None  # the shell command of the command backend

    @property
    def model_id(self) -> str:
        return self.command or self.hub_id or str(self.path)

    @property
    def slug(self) -> str:
        """A folder name for this model under ``models/`` (checked: one plain component)."""
        if self.hub_id is not None:
            check_hub_id(self.hub_id)
        return validate_file_id("model folder name", (self.hub_id or self.name).replace("/", "--"))


def check_hub_id(hub_id: str, path: Path | str | None = None) -> str:
    """A hub id is ``name`` or ``org/name``, each part a plain file-name id (it becomes the
    folder ``models/<org>--<name>/``); anything else is refused naming it."""
    parts = hub_id.split("/") if isinstance(hub_id, str) else [hub_id]
    problem = next((file_id_problem(part) for part in parts if file_id_problem(part)), None)
    if problem is None and len(parts) > 2:
        problem = "has more than one '/'"
    if problem is not None:
        raise InputError(f"model hub id {hub_id!r}: {problem} (it becomes a folder name)", path)
    return hub_id


def check_revision(revision: object, path: Path | str | None = None) -> str:
    """A model revision (a commit hash, a tag or branch name) becomes part of a folder name."""
    return validate_file_id("model revision", revision, path)


def local_name(folder: Path) -> str:
    """A folder-name-safe name for a local model folder (its own name when that is one)."""
    if is_file_id(folder.name):
        return folder.name
    cleaned = "".join(c if is_file_id("a" + c) else "_" for c in folder.name)[:60]
    return f"local-{cleaned.strip('_') or 'model'}"


@dataclass
class Registry:
    path: Path
    pairs: dict[str, str]
    models: dict[str, ModelSpec]

    def for_pair(self, src: str, tgt: str) -> ModelSpec:
        pair = f"{src}-{tgt}"
        if pair not in self.pairs:
            known = ", ".join(sorted(self.pairs)) or "none"
            raise ConfigError(
                f"no model for the language pair {src}→{tgt} (registered pairs: {known}); "
                "add it under [pairs] in the registry or pass --model NAME|HUB_ID|PATH",
                self.path,
            )
        return self.models[self.pairs[pair]]


def load_registry(path: Path) -> Registry:
    """Read and check the registry; a missing file is an empty registry."""
    path = Path(path)
    if not path.exists():
        return Registry(path, {}, {})
    try:
        raw = _RegistryFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from None
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply", path) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: "
            + ("unknown key" if err["type"] == "extra_forbidden" else err["msg"])
            for err in exc.errors()
        )
        raise ConfigError(problems, path) from None
    models = {}
    for name, entry in raw.models.items():
        validate_file_id("model name", name, path)
        if entry.hub_id is not None:
            check_hub_id(entry.hub_id, path)
        if entry.revision is not None:
            check_revision(entry.revision, path)
        local = entry.path
        if local is not None and not local.is_absolute():
            local = path.parent / local  # relative to the registry file
        models[name] = ModelSpec(
            name, entry.hub_id, local, entry.revision, entry.backend, dict(entry.languages)
        )
    for pair, name in raw.pairs.items():
        if name not in models:
            raise ConfigError(f"pairs.{pair}: no [models.{name}] entry", path)
    return Registry(path, dict(raw.pairs), models)


def resolve_spec(
    registry: Registry, src: str, tgt: str, model: str | None = None, backend: str | None = None
) -> ModelSpec:
    """The model for one job: the registry's default for the pair, or the ``--model`` override."""
    if backend == "command":
        if not model:
            raise ConfigError(
                "the command backend needs --model '<shell command>' (one sentence per line in and out)"
            )
        return ModelSpec(name="command", backend="command", command=model)
    if model is None:
        spec = registry.for_pair(src, tgt)
    elif model in registry.models:
        spec = registry.models[model]
    elif Path(model).expanduser().is_dir():
        folder = Path(model).expanduser().resolve()
        spec = ModelSpec(name=local_name(folder), path=folder)
    elif model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise InputError("model folder does not exist", model)
    else:
        spec = ModelSpec(name=model, hub_id=check_hub_id(model))
    if backend is not None and backend != spec.backend:
        spec = ModelSpec(spec.name, spec.hub_id, spec.path, spec.revision, backend, spec.languages)
    return spec


def model_type(model_dir: Path) -> str | None:
    """``model_type`` from a transformers ``config.json`` (read as JSON: no model library)."""
    try:
        return json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError):
        return None


def language_codes(
    spec: ModelSpec, model_dir: Path | None, src: str, tgt: str
) -> tuple[str | None, str | None]:
    """The model's own codes for ``src`` and ``tgt`` (multilingual models), else ``(None, None)``."""
    if model_dir is None or (
        model_type(model_dir) not in MULTILINGUAL_TYPES and not spec.languages
    ):
        return None, None
    codes = {**FLORES_CODES, **spec.languages}
    missing = [lang for lang in (src, tgt) if lang not in codes]
    if missing:
        raise ConfigError(
            f"model {spec.model_id} is multilingual but has no language code for {', '.join(missing)}; "
            f'add languages = {{ {missing[0]} = "..." }} to its registry entry'
        )
    return codes[src], codes[tgt]
