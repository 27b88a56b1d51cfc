"""The project's own exception types.

Each is raised at a boundary (a file, a CLI argument, a stored folder) with
what was expected and what was received, so the CLI and the app can show the
message as it is, without a traceback.
"""


class RecallError(Exception):
    """Base class: every error the CLI and the app turn into a plain message."""


class DataError(RecallError):
    """A data file is missing, empty or malformed (the message names file, line and field)."""


class UnknownIdError(RecallError, KeyError):
    """An item, user or model name that is not known."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotTrainedError(RecallError):
    """A model was asked for vectors before it was fitted, or is not in the store."""


class StoreError(RecallError):
    """A stored model folder is damaged or does not match the dataset."""


class UsageError(RecallError):
    """A command-line argument, URL parameter or function argument the user gave is not valid."""


class ConfigError(RecallError, ValueError):
    """A model configuration field has a value the model cannot train with."""


class AccessError(RecallError):
    """A write refused on a server in viewer mode (:mod:`recall_core.access`), or a judge writing faster than the
    allowed rate (:mod:`recall_core.judge.judges`)."""


class RateLimitError(AccessError):
    """A judge's session writing faster than :data:`recall_core.judge.judges.RATE_LIMIT` per second."""
