"""Backend ``command``: any program that reads one sentence per line on stdin and writes one
translation per line on stdout (``marian-decoder``, a script calling a service, a lookup).

The command runs once per batch through the shell, with ``WORKBENCH_SRC_LANG`` and
``WORKBENCH_TGT_LANG`` set. A non-zero exit or a different number of lines stops the job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

from workbench.errors import WorkbenchError
from workbench.translate.backends import LoadRequest, Translator, register_backend


class CommandFailed(WorkbenchError):
    """The external translation program failed or broke the one-line-per-sentence contract."""


@register_backend("command")
class CommandTranslator(Translator):
    needs_model_dir = False

    def __init__(self, command: str, env: dict[str, str], timeout: float | None = None):
        self.command = command
        self.env = env
        self.timeout = timeout

    @classmethod
    def load(cls, request: LoadRequest) -> CommandTranslator:
        assert request.spec.command is not None
        env = {
            **os.environ,
            "WORKBENCH_SRC_LANG": request.src_lang,
            "WORKBENCH_TGT_LANG": request.tgt_lang,
        }
        return cls(request.spec.command, env, request.timeout)

    def _run(self, data: bytes) -> tuple[int, bytes, bytes]:
        """Run the command in its own process group; on timeout the whole group is killed
        (a shell's children too), so nothing is left running."""
        try:
            proc = subprocess.Popen(
                self.command,
                shell=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                start_new_session=True,
            )
        except OSError as exc:
            raise CommandFailed(f"command backend: cannot run `{self.command}`: {exc}") from None
        try:
            out, err = proc.communicate(data, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise CommandFailed(
                f"command backend: `{self.command}` gave no answer within {self.timeout:g} s "
                "and was stopped (raise [translate] command_timeout or --command-timeout); "
                "nothing from this batch was kept"
            ) from None
        return proc.returncode, out, err

    def translate_batch(self, texts: list[str]) -> list[str]:
        lines = [" ".join(t.splitlines()) for t in texts]  # one sentence, one line
        code, out, err = self._run("".join(line + "\n" for line in lines).encode("utf-8"))
        if code != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            detail = (message or ["no message on stderr"])[-1]
            raise CommandFailed(
                f"command backend: `{self.command}` exited with status {code} ({detail}); "
                "nothing from this batch was kept"
            )
        output = out.split(b"\n")  # "\n" ends a line; a lone "\r" inside one does not
        if output and output[-1] == b"":
            output.pop()
        if len(output) != len(lines):
            raise CommandFailed(
                f"command backend: `{self.command}` wrote {len(output)} lines for {len(lines)} input "
                "lines (it must write exactly one translation per line); nothing from this batch was kept"
            )
        return [_decode(line, self.command, number) for number, line in enumerate(output, 1)]


def _decode(line: bytes, command: str, number: int) -> str:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandFailed(
            f"command backend: `{command}` wrote bytes that are not UTF-8 on output line "
            f"{number} (byte {exc.start + 1}); nothing from this batch was kept"
        ) from None
    return text.removesuffix("\r").replace("\r", " ")
