"""The one model interface: ``fit(train) -> self`` and ``export() -> RecallOutput``.

A model learns from :class:`~recall_core.data.TrainData` only (never a test
row) and exports plain arrays. Neighbour search is not a model method: the
index (:mod:`recall_core.index`) does it with the metric the model declares.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from recall_core.errors import NotTrainedError, UnknownIdError

METRICS = ("ip", "cosine")

# progress(fraction in [0, 1], message)
Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:  # noqa: ARG001
    pass


@dataclass
class RecallOutput:
    """What a trained model exports.

    * ``item_ids`` ``(n_items,)`` str, vocabulary order.
    * ``item_vectors`` ``(n_items, d)`` float32: the item-to-item space, searched with ``metric``.
    * ``user_ids`` ``(n_users,)`` str and ``user_vectors`` ``(n_users, d_u)`` float32, optional.
    * ``candidate_vectors`` ``(n_items, d_u)`` float32, optional: the items as scored
      against users (``user @ candidate`` under ``u2i_metric``). Defaults to
      ``item_vectors``. Models whose user scoring uses another space (item2vec's
      output vectors, FM's item vector with the bias term) set it; the app then
      also offers "likely next" I2I: an item's vector against the candidates.
    * ``item_known`` ``(n_items,)`` bool, optional: items the model learned something
      about. Unknown items (never in training, for models that need an item's own
      interactions) rank below every known item and are never returned as neighbours.
    * ``extras``: named numpy arrays (EGES attention ``(n_items, n_fields)``,
      ``attention_fields`` ``(n_fields,)`` str, cold-start vectors, ...).
    * ``info``: JSON-serialisable facts (graph size, loss per epoch, ...).
    """

    item_ids: np.ndarray
    item_vectors: np.ndarray
    metric: str = "cosine"
    user_ids: np.ndarray | None = None
    user_vectors: np.ndarray | None = None
    candidate_vectors: np.ndarray | None = None
    u2i_metric: str = "ip"
    item_known: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.item_ids = np.asarray(self.item_ids, dtype=str)
        self.item_vectors = np.ascontiguousarray(self.item_vectors, dtype=np.float32)
        for name in ("user_vectors", "candidate_vectors"):
            v = getattr(self, name)
            if v is not None:
                setattr(self, name, np.ascontiguousarray(v, dtype=np.float32))
        if self.item_known is not None:
            self.item_known = np.asarray(self.item_known, dtype=bool)
            if self.item_known.shape != self.item_ids.shape:
                raise ValueError(f"item_known must be ({len(self.item_ids)},), got {self.item_known.shape}")
        if self.user_ids is not None:
            self.user_ids = np.asarray(self.user_ids, dtype=str)
        if self.metric not in METRICS or self.u2i_metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}/{self.u2i_metric!r}")
        if self.item_vectors.ndim != 2 or len(self.item_vectors) != len(self.item_ids):
            raise ValueError(f"item_vectors must be (n_items={len(self.item_ids)}, d), got {self.item_vectors.shape}")
        if (self.user_vectors is None) != (self.user_ids is None):
            raise ValueError("user_ids and user_vectors go together")
        if self.user_vectors is not None:
            cand = self.candidates
            if self.user_vectors.shape != (len(self.user_ids), cand.shape[1]):
                raise ValueError(
                    f"user_vectors must be (n_users={len(self.user_ids)}, {cand.shape[1]}), got {self.user_vectors.shape}"
                )
        if self.candidate_vectors is not None and len(self.candidate_vectors) != len(self.item_ids):
            raise ValueError(f"candidate_vectors must have {len(self.item_ids)} rows, got {self.candidate_vectors.shape}")

    @property
    def candidates(self) -> np.ndarray:
        """``(n_items, d_u)``: the vectors users are scored against."""
        return self.item_vectors if self.candidate_vectors is None else self.candidate_vectors

    @property
    def has_users(self) -> bool:
        return self.user_vectors is not None

    def user_row(self, user_id: str) -> int:
        if self.user_ids is None:
            raise UnknownIdError("this model has no user vectors")
        rows = np.flatnonzero(self.user_ids == str(user_id))
        if not len(rows):
            raise UnknownIdError(f"unknown user {user_id!r}")
        return int(rows[0])


@dataclass
class ModelConfig:
    """Fields every model shares; subclasses add theirs with documented defaults."""

    embedding_dim: int = 64
    epochs: int = 10
    seed: int = 42

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown config field(s) {unknown}; known: {sorted(names)}")
        return cls(**d)


class RecallModel:
    """Base class. Subclasses set ``name``, ``Config`` and implement ``fit`` and ``export``."""

    name: ClassVar[str] = ""
    Config: ClassVar[type[ModelConfig]] = ModelConfig
    #: one-line description shown in the app's model cards
    description: ClassVar[str] = ""

    def __init__(self, config: ModelConfig | None = None, **overrides: Any):
        cfg = config if config is not None else self.Config()
        if overrides:
            cfg = dataclasses.replace(cfg, **overrides)
        self.config = cfg
        self._output: RecallOutput | None = None

    def fit(self, train, progress: Progress = no_progress) -> "RecallModel":
        raise NotImplementedError

    def export(self) -> RecallOutput:
        if self._output is None:
            raise NotTrainedError(f"{self.name}: call fit() before export()")
        return self._output

    def save_extra_files(self, folder) -> list[str]:
        """Write files besides the arrays (e.g. a ``.keras`` network); return their names."""
        return []


REGISTRY: dict[str, type[RecallModel]] = {}


def register(cls: type[RecallModel]) -> type[RecallModel]:
    REGISTRY[cls.name] = cls
    return cls


def get_model_class(name: str) -> type[RecallModel]:
    from recall_core import models  # noqa: F401  (fills the registry)

    if name not in REGISTRY:
        raise UnknownIdError(f"unknown model {name!r}; known: {', '.join(model_names())}")
    return REGISTRY[name]


# Order shown everywhere (leaderboard rows, colours).
MODEL_ORDER = ["mostpop", "item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn"]


def model_names() -> list[str]:
    from recall_core import models  # noqa: F401

    known = [m for m in MODEL_ORDER if m in REGISTRY]
    return known + sorted(set(REGISTRY) - set(known))


def recent_mean(vectors: np.ndarray, histories: list[np.ndarray], last_n: int,
                known: np.ndarray | None = None) -> np.ndarray:
    """``(n_users, d)``: mean of the vectors of each user's last ``last_n`` items.

    ``histories``: per user, item rows in time order. With ``known``
    ``(n_items,)`` bool, items the model never trained are skipped first.
    Users with no (known) history get zeros.
    """
    out = np.zeros((len(histories), vectors.shape[1]), np.float32)
    for u, h in enumerate(histories):
        if known is not None:
            h = h[known[h]]
        if len(h):
            out[u] = vectors[h[-last_n:]].mean(axis=0)
    return out


def l2_normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Row-normalised copy (never in place)."""
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), eps)
