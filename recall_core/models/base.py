"""The one model interface: ``fit(train) -> self`` and ``export() -> RecallOutput``.

A model learns from :class:`~recall_core.data.TrainData` only (never a test
row) and exports plain arrays. Neighbour search is not a model method: the
index (:mod:`recall_core.index`) does it with the metric the model declares.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from recall_core.errors import ConfigError, NotTrainedError, UnknownIdError

METRICS = ("ip", "cosine")
#: Views of a trained model, in display order (see :meth:`RecallOutput.view_arrays`).
VIEWS = ("similar", "cooccur", "user")

# progress(fraction in [0, 1], message)
Progress = Callable[[float, str], None]
# on_epoch(epoch, snapshot) -> stop: called by an epoch-based model's fit after each epoch (1-based); snapshot()
# exports the model as it is after that epoch (a RecallOutput, computed only if called); True stops training there
EpochCallback = Callable[[int, Callable[[], "RecallOutput"]], bool]


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
      output vectors, FM's item vector with the bias term) set it.
    * ``pair_query_vectors`` ``(n_items, d_u)`` float32, optional: an item as the
      *centre* of the pair score the model was trained on, scored against
      ``candidate_vectors`` (the *context* side) under ``u2i_metric``. Set by the
      skip-gram models (input vectors against output vectors); it defines the
      ``cooccur`` view. Skip-gram windows are symmetric, so this score means
      "co-occurs with", not "comes next".
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
    pair_query_vectors: np.ndarray | None = None
    item_known: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.item_ids = np.asarray(self.item_ids, dtype=str)
        self.item_vectors = np.ascontiguousarray(self.item_vectors, dtype=np.float32)
        for name in ("user_vectors", "candidate_vectors", "pair_query_vectors"):
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
        if self.pair_query_vectors is not None and self.pair_query_vectors.shape != self.candidates.shape:
            raise ValueError(f"pair_query_vectors must be {self.candidates.shape} like the candidates, "
                             f"got {self.pair_query_vectors.shape}")

    @property
    def candidates(self) -> np.ndarray:
        """``(n_items, d_u)``: the vectors users are scored against."""
        return self.item_vectors if self.candidate_vectors is None else self.candidate_vectors

    @property
    def has_users(self) -> bool:
        return self.user_vectors is not None

    @property
    def views(self) -> tuple[str, ...]:
        """The views this output offers, in display order: ``similar`` always,
        ``cooccur`` with pair-query vectors, ``user`` with user vectors."""
        return tuple(v for v in VIEWS if v == "similar" or (v == "cooccur" and self.pair_query_vectors is not None)
                     or (v == "user" and self.has_users))

    def view_arrays(self, view: str) -> tuple[np.ndarray, np.ndarray, str]:
        """``(queries, keys, metric)`` of a view: the one place that says which vectors score which.

        * ``similar``: item vectors against item vectors under ``metric``;
        * ``cooccur``: pair-query vectors against candidate vectors under ``u2i_metric``;
        * ``user``: user vectors against candidate vectors under ``u2i_metric``.

        Raises :class:`UnknownIdError` when the output does not offer ``view``.
        """
        if view not in VIEWS:
            raise UnknownIdError(f"unknown view {view!r}; known: {', '.join(VIEWS)}")
        if view not in self.views:
            what = {"cooccur": "no co-occurrence view (it was not trained on item-context pairs)",
                    "user": "no user vectors (an item-to-item model)"}[view]
            raise UnknownIdError(f"this model has {what}")
        if view == "similar":
            return self.item_vectors, self.item_vectors, self.metric
        queries = self.pair_query_vectors if view == "cooccur" else self.user_vectors
        return queries, self.candidates, self.u2i_metric

    def user_row(self, user_id: str) -> int:
        if self.user_ids is None:
            raise UnknownIdError("this model has no user vectors")
        rows = np.flatnonzero(self.user_ids == str(user_id))
        if not len(rows):
            raise UnknownIdError(f"unknown user {user_id!r}")
        return int(rows[0])


def _type_ok(value: Any, tp: Any) -> bool:
    """Does ``value`` fit the annotation ``tp`` (int, float, bool, str, Literal, X | None, tuple[...])?"""
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if origin is Literal:
        return value in typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, (bool, np.bool_))
    if tp is int:
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if tp is float:
        return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
                and math.isfinite(float(value)))
    if tp is str:
        return isinstance(value, str)
    if origin in (tuple, list):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return isinstance(value, (tuple, list)) and all(any(_type_ok(v, a) for a in args) or not args for v in value)
    return True


def _describe(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


@dataclass
class ModelConfig:
    """Fields every model shares; subclasses add theirs with documented defaults.

    Every field is checked when the config is built (``__post_init__``): its
    type (``Literal`` fields against their choices, numbers finite) and the
    ranges of :meth:`check`. A bad value raises :class:`ConfigError` naming
    the config, the field, the value and what is expected.
    """

    embedding_dim: int = 64
    epochs: int = 10
    seed: int = 42

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value, tp = getattr(self, f.name), hints.get(f.name, Any)
            if not _type_ok(value, tp):
                raise ConfigError(f"{type(self).__name__}.{f.name}: got {value!r}, expected {_describe(tp)}")
        self.check()

    def check(self) -> None:
        """Ranges; subclasses extend it (call ``super().check()``) with :meth:`require`."""
        self.require("embedding_dim", self.embedding_dim >= 1, "at least 1")
        self.require("epochs", self.epochs >= 1, "at least 1")
        self.require("seed", self.seed >= 0, "a non-negative integer")

    def require(self, name: str, ok: bool, expected: str) -> None:
        if not ok:
            raise ConfigError(f"{type(self).__name__}.{name}: got {getattr(self, name)!r}, expected {expected}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        """Rebuild a config from its :meth:`to_dict` form (a manifest's ``config``), checked."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ConfigError(f"{cls.__name__}: unknown config field(s) {unknown}; known: {sorted(names)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


class RecallModel:
    """Base class. Subclasses set ``name``, ``Config`` and implement ``fit`` and ``export``.

    Every fact about a model that a page, the CLI or the bench needs lives here,
    once, as a class attribute: its display ``order``, its ``color``, whether its
    item space is meant for I2I (``i2i``), its place in the maps' preference
    (``map_rank``) and one true sentence per view (``view_notes``).
    """

    name: ClassVar[str] = ""
    Config: ClassVar[type[ModelConfig]] = ModelConfig
    #: one-line description shown in the app's model cards
    description: ClassVar[str] = ""
    #: display order everywhere (leaderboard rows, legends, pickers): lower first
    order: ClassVar[int] = 100
    #: hex colour, the same on every page and chart
    color: ClassVar[str] = "#7f3c8d"
    #: the item space is meant for item-to-item recall (its I2I evaluation is reported)
    i2i: ClassVar[bool] = False
    #: which training lane the model takes when ``train`` runs lanes side by side
    #: (:mod:`recall_core.training.lanes`): ``"cpu"`` (gensim / numpy, one core) or ``"tensorflow"``
    lane: ClassVar[str] = "cpu"
    #: preference for the embedding maps' default choice (lower first; None = never a default)
    map_rank: ClassVar[int | None] = None
    #: per view (:data:`VIEWS`): which vectors, which similarity, and why, in one sentence
    view_notes: ClassVar[dict[str, str]] = {}
    #: per config field: ``{value: phrase}`` saying which variant of the method a value is, and how it
    #: relates to the tutorial or the paper; the key ``None`` matches any other value (``{field}`` is filled)
    variant_notes: ClassVar[dict[str, dict[Any, str]]] = {}
    #: config fields whose value ``"auto"`` ``fit`` settles by the catalogue size: ``{field: (value below
    #: SAMPLED_SOFTMAX_MIN_ITEMS items, value from there)}`` (:mod:`recall_core.models._softmax`); ``fit``
    #: records the value it used in ``info[f"{field}_used"]`` and why in ``info[f"{field}_auto"]``
    auto_fields: ClassVar[dict[str, tuple[str, str]]] = {}
    #: what ``python -m recall_core tune`` may change, ``{config field: Int | Float | Choice}``
    #: (:mod:`recall_core.tuning.space`); every default lies inside it. Empty: not tunable (a reference).
    search_space: ClassVar[dict[str, Any]] = {}

    @classmethod
    def describe_variant(cls, config: dict | None = None, info: dict | None = None,
                         phrase: Callable[[str, Any, str], str] | None = None,
                         reason: Callable[[str], str] | None = None) -> list[str]:
        """Phrases naming the stored variant (:attr:`variant_notes` for ``config``, defaults filled in).

        With ``info`` (what ``fit`` recorded), an :attr:`auto_fields` field left at ``"auto"`` is named
        by the value it resolved to: ``"auto → <that value's phrase>; <why>"``.

        ``phrase(field, key, english)`` words one phrase (``key``: the :attr:`variant_notes` key that
        matched, ``None`` for the catch-all) and ``reason(why)`` the recorded ``"auto"`` reason; both
        default to the English here (the app passes its translations: ``recall_core.app.i18n.core_texts``).
        """
        phrase = phrase or (lambda field, key, english: english)
        reason = reason or (lambda why: why)
        cfg = {**dataclasses.asdict(cls.Config()), **(config or {})}
        info = info or {}
        out = []
        for name, phrases in cls.variant_notes.items():
            value = cfg.get(name)
            value = tuple(value) if isinstance(value, list) else value
            key = value if value in phrases else None
            text = phrases.get(key)
            text = phrase(name, key, text) if text else text
            used = info.get(f"{name}_used") if name in cls.auto_fields and value == "auto" else None
            if used is not None and phrases.get(used):
                why = info.get(f"{name}_auto")
                text = f"auto → {phrase(name, used, phrases[used])}" + (f"; {reason(why)}" if why else "")
            if text:
                out.append(text.format(**cfg))
        return out

    def resolve_auto(self, field: str, n_items: int) -> tuple[str, dict]:
        """``(value fit trains with, info entries)`` for an :attr:`auto_fields` ``field``: the config's value,
        or for ``"auto"`` the one chosen by the catalogue size; the entries are ``{f"{field}_used": value}``
        and, for ``"auto"``, ``{f"{field}_auto": why}`` (what :meth:`describe_variant` reads)."""
        from recall_core.models._softmax import auto_reason, resolve_softmax

        chosen = getattr(self.config, field)
        value = resolve_softmax(chosen, n_items, *self.auto_fields[field])
        return value, {f"{field}_used": value, **({f"{field}_auto": auto_reason(n_items)} if chosen == "auto" else {})}

    @classmethod
    def used_config(cls, config: dict | None = None, info: dict | None = None, n_items: int | None = None) -> dict:
        """The config ``fit`` runs with: ``config`` over the defaults, each :attr:`auto_fields` field left at
        ``"auto"`` replaced by the value ``info`` records, else (given ``n_items``, the training catalogue's
        size) the value ``fit`` would choose; it stays ``"auto"`` when neither is given."""
        from recall_core.models._softmax import resolve_softmax

        cfg = {**dataclasses.asdict(cls.Config()), **(config or {})}
        for name, (full, sampled) in cls.auto_fields.items():
            if cfg.get(name) != "auto":
                continue
            if (info or {}).get(f"{name}_used") is not None:
                cfg[name] = info[f"{name}_used"]
            elif n_items is not None:
                cfg[name] = resolve_softmax("auto", n_items, full, sampled)
        return cfg

    def __init__(self, config: ModelConfig | None = None, **overrides: Any):
        cfg = config if config is not None else self.Config()
        if overrides:
            unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(cfg)})
            if unknown:
                raise ConfigError(f"{type(cfg).__name__}: unknown config field(s) {unknown}")
            cfg = dataclasses.replace(cfg, **overrides)
        self.config = cfg
        self._output: RecallOutput | None = None

    @classmethod
    def describe_views(cls, config: dict | None = None,
                       note: Callable[[str, str], str] | None = None) -> dict[str, str]:
        """``{view: sentence}`` for :attr:`view_notes`, with ``{field}`` filled from ``config``.

        ``note(view, english)`` words a sentence (default: the English here; the app passes its translation).
        """
        note = note or (lambda view, english: english)
        cfg = {**dataclasses.asdict(cls.Config()), **(config or {})}
        return {v: note(v, english).format(**cfg) for v, english in cls.view_notes.items()}

    def fit(self, train, progress: Progress = no_progress, on_epoch: EpochCallback | None = None) -> "RecallModel":
        """Learn from ``train``. Models trained in epochs call ``on_epoch`` after each one (:data:`EpochCallback`):
        validation-based early stopping and pruning (:mod:`recall_core.tuning`) watch the model through it."""
        raise NotImplementedError

    def export(self) -> RecallOutput:
        if self._output is None:
            raise NotTrainedError(f"{self.name}: call fit() before export()")
        return self._output


REGISTRY: dict[str, type[RecallModel]] = {}


def register(cls: type[RecallModel]) -> type[RecallModel]:
    REGISTRY[cls.name] = cls
    return cls


def get_model_class(name: str) -> type[RecallModel]:
    from recall_core import models  # noqa: F401  (fills the registry)

    if name not in REGISTRY:
        raise UnknownIdError(f"unknown model {name!r}; known: {', '.join(model_names())}")
    return REGISTRY[name]


def find_model_class(name: str | None) -> type[RecallModel] | None:
    """The registered class called ``name`` (a stored variant's ``base@...`` name works), or None."""
    from recall_core import models  # noqa: F401  (fills the registry)

    return REGISTRY.get(str(name or "").split("@")[0])


def model_names() -> list[str]:
    """Registered model names in display order (:attr:`RecallModel.order`, then name)."""
    from recall_core import models  # noqa: F401

    return sorted(REGISTRY, key=lambda n: (REGISTRY[n].order, n))


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
