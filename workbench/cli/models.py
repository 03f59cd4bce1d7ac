"""``workbench models list|pull|convert``: the MT model registry and the models on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli._common import settings_from
from workbench.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models", help="list, download or convert the MT models of the registry"
    )
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = commands.add_parser(
        "list",
        help="registry entries and whether each is on this machine",
        description="List the MT models of the registry (models/registry.toml): language "
        "pair, model id and revision, backend, and whether the model files are on this "
        "machine (under models/). Nothing is downloaded.",
    )
    listing.set_defaults(func=run_list)

    pull = commands.add_parser(
        "pull",
        help="download models at their pinned revisions into models/ (needs the hub)",
        description="Download models into models/<org>--<name>/. On an offline machine, copy that "
        "folder from a connected one instead.",
    )
    pull.add_argument(
        "models", nargs="*", metavar="NAME|PAIR|HUB_ID", help="default: every model the pairs use"
    )
    pull.set_defaults(func=run_pull)

    convert = commands.add_parser(
        "convert", help="convert a model to CTranslate2 once (kept in models/ctranslate2/)"
    )
    convert.add_argument("model", metavar="NAME|PAIR|HUB_ID|PATH")
    convert.add_argument(
        "--quantization", default="int8", help="int8 (CPU default), float16 (GPU), float32, ..."
    )
    convert.set_defaults(func=run_convert)


def _spec(name: str, settings):  # noqa: ANN001, ANN202
    from workbench.translate.registry import load_registry, resolve_spec

    registry = load_registry(settings.translate.registry)
    if "-" in name and name in registry.pairs:
        return registry.models[registry.pairs[name]]
    return resolve_spec(registry, "", "", name)


def run_list(args: argparse.Namespace) -> int:
    from workbench.translate.backends.ctranslate2 import CONVERTED
    from workbench.translate.locate import find_local
    from workbench.translate.registry import load_registry

    settings = settings_from(args)
    registry = load_registry(settings.translate.registry)
    converted_root = Path(settings.paths.models) / CONVERTED
    rows = [("name", "pairs", "model", "revision", "backend", "on this machine", "converted")]
    for name, spec in registry.models.items():
        local = find_local(spec, settings.paths.models)
        converted = sorted(
            p.name.rsplit("-", 1)[-1] for p in converted_root.glob(f"{spec.slug}@*") if p.is_dir()
        )
        rows.append(
            (
                name,
                ", ".join(p for p, n in registry.pairs.items() if n == name) or "-",
                spec.model_id,
                (spec.revision or "-")[:12],
                spec.backend,
                str(local) if local else "no",
                ", ".join(converted) or "-",
            )
        )
    print(f"MT models in {registry.path}:")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def run_pull(args: argparse.Namespace) -> int:
    from workbench.translate.locate import find_local, pull
    from workbench.translate.registry import load_registry

    settings = settings_from(args)
    registry = load_registry(settings.translate.registry)
    names = args.models or list(dict.fromkeys(registry.pairs.values()))
    for name in names:
        spec = _spec(name, settings)
        if spec.path is not None and name not in registry.models:
            raise InputError(
                "is a folder: models pull takes a registry name, a language pair or a hub id "
                "(org/name)",
                name,
            )
        local = find_local(spec, settings.paths.models)
        if local is not None:
            print(f"{spec.model_id}: already here ({local})")
            continue
        print(f"{spec.model_id}: {pull(spec, settings.paths.models)}")
    return 0


def run_convert(args: argparse.Namespace) -> int:
    from workbench.translate.backends.ctranslate2 import convert, converted_dir
    from workbench.translate.locate import locate

    settings = settings_from(args)
    spec = _spec(args.model, settings)
    model_dir = locate(spec, settings.paths.models)
    target = convert(
        model_dir,
        converted_dir(spec, model_dir, settings.paths.models, args.quantization),
        args.quantization,
    )
    print(f"{spec.model_id}: {target}")
    return 0
