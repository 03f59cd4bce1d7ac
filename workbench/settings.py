"""One strict settings object. Unknown keys are errors, not warnings.

Settings come from ``workbench.toml`` in the project folder (optional); every key has a
default. Each stage owns one section.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench.errors import ConfigError

# Two articles of one edition retell one source (a press release) in its order: a pair that
# crosses this many of its document pair's confident pairs (score >= ORDER_BACKBONE) is vetoed
# (comparable mining and the clusterer; docs/aligner.md, docs/clusters.md). 0: off.
ORDER_CROSSINGS = 6
ORDER_BACKBONE = 0.9

SETTINGS_FILE = "workbench.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PathSettings(Section):
    corpus: Path = Path("corpus")
    alignments: Path = Path("alignments")
    models: Path = Path("models")


class CorpusSettings(Section):
    languages: list[str] = Field(default=["th", "fr", "en"], min_length=1)
    suffixes: list[str] = [".txt"]
    max_document_bytes: int = Field(default=10_000_000, gt=0)
    target_language: str = "en"


class TranslateSettings(Section):
    """Machine translation: defaults for every job (the command line overrides them)."""

    backend: str | None = None  # None: the registry entry's backend
    batch_size: int = Field(default=32, gt=0)  # sentences per batch, at most (bench: 32 > 16, 64)
    batch_tokens: int = Field(default=8192, gt=0)  # padded source tokens per batch: 32 x 256
    beam_size: int = Field(default=4, gt=0)
    max_length: int = Field(default=256, gt=0)  # tokens, input (longer is split) and output
    min_length: int = Field(default=0, ge=0)  # output tokens, at least (benchmarks force lengths)
    command_timeout: float = Field(default=600.0, gt=0)  # seconds per batch, command backend
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"  # CTranslate2: auto (int8 on CPU, float16 on CUDA), int8, float32...
    dtype: str = "auto"  # transformers: auto (float32 on CPU, float16 on CUDA), bfloat16...
    cache: Path = Path(".workbench/translations.sqlite")
    registry: Path = Path("models/registry.toml")
    threads: int = Field(default=0, ge=0)  # CPU threads per model (0: every core it may use)
    # batch jobs: local (one process) or ray (workbench translate[-file] --engine ray)
    engine: Literal["local", "ray"] = "local"
    ray_address: str | None = None  # None: a Ray cluster on this machine; "auto", "ray://host:port"
    workers: int = Field(default=1, gt=0)  # Ray: model replicas (actors), one translator each
    gpus_per_worker: float = Field(default=0.0, ge=0.0)  # Ray: > 0 runs each worker on CUDA
    block_lines: int = Field(default=512, gt=0)  # batches form within blocks (Ray: 1 shard each)


class AlignSettings(Section):
    mode: str = "comparable"
    # sentence encoder: a registry name (use-multilingual-v3), "none", or a
    # sentence-transformers hub id / local folder (workbench/align/signals/encoder.py)
    encoder: str = "use-multilingual-v3"
    embedding_cache: Path | None = Path(".workbench/embeddings.sqlite")  # None: no cache
    # comparable mode (workbench align over the corpus)
    comparable_k: int = Field(default=4, gt=0)  # nearest neighbours for candidates and margin
    comparable_threshold: float = Field(
        default=0.5, ge=0.0, le=1.0
    )  # calibrated score a link needs
    edition_prior: float = Field(
        default=2.0, ge=0.0
    )  # weight of a shared edition in the link score
    merge_adjacent: bool = True  # allow 2-1 / 1-2 links
    use_mt: bool = True  # use stored translations when they exist (False: anchors only)
    max_sentence_chars: int = Field(default=2000, gt=0)  # longer sentences are a segmentation error
    # parallel mode (workbench align-pair --mode parallel; tuned on Text+Berg dev and MAC dev)
    parallel_beta: float = Field(default=1.0, gt=0.0)  # F-beta of chrF precision/recall
    parallel_threshold: float = -0.0125  # margin-normalised similarity a bead must beat
    parallel_skip: float = Field(default=-0.216, le=0.0)  # gain of an unaligned sentence
    parallel_size_exponent: float = Field(default=0.4, ge=0.0)  # bead weight ((a+b)/2)**x
    parallel_penalty: dict[str, float] = {  # extra cost per bead type ("a-b"), 0 if absent
        "1-2": 0.051,
        "2-1": 0.051,
        "1-3": 0.129,
        "3-1": 0.129,
        "2-2": 0.1,
        "1-4": 0.2,
        "2-3": 0.13,
        "3-2": 0.13,
        "3-3": 0.13,
        "1-5": 0.3,
        "4-1": 0.25,
    }
    parallel_length_weight: float = Field(default=0.083, ge=0.0)  # |log length ratio| weight
    parallel_margin_weight: float = Field(default=0.6, ge=0.0)  # minus k-best neighbour mean
    parallel_coverage_weight: float = Field(default=0.1, ge=0.0)  # uncovered member penalty
    parallel_coverage_floor: float = Field(default=0.05, ge=0.0, le=1.0)
    parallel_lexicon_weight: float = Field(default=0.0, ge=0.0, le=1.0)  # second pass (off)
    parallel_orphan_weight: float = Field(default=0.0, ge=0.0)  # cheaper skip, weak best match
    parallel_orphan_floor: float = Field(default=0.3, ge=0.0, le=1.0)
    parallel_run_bonus: float = Field(default=0.07, ge=0.0)  # cheaper skips after a run's first
    parallel_number_weight: float = Field(
        default=0.15, ge=0.0
    )  # member whose numbers are unmatched
    parallel_symbol_weight: float = Field(default=0.1, ge=0.0)  # merged member line with no letters
    parallel_fragment_weight: float = Field(
        default=0.01, ge=0.0
    )  # merged member line of <= fragment_tokens tokens
    parallel_fragment_tokens: int = Field(default=2, ge=0)
    parallel_back_weight: float = Field(default=0.3, ge=0.0, le=1.0)  # with --tgt-translation
    parallel_sub_weight: float = Field(default=0.2, ge=0.0)  # merge not better than best 1-1 pair
    parallel_sub_margin: float = Field(default=0.02, ge=0.0, le=1.0)
    parallel_baseline_by_length: bool = True  # a merge's baseline: members weighted by characters
    parallel_size_by_length: bool = True  # bead size: a member counts min(1, chars / median)
    parallel_pair_weight: float = Field(default=0.1, ge=0.0)  # m-n bead, uncovered member each side
    parallel_pair_floor: float = Field(default=0.1, ge=0.0, le=1.0)
    parallel_surplus_weight: float = Field(default=0.55, ge=0.0)  # n-gram matches above chance
    parallel_full_cells: int = Field(default=600_000, gt=0)  # up to n*m cells: no anchor band
    parallel_band_margin: int = Field(default=25, ge=1)  # sentences around the anchor band
    parallel_refine_radius: int = Field(default=4, ge=0)  # 1-1 pass, then beads within radius
    # the sentence encoder (align.encoder) in parallel mode: share of the bead cosine in the
    # similarity when there is MT too, and the longest span embedded as one concatenated text
    # (longer spans: the normalised sum of their sentences' vectors; 1 = sums only)
    parallel_encoder_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    parallel_encoder_scale: float = Field(default=1.4, gt=0.0)  # cosine x this in the mix
    parallel_encoder_concat: int = Field(default=5, ge=1)
    # documents of more sentences (both sides) embed concatenations only around the first
    # path's merges (both boundaries moved by up to one sentence): fewer encoder passes
    parallel_encoder_lazy_above: int = Field(default=2000, ge=0)


class ClusterSettings(Section):
    """Statement clusters across all documents (``workbench cluster``; see
    workbench/align/cluster/build.py, pairprob.py). The calibrated evidence's settings were
    chosen on the NTREX cluster simulation's dev split (bench/cluster_ntrex.py); the margin
    evidence's thresholds on the seed cluster gold (in-sample)."""

    output: Path = Path("clusters.jsonl")  # inside paths.alignments
    k: int = Field(default=4, gt=0)  # neighbours for the ratio margin
    candidates: int = Field(default=2, gt=0)  # mutual top-c pairs per document pair are edges
    edge_threshold: float = 1.25  # margin + bonuses an edge needs
    min_cosine: float = 0.3  # encoder cosine an edge needs (unless a pairwise link says so)
    link_threshold: float = 1.3  # mean pair score over a merged cluster (average linkage)
    join_threshold: float = 1.3  # second pass: two multi-document clusters (>= link: off)
    max_doc_neighbours: int = Field(default=40, gt=0)  # documents compared with each (bound)
    max_member_sentences: int = Field(default=1, gt=0)  # adjacent sentences of one member
    number_weight: float = Field(default=0.15, ge=0.0)  # bonus: Dice of equal numbers
    date_weight: float = Field(default=0.1, ge=0.0)  # bonus: Dice of compatible dates
    name_weight: float = Field(default=0.1, ge=0.0)  # bonus: shared Latin names
    mt_weight: float = Field(default=0.3, ge=0.0)  # bonus: chrF of stored MT (when it exists)
    link_weight: float = Field(default=0.5, ge=0.0)  # bonus: score of an automatic pairwise link
    length_weight: float = Field(default=0.2, ge=0.0)  # bonus: length agreement - 0.5
    fact_weight: float = Field(default=0.3, ge=0.0)  # bonus: near numbers / same-month dates
    score_slope: float = Field(default=6.0, gt=0.0)  # member score = logistic around link_threshold
    # pair evidence: "calibrated" = the comparable aligner's scorer per document pair
    # (probabilities; edge_probability / link_probability apply), "margin" = encoder margin
    # plus bonuses (edge_threshold / link_threshold and the weights above apply)
    evidence: str = Field(default="calibrated", pattern="^(calibrated|margin)$")
    edge_probability: float = Field(default=0.5, ge=0.0, le=1.0)  # a candidate edge needs
    link_probability: float = Field(default=0.4, ge=0.0, le=1.0)  # mean pair probability (linkage)
    # "cluster": the mean over every cross-document pair of the merged cluster; "between":
    # over the pairs between the two clusters a merge joins
    linkage: str = Field(default="between", pattern="^(cluster|between)$")
    edition_conflicts: bool = False  # number / year conflicts count against a pair of two editions
    # two articles of one edition keep the order of their common source: a pair crossing this
    # many of the document pair's pairs of probability >= order_backbone is vetoed (0: off)
    order_crossings: int = Field(default=ORDER_CROSSINGS, ge=0)
    order_backbone: float = Field(default=ORDER_BACKBONE, ge=0.0, le=1.0)
    # second pass, statements restated across editions (workbench/align/cluster/restate.py):
    # clusters of disjoint editions join when mutual best by centroid cosine + weight * facts
    restate_threshold: float = 0.62  # above 1 + restate_fact_weight: off
    restate_fact_weight: float = Field(default=0.5, ge=0.0)  # near numbers / dates (near_facts)
    restate_min_cosine: float = 0.2  # centroid cosine a pair of clusters needs to be compared
    restate_passes: int = Field(default=2, ge=0)  # rounds (a join changes the centroids)


