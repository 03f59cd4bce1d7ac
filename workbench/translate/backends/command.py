"""Backend ``command``: any program that reads one sentence per line on stdin and writes one
translation per line on stdout (``marian-decoder``, a script calling a service, a lookup).

The command runs once per batch through the shell, with ``WORKBENCH_SRC_LANG`` and
``WORKBENCH_TGT_LANG`` set. A non-zero exit or a different number of lines stops the job.
"""

from __future__ import annotations

import os
import subprocess

from workbench.errors import WorkbenchError
from workbench.translate.backends import LoadRequest, Translator, register_backend


class CommandFailed(WorkbenchError):
    """The external translation program failed or broke the one-line-per-sentence contract."""


@register_backend("command")
class CommandTranslator(Translator):
    needs_model_dir = False

    def __init__(self, command: str, env: dict[str, str]):
        self.command = command
        self.env = env

    @classmethod
    def load(cls, request: LoadRequest) -> CommandTranslator:
        assert request.spec.command is not None
        env = {
            **os.environ,
            "WORKBENCH_SRC_LANG": request.src_lang,
            "WORKBENCH_TGT_LANG": request.tgt_lang,
        }
        return cls(request.spec.command, env)

    def translate_batch(self, texts: list[str]) -> list[str]:
        lines = [" ".join(t.splitlines()) for t in texts]  # one sentence, one line
        try:
            proc = subprocess.run(
                self.command,
                shell=True,
                input="".join(line + "\n" for line in lines),
                capture_output=True,
                text=True,
                encoding="utf-8",
                env=self.env,
            )
        except OSError as exc:
            raise CommandFailed(f"command backend: cannot run `{self.command}`: {exc}") from None
        if proc.returncode != 0:
            detail = (proc.stderr.strip().splitlines() or ["no message on stderr"])[-1]
            raise CommandFailed(
                f"command backend: `{self.command}` exited with status {proc.returncode} ({detail}); "
                "nothing from this batch was kept"
            )
        output = proc.stdout.split("\n")
        if output and output[-1] == "":
            output.pop()
        if len(output) != len(lines):
            raise CommandFailed(
                f"command backend: `{self.command}` wrote {len(output)} lines for {len(lines)} input "
                "lines (it must write exactly one translation per line); nothing from this batch was kept"
            )
        return [line.rstrip("\r") for line in output]
