"""Errors that reach the user as one clear line and exit code 2."""

from __future__ import annotations

import re
from pathlib import Path

_LINE_BREAKS = re.compile("[ \t]*[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+[ \t]*")


class WorkbenchError(Exception):
    """A user-facing error: bad input, a missing file, an unusable setting.

    The CLI prints ``workbench: error: <path>: <message>`` and exits with code 2;
    no traceback is shown for these.
    """

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        # one line, always: messages quoting a library (lxml, sqlite) may hold line breaks
        return where + _LINE_BREAKS.sub(" ", self.message.strip())


class InputError(WorkbenchError):
    """The content of an input file is unusable."""


class ConfigError(WorkbenchError):
    """A settings file or registry entry is wrong."""
