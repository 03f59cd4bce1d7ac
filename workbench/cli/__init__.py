"""The ``workbench`` command line: argument parsing only; each command calls the library.

Each module in this package that defines ``register(subparsers)`` adds one or more
subcommands; modules are found automatically, so adding a command means adding a module.
Command modules must import nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.fileio import describe_os_error
from workbench.recovery import recover_once
from workbench.settings import ValidationError, describe_errors, load_settings


def _command_modules() -> list[str]:
    package = sys.modules[__name__]
    return sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Translate, align, review and export comparable multilingual news.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--config", metavar="FILE", help="settings file (default: ./workbench.toml when present)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def _folders(args: argparse.Namespace) -> list[Path]:
    """The folders a command names (a folder, or a file's folder) and the alignments folder."""
    values = [
        v for value in vars(args).values() for v in (value if isinstance(value, list) else [value])
    ]
    with contextlib.suppress(WorkbenchError, ValidationError, OSError, ValueError):
        values.append(load_settings(getattr(args, "config", None)).paths.alignments)
    folders: list[Path] = []
    for value in values:
        if not isinstance(value, str | Path) or not str(value):
            continue
        with contextlib.suppress(OSError, ValueError):
            path = Path(value)
            folder = path if path.is_dir() else path.parent
            if folder not in folders and folder.is_dir():
                folders.append(folder)
    return folders


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    for folder in _folders(args):  # settle what a killed command left there (one line each)
        recover_once(folder)
    try:
        result = args.func(args)
    except WorkbenchError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:  # a command-line value a setting refuses (out of range)
        print(f"workbench: error: {describe_errors(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # disk full, permission... wherever a writer did not say it first
        where = f"{exc.filename}: " if isinstance(exc.filename, str) else ""
        print(f"workbench: error: {where}{describe_os_error(exc)}", file=sys.stderr)
        return 2
    return int(result or 0)
