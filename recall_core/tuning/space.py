"""Search spaces: what a model class declares it may be tuned over (:attr:`RecallModel.search_space`).

A space is ``{config field: Int | Float | Choice}``, written on the model class
(one home: the class), e.g. ``{"epochs": Int(5, 40), "alpha": Float(0.005, 0.1,
log=True), "hidden": Choice((128,), (256, 128))}``. Every field's default value
lies inside its range (a test checks it), so the default configuration can be
the study's first trial. ``epochs`` is the *most* a trial trains: early stopping
on validation keeps the best epoch (:mod:`recall_core.tuning.study`).

No Optuna here (models import this module at class definition, and the app
must start without Optuna): :meth:`Param.distribution` imports it when a study
asks.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any


class Param:
    """One dimension of a search space."""

    def distribution(self):  # pragma: no cover (abstract)
        """The Optuna distribution sampled for this field."""
        raise NotImplementedError

    def contains(self, value: Any) -> bool:  # pragma: no cover (abstract)
        raise NotImplementedError

    def encode(self, value: Any) -> Any:
        """The value as Optuna stores it (tuples become ``"256,128"`` strings)."""
        return value

    def decode(self, value: Any) -> Any:
        """The config value of a stored parameter (inverse of :meth:`encode`)."""
        return value

    def describe(self) -> str:  # pragma: no cover (abstract)
        raise NotImplementedError


@dataclass(frozen=True)
class Int(Param):
    """Whole numbers ``low..high`` (both included), on a log scale with ``log``."""

    low: int
    high: int
    log: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.low, int) and isinstance(self.high, int) and self.low <= self.high):
            raise ValueError(f"Int({self.low!r}, {self.high!r}): need whole numbers with low <= high")
        if self.log and self.low < 1:
            raise ValueError(f"Int({self.low}, {self.high}, log=True): a log scale needs low >= 1")

    def distribution(self):
        from optuna.distributions import IntDistribution

        return IntDistribution(self.low, self.high, log=self.log)

    def contains(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high

    def describe(self) -> str:
        return f"{self.low}..{self.high}" + (" (log)" if self.log else "")


@dataclass(frozen=True)
class Float(Param):
    """Real numbers in ``[low, high]``, on a log scale with ``log``."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"Float({self.low!r}, {self.high!r}): need finite numbers with low < high")
        if self.log and self.low <= 0:
            raise ValueError(f"Float({self.low}, {self.high}, log=True): a log scale needs low > 0")

    def distribution(self):
        from optuna.distributions import FloatDistribution

        return FloatDistribution(float(self.low), float(self.high), log=self.log)

    def contains(self, value: Any) -> bool:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and self.low <= float(value) <= self.high)

    def decode(self, value: Any) -> Any:
        return float(value)

    def describe(self) -> str:
        return f"{self.low:g}..{self.high:g}" + (" (log)" if self.log else "")


class Choice(Param):
    """One of a few values (numbers, strings, booleans or tuples such as layer widths)."""

    def __init__(self, *values: Any):
        if len(values) < 2:
            raise ValueError("Choice needs at least two values")
        self.values = tuple(tuple(v) if isinstance(v, list) else v for v in values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Choice) and self.values == other.values

    def __hash__(self) -> int:
        return hash(self.values)

    def __repr__(self) -> str:
        return f"Choice{self.values!r}"

    def encode(self, value: Any) -> Any:
        value = tuple(value) if isinstance(value, list) else value
        return ",".join(map(str, value)) if isinstance(value, tuple) else value

    def decode(self, value: Any) -> Any:
        for v in self.values:
            if self.encode(v) == value:
                return v
        raise ValueError(f"{value!r} is not one of {self.values!r}")

    def distribution(self):
        from optuna.distributions import CategoricalDistribution

        return CategoricalDistribution([self.encode(v) for v in self.values])

    def contains(self, value: Any) -> bool:
        value = tuple(value) if isinstance(value, list) else value
        number = (int, float)
        return any(value == v and (type(value) is type(v) or (isinstance(value, number) and isinstance(v, number)
                                                              and bool not in (type(value), type(v))))
                   for v in self.values)

    def describe(self) -> str:
        return " | ".join(str(self.encode(v)) for v in self.values)


SearchSpace = dict[str, Param]


def distributions(space: SearchSpace) -> dict:
    """``{field: Optuna distribution}`` of a space (imports Optuna)."""
    return {name: p.distribution() for name, p in space.items()}


def encode(space: SearchSpace, config: dict) -> dict:
    """The space's fields of ``config`` as Optuna parameters (what trial 0 is enqueued with)."""
    return {name: p.encode(config[name]) for name, p in space.items()}


def decode(space: SearchSpace, params: dict) -> dict:
    """Config overrides from a trial's parameters."""
    return {name: space[name].decode(v) for name, v in params.items() if name in space}


def signature(space: SearchSpace) -> str:
    """A stable text of the space (stored with a study: a resumed study must search the same space)."""
    return json.dumps({name: [type(p).__name__, p.describe()] for name, p in sorted(space.items())}, sort_keys=True)


__all__ = ["Choice", "Float", "Int", "Param", "SearchSpace", "decode", "distributions", "encode", "signature"]
