"""workbench: translate, align, review and export comparable multilingual news."""

__version__ = "0.1.0"
