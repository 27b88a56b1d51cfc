"""A tiny store for the app tests: planted data as an ml-100k folder, real mostpop and item2vec,
and EGES / DSSM entries built without TensorFlow.

The EGES and DSSM entries are *stand-ins* with the exact stored form of the real
models (same arrays, extras and manifest fields), so the pages can be tested
in seconds: the page tests check rendering and interaction, not model quality.

* EGES stand-in: the real EGES export (:func:`recall_core.models.eges.eges_item_vectors`,
  ``cold_start_vectors``) applied to tables derived from item2vec: id table =
  item2vec item vectors, genre / year / popularity tables = mean item vector
  per genre / bucket, context = item2vec candidate vectors. Attention logits
  are ``[log(1 + count) - 1, 1, 0.5, 0]``: the id weight grows with the
  number of interactions, as the EGES paper claims; the recorded exposure
  (``centre_counts``, ``centre_steps``) is drawn at random, independent of the
  interactions, so the page's controlled verdict is predictable: the claim
  holds after controlling for exposure.
* DSSM stand-ins: L2-normalised item2vec user and candidate vectors (cosine),
  each temperature variant perturbed by seeded noise so variants differ.

Metrics in the manifests are real evaluations of these vectors.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

PLANTED = dict(n_clusters=4, items_per_cluster=12, users_per_cluster=20, history=10, noise=0.1, seed=0)
DSSM_TAUS = {"dssm": 0.1, "dssm@t0.05": 0.05, "dssm@t0.5": 0.5}


def _bucket_means(weights: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """``(n_buckets, d)``: weighted mean vector per bucket (``weights`` ``(n_items, n_buckets)``); 0 if empty."""
    tot = weights.sum(axis=0)[:, None]
    return np.where(tot > 0, weights.T @ vectors / np.maximum(tot, 1e-12), 0.0).astype(np.float32)


def _one_hot(idx: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((len(idx), n), np.float32)
    out[np.arange(len(idx)), idx] = 1.0
    return out


def eges_stand_in(split, item2vec):
    """An EGES :class:`RecallOutput` built from item2vec vectors through EGES's own numpy export."""
    from recall_core.features.side_info import FIELDS, side_info
    from recall_core.models.base import RecallOutput, recent_mean
    from recall_core.models.eges import cold_start_vectors, cold_start_weights, eges_item_vectors

    train = split.train
    side = side_info(train)
    v = item2vec.item_vectors
    counts = train.item_counts
    tables = {
        "id": v,
        "genre": _bucket_means(side.genre_weights, v),
        "year": _bucket_means(_one_hot(side.year_bucket, side.n_year_buckets), v),
        "popularity": _bucket_means(_one_hot(side.popularity_bucket, side.n_popularity_buckets), v),
        "attention": np.stack([np.log1p(counts) - 1.0, np.ones(len(counts)), np.full(len(counts), 0.5),
                               np.zeros(len(counts))], axis=1).astype(np.float32),
        "context": item2vec.candidates,
    }
    h, att = eges_item_vectors(tables, side)
    known = counts > 0
    rng = np.random.default_rng(1)
    centre_counts = np.where(known, rng.integers(20, 400, len(counts)), 0).astype(np.int64)
    cs_weights = cold_start_weights(att, known)
    cold = cold_start_vectors(tables, side, cs_weights)
    item_vectors = np.where(known[:, None], h, cold)
    return RecallOutput(
        item_ids=train.item_vocab.ids, item_vectors=item_vectors, pair_query_vectors=item_vectors, metric="cosine",
        item_known=known, user_ids=train.user_vocab.ids,
        user_vectors=recent_mean(h, train.histories(), 3, known), candidate_vectors=tables["context"],
        u2i_metric="ip",
        extras={"attention": att, "attention_fields": np.asarray(FIELDS, dtype=str), "cold_start_vectors": cold,
                "cold_start_field_weights": cs_weights, "genre_embeddings": tables["genre"], "genre_names": side.genre_names,
                "year_embeddings": tables["year"], "year_edges": side.year_edges,
                "popularity_embeddings": tables["popularity"], "popularity_edges": side.popularity_edges,
                "centre_counts": centre_counts, "centre_steps": np.minimum(centre_counts // 4, 60)},
        info={"stand_in": "app test fixture built from item2vec", "attention_fields": list(FIELDS),
              "exposure": {"steps": 60}},
    )


def dssm_stand_in(split, item2vec, tau: float, noise: float):
    from recall_core.models.base import RecallOutput, l2_normalize

    rng = np.random.default_rng(int(round(tau * 1000)))
    cand = item2vec.candidates
    cand = cand + noise * rng.normal(size=cand.shape).astype(np.float32) * np.abs(cand).mean()
    return RecallOutput(
        item_ids=item2vec.item_ids, item_vectors=l2_normalize(cand), metric="cosine",
        user_ids=item2vec.user_ids, user_vectors=l2_normalize(item2vec.user_vectors), u2i_metric="cosine",
        item_known=split.train.item_counts > 0,
        info={"temperature": tau, "stand_in": "app test fixture built from item2vec"},
    )


def build_tiny_store(root: Path, with_extras: bool = True) -> tuple[Path, Path]:
    """Write the planted dataset to ``root/ml-tiny`` and a store to ``root/store``; return both paths.

    ``with_extras``: also store the EGES and DSSM stand-ins (three temperatures; :func:`add_stand_ins`).
    The test session builds each kind once (tests/conftest.py) and hands out copies (:func:`copy_store`).
    """
    from recall_core.data.planted import planted_dataset, write_movielens
    from recall_core.training import train_models

    root = Path(root)
    folder = write_movielens(planted_dataset(**PLANTED), root / "ml-tiny", "ml-100k")
    store = root / "store"
    train_models(str(folder), ["mostpop", "item2vec"], store, seed=42)
    if with_extras:
        add_stand_ins(folder, store)
    return folder, store


def add_stand_ins(folder: Path, store: Path) -> None:
    """Store the EGES stand-in and the three DSSM stand-ins (:data:`DSSM_TAUS`) beside the stored item2vec."""
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import evaluate, evaluate_i2i
    from recall_core.store import load_model, save_model

    ds = load_dataset(str(folder))
    split = split_for(ds)
    i2v = load_model(store, ds.key, "item2vec").output
    out = eges_stand_in(split, i2v)
    save_model(store, ds, "eges", out, model_class="eges", config={"embedding_dim": int(out.item_vectors.shape[1])},
               seed=42, metrics=evaluate(out, split), i2i_metrics=evaluate_i2i(out, split), train_seconds=0.0)
    for i, (name, tau) in enumerate(DSSM_TAUS.items()):
        out = dssm_stand_in(split, i2v, tau, noise=0.0 if name == "dssm" else 0.6)
        save_model(store, ds, name, out, model_class="dssm", config={"temperature": tau}, seed=42,
                   metrics=evaluate(out, split), train_seconds=0.0,
                   extra={"variant_of": "dssm" if name != "dssm" else None})


def copy_store(source: tuple[Path, Path], root: Path) -> tuple[Path, Path]:
    """``(dataset folder, store)``: ``source``'s dataset folder (shared: read it, copy it before changing it) and
    a copy of ``source``'s store at ``root/store``, a store of its own in the state ``source`` was built in.

    A copy is what a fresh build would give (the builds are seeded; the manifests name the dataset folder, which
    the copy shares) at a fraction of its cost, and its new path keeps Streamlit's in-process caches (keyed by
    the store's path) as cold as a fresh build's.
    """
    import shutil

    folder, store = Path(source[0]), Path(source[1])
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(store, root / "store")
    return folder, root / "store"


def damage(store: Path, dataset_key: str, name: str) -> None:
    """Overwrite a stored model's arrays with garbage (a damaged download or disk)."""
    from recall_core.store import live_dir

    (live_dir(Path(store), dataset_key, name) / "arrays.npz").write_bytes(b"not an npz file")


if __name__ == "__main__":  # build a store to look at: python -m tests.app_fixture /tmp/tiny
    import sys

    f, s = build_tiny_store(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/app_tiny"))
    print(f"RECALL_DATASET={f} RECALL_STORE={s}")


#: Small real FM and YouTubeDNN settings for the page tests (2 epochs: rendering, not model quality).
SMALL_TOWERS = {"epochs": 2, "embedding_dim": 8, "batch_size": 64, "history_len": 5}


def add_real_models(folder: Path, store: Path) -> None:
    """Train and store real Airbnb, FM and YouTubeDNN models on the tiny store (a few seconds), so every
    model class has a stored model (the How page's sections)."""
    from recall_core.training import TrainJob, train_models

    train_models(str(folder), ["airbnb", TrainJob("fm", overrides=SMALL_TOWERS),
                               TrainJob("youtubednn", overrides={**SMALL_TOWERS, "hidden": (16,), "field_dim": 4})],
                 store, seed=42)

