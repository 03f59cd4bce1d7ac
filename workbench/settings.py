"""One strict settings object. Unknown keys are errors, not warnings.

Settings come from ``workbench.toml`` in the project folder (optional); every key has a
default. Each stage owns one section.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import ConfigError

SETTINGS_FILE = "workbench.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PathSettings(Section):
    corpus: Path = Path("corpus")
    alignments: Path = Path("alignments")
    models: Path = Path("models")


class CorpusSettings(Section):
    languages: list[str] = ["th", "fr", "en"]
    suffixes: list[str] = [".txt"]
    max_document_bytes: int = Field(default=10_000_000, gt=0)
    target_language: str = "en"


class TranslateSettings(Section):
    backend: str | None = None
    batch_size: int = Field(default=16, gt=0)
    beam_size: int = Field(default=4, gt=0)
    max_length: int = Field(default=256, gt=0)
    device: str = "auto"


class AlignSettings(Section):
    mode: str = "comparable"


class ReviewSettings(Section):
    reviewer: str | None = None
    keymap: dict[str, str] = {}


class ExportSettings(Section):
    status: str = "approved"


class Settings(Section):
    paths: PathSettings = PathSettings()
    corpus: CorpusSettings = CorpusSettings()
    translate: TranslateSettings = TranslateSettings()
    align: AlignSettings = AlignSettings()
    review: ReviewSettings = ReviewSettings()
    export: ExportSettings = ExportSettings()


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from ``path`` (or ``./workbench.toml`` when present), else the defaults."""
    if path is None:
        path = Path(SETTINGS_FILE)
        if not path.exists():
            return Settings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("settings file does not exist", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: "
            + ("unknown key" if err["type"] == "extra_forbidden" else err["msg"])
            for err in exc.errors()
        )
        raise ConfigError(problems, path) from None
