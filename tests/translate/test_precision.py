"""Numeric precision per backend and device: defaults for 'auto', errors for unknown values."""

from __future__ import annotations

import pytest

from workbench.errors import ConfigError
from workbench.translate.backends import backend_class


@pytest.mark.parametrize(
    ("backend", "device", "expected"),
    [
        ("ctranslate2", "cpu", "int8"),
        ("ctranslate2", "cuda", "float16"),
        ("transformers", "cpu", "float32"),
        ("transformers", "cuda", "float16"),
    ],
)
def test_auto_picks_the_device_default(backend, device, expected):
    assert backend_class(backend).precision("auto", "auto", device) == expected


def test_unknown_precision_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown ctranslate2 compute type 'int3'"):
        backend_class("ctranslate2").precision("auto", "int3", "cpu")
    with pytest.raises(ConfigError, match="unknown transformers dtype 'float8'"):
        backend_class("transformers").precision("float8", "auto", "cpu")
