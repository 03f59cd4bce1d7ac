"""Alignment data: links between sentence ids, alignment files, and edit operations."""

from workbench.store.files import load_alignment, save_alignment
from workbench.store.model import Alignment, Flag, Link, Status

__all__ = ["Alignment", "Flag", "Link", "Status", "load_alignment", "save_alignment"]
