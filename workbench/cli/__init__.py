"""The ``workbench`` command line: argument parsing only; each command calls the library.

Each module in this package that defines ``register(subparsers)`` adds one or more
subcommands; modules are found automatically, so adding a command means adding a module.
Command modules must import nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.fileio import describe_os_error
from workbench.settings import ValidationError, describe_errors


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
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