class ReviewSettings(Section):
    """The review UI (``workbench review``); keys are remapped by action id (see README)."""

    reviewer: str | None = None  # None: the login name
    keymap: dict[str, str] = {}  # action id -> comma-separated keys, e.g. {approve = "enter,a"}
    snapshot_every: int = Field(default=500, gt=0)  # decisions between full snapshots
    snapshot_seconds: float = Field(default=300.0, gt=0)  # ... or seconds, whichever first
    score_low: float = 0.4  # score colour bands: below low red, below high yellow, else green
    score_high: float = 0.7
    show_mt: bool = True  # the source's English MT under it (toggle with t)
    rescore: bool = True  # re-score a link with the aligner's scorer after every edit of it

    @model_validator(mode="after")
    def _bands_in_order(self) -> ReviewSettings:
        if self.score_low > self.score_high:
            raise ValueError(
                f"score_low ({self.score_low}) must not be above score_high ({self.score_high})"
            )
        return self


class ExportSettings(Section):
    format: str = "jsonl"  # tmx, moses, tsv or jsonl
    status: str = "approved"  # a comma-separated set of statuses, or "all"
    min_score: float | None = None
    lang: str | None = None  # e.g. "th-en" or "fr-en,th-en"; None = every pair
    significance_test: str = Field(
        default="bs", pattern="^(bs|ar)$"
    )  # evaluate-mt: bootstrap or AR
    significance_samples: int = Field(default=1000, gt=0)


