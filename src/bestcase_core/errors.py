"""Every error bestcase raises on purpose, in one place.

Each error subclasses the builtin it resembles, so callers can catch it either
way (``except FileNotFoundError`` or ``except BestcaseError``). Messages say what
was wrong and what to do next; scripts print them without a traceback.
"""

from __future__ import annotations


class BestcaseError(Exception):
    """Base of every bestcase error. ``str(err)`` is a message meant for a user."""


class ConfigError(BestcaseError, ValueError):
    """A setting or argument has a value bestcase cannot use.

    >>> Settings(vram_mb="lots")  # doctest: +SKIP
    ConfigError: BESTCASE_VRAM_MB must be a whole number of MiB, got 'lots'.
    """


class UnknownModelError(ConfigError, KeyError):
    """A model name that is neither in ``models/registry.json`` nor a path to a ``.gguf``."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ModelNotFoundError(BestcaseError, FileNotFoundError):
    """The model file is not on disk; the message names the fetch command."""


class ModelIntegrityError(BestcaseError):
    """A model file's size or sha256 differs from the registry: it is never loaded."""


class InvalidModelFileError(BestcaseError, ValueError):
    """A file that should be GGUF is not, or is truncated."""


class FetchError(BestcaseError, ConnectionError):
    """Downloading weights failed; the message names the other source to try."""


class BuildError(BestcaseError, RuntimeError):
    """llama-cpp-python cannot be built with the preset asked for on this machine."""


class ModelLoadError(BestcaseError, RuntimeError):
    """llama.cpp refused to load the model file."""


class InputFileError(BestcaseError, ValueError):
    """A source file cannot be scored: binary, not UTF-8, too large, or unreadable.

    The message names the file; a scan records it and goes on with the next one.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StorageError(BestcaseError, OSError):
    """The BestCase store cannot be read or written (full, read-only, gone)."""


class RecordNotFoundError(StorageError, FileNotFoundError):
    """No BestCase record has that id."""


class CorruptRecordError(StorageError, ValueError):
    """A BestCase file on disk is not valid JSON or not a BestCase record."""


class ScanBusyError(StorageError):
    """Another scan holds the store's scan lock; the message says to wait or stop it."""


class InvalidIdError(BestcaseError, ValueError):
    """An id or project name that could escape the store (``../``, ``/``, NUL, too long)."""


class WorkspaceError(BestcaseError, NotADirectoryError):
    """The workspace root is missing or unreadable."""


class CLIError(BestcaseError):
    """A user mistake on the command line: printed as one line, exit status 2."""
