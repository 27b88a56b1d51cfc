"""Full or sampled softmax: the catalogue size from which FM and YouTubeDNN sample (their ``"auto"`` setting).

A full softmax scores every item at every step: ``O(B · n_items · d)`` per batch
(FM also runs its item tower over the whole catalogue), so its cost grows with
the catalogue while a sampled softmax's (``B`` targets + ``num_sampled`` shared
negatives) does not. Below :data:`SAMPLED_SOFTMAX_MIN_ITEMS` items the full one
is kept: it is exact and, where both were measured, better on validation
(BENCHMARKS.md, *Softmax switch*; for YouTubeDNN also *Ablations*, "softmax").
DSSM needs no switch: its default
in-batch softmax already costs ``O(B²)`` per step whatever the catalogue size.

No TensorFlow here: the app describes a stored model's variant with it.
"""
from __future__ import annotations

#: Catalogue size (items) from which ``"auto"`` trains FM and YouTubeDNN with the sampled softmax; below it,
#: with the full one. Set by `make softmax-switch` (bench/softmax_switch.py; the rows behind it: BENCHMARKS.md,
#: *Softmax switch*). Its rule: the smallest measured catalogue from which on the full softmax's training
#: epoch costs at least twice the sampled one's for both models, and above every measured size where the
#: sampled softmax's validation HR@10 was more than 2% below the full one's for either (the block says which
#: sizes that kept, and where the cost half alone would switch).
SAMPLED_SOFTMAX_MIN_ITEMS = 30_000


def resolve_softmax(choice: str, n_items: int, full: str, sampled: str) -> str:
    """The softmax ``fit`` trains with: ``choice`` itself, or for ``"auto"`` ``full`` below
    :data:`SAMPLED_SOFTMAX_MIN_ITEMS` items and ``sampled`` at or above it (read at call time)."""
    if choice != "auto":
        return choice
    return sampled if n_items >= SAMPLED_SOFTMAX_MIN_ITEMS else full


#: The sentence :func:`auto_reason` records (the app words the same numbers in Chinese).
AUTO_REASON = "catalogue {n:,} items {op} {threshold:,}"


def auto_reason(n_items: int) -> str:
    """Why ``"auto"`` chose what it did, for the model card: ``"catalogue 1,682 items < 30,000"``."""
    op = "≥" if n_items >= SAMPLED_SOFTMAX_MIN_ITEMS else "<"
    return AUTO_REASON.format(n=n_items, op=op, threshold=SAMPLED_SOFTMAX_MIN_ITEMS)


def parse_auto_reason(why: str) -> dict | None:
    """``{"n", "op", "threshold"}`` of an :func:`auto_reason` sentence a manifest recorded (``op``: ``"<"`` or
    ``"≥"``), or None for any other text (the app words the numbers in the reader's language)."""
    import re

    m = re.fullmatch(r"catalogue ([\d,]+) items ([<≥]) ([\d,]+)", str(why))
    return {"n": int(m[1].replace(",", "")), "op": m[2], "threshold": int(m[3].replace(",", ""))} if m else None


def auto_phrase(full: str, sampled: str) -> str:
    """The variant phrase of ``"auto"`` before training (``full``/``sampled``: how to name each)."""
    return f"auto: {full} below {SAMPLED_SOFTMAX_MIN_ITEMS:,} items, {sampled} from there"