class Settings(Section):
    paths: PathSettings = PathSettings()
    corpus: CorpusSettings = CorpusSettings()
    translate: TranslateSettings = TranslateSettings()
    align: AlignSettings = AlignSettings()
    review: ReviewSettings = ReviewSettings()
    export: ExportSettings = ExportSettings()
    cluster: ClusterSettings = ClusterSettings()


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
    except IsADirectoryError:
        raise ConfigError("is a folder, not a settings file", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from None
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the settings file: {exc.strerror or exc}", path) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc), path) from None


def describe_errors(exc: ValidationError, names: dict[str, str] | None = None) -> str:
    """One line for a pydantic error: ``where: what`` per problem; ``names`` maps a field
    name to what the user typed (``comparable_threshold`` -> ``--threshold``)."""
    names = names or {}
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        where = names.get(where, where) or "settings"
        what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        problems.append(f"{where}: {what.removeprefix('Value error, ')}")
    return "; ".join(problems)


S = TypeVar("S", bound=Section)


def with_options(section: S, options: dict[str, tuple[str, Any]]) -> S:
    """A validated copy of ``section`` with command-line values applied: ``options`` maps a
    field to ``(option name, value)``; a ``None`` value was not given. Out-of-range values
    are a :class:`ConfigError` naming the option (``--beam-size: ...``), not a traceback."""
    given = {field: value for field, (_, value) in options.items() if value is not None}
    try:
        return section.model_validate({**section.model_dump(), **given})
    except ValidationError as exc:
        names = {field: option for field, (option, _) in options.items()}
        raise ConfigError(describe_errors(exc, names)) from None
