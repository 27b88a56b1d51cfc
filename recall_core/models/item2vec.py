"""Item2Vec: gensim skip-gram with negative sampling over training histories."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from recall_core.models.base import (
    ModelConfig, RecallModel, RecallOutput, l2_normalize, no_progress, recent_mean, register,
)
from recall_core.tuning.space import Choice, Float, Int


def stable_hash(s: str) -> int:
    """Process-independent hash for gensim's vector seeding.

    gensim seeds each word vector with ``hashfxn(word + str(seed))``; the
    default ``hash`` is salted per process (PYTHONHASHSEED), which would make
    the same seed give different vectors in two runs.
    """
    return zlib.crc32(s.encode("utf-8"))


@dataclass
class Item2VecConfig(ModelConfig):
    """Skip-gram settings (gensim names in brackets).

    ``context``: ``"sequence"`` (each history in time order, a window of
    ``window`` films on each side) or ``"set"`` (the paper's and the tutorial's
    view: a history is an unordered set, every other film of it is context; the
    history is shuffled each epoch and the window spans all of it). The set
    view costs O(L²) per history of length L, so a history longer than
    ``set_chunk`` is cut, after each epoch's shuffle, into chunks of at most
    that many films: every epoch pairs a film with a different random
    ``set_chunk`` of its history.
    ``ns_exponent``: the negative-sampling distribution's exponent (0 =
    uniform over films, gensim's default 0.75 favours popular films);
    ``sample``: gensim's down-sampling of frequent films (0 = off). Each of
    these choices is measured by `make ablations` (BENCHMARKS.md, ablation table).
    ``user_last_n``: how many of the most recent training items form the user
    vector.
    """

    embedding_dim: int = 64  # [vector_size]
    epochs: int = 20
    context: Literal["sequence", "set"] = "sequence"
    set_chunk: int = 50
    window: int = 5
    negative: int = 10
    ns_exponent: float = 0.0
    sample: float = 0.0  # no frequent-item down-sampling: popular films are the signal here
    alpha: float = 0.025
    user_last_n: int = 3

    def check(self) -> None:
        super().check()
        self.require("window", self.window >= 1, "at least 1")
        self.require("set_chunk", self.set_chunk >= 2, "at least 2")
        self.require("negative", self.negative >= 1, "at least 1")
        self.require("sample", self.sample >= 0, ">= 0")
        self.require("alpha", self.alpha > 0, "> 0")
        self.require("user_last_n", self.user_last_n >= 1, "at least 1")


@register
class Item2Vec(RecallModel):
    """Item2Vec (Barkan & Koenigstein, 2016) with gensim.

    Scoring (see :attr:`view_notes`): I2I "similar" neighbours are cosine
    between the sums of the normalised input and output vectors. "Co-occurs
    with" scores an item's input vector against the *output* (context)
    vectors, the skip-gram's own score; U2I scores the mean of the user's last
    ``user_last_n`` input vectors the same way. The window is symmetric, so the
    score means "co-occurs with", not "comes next".
    """

    name = "item2vec"
    order = 10
    color = "#0072B2"
    i2i = True
    map_rank = 0
    view_notes = {
        "similar": "Cosine between each film's normalised input vector plus its normalised output vector "
                   "(l2n(in) + l2n(out)); not the trained score, chosen because input vectors alone put rarely "
                   "seen films next to everything (the I2I-space table in BENCHMARKS.md compares them).",
        "cooccur": "Input vector · output vector (ip): the skip-gram's own trained score; the window is "
                   "symmetric, so it means 'co-occurs with' (within the window, before or after), not 'comes next'.",
        "user": "Mean input vector of the user's last {user_last_n} films · output vectors (ip): the skip-gram "
                "score of co-occurring with the recent films.",
    }
    variant_notes = {
        "context": {"sequence": "history as a sequence, window {window} (the paper and the tutorial: a set)",
                    "set": "history as an unordered set, as in the paper and the tutorial"},
        "ns_exponent": {0.0: "uniform negatives (gensim's default: ∝ frequency^0.75)",
                        None: "negatives ∝ frequency^{ns_exponent:g}"},
    }
    description = "gensim skip-gram over each user's time-ordered history; user = mean of last items."
    Config = Item2VecConfig
    # epochs also sets the learning-rate schedule (alpha decays to 0.0001 over them); the history as a set
    # costs O(L²) per history and is left out
    search_space = {
        "epochs": Int(5, 40), "embedding_dim": Choice(32, 64, 128), "window": Int(1, 10), "negative": Int(2, 20),
        "alpha": Float(0.005, 0.1, log=True), "ns_exponent": Float(-0.5, 1.0), "sample": Choice(0.0, 1e-4, 1e-3),
        "user_last_n": Int(1, 10),
    }

    def fit(self, train, progress=no_progress, on_epoch=None):
        from gensim.models import Word2Vec

        c = self.config
        ids = train.item_vocab.ids
        histories = train.histories()
        sentences = [[ids[i] for i in h] for h in histories if len(h)]
        if not any(len(h) >= 2 for h in sentences):
            from recall_core.errors import DataError

            raise DataError("item2vec: no training pairs: every user's training history has a single film")
        progress(0.05, f"item2vec: {len(sentences)} histories")
        as_set = c.context == "set"
        window = min(max(map(len, sentences), default=1), c.set_chunk) if as_set else c.window
        model = Word2Vec(
            vector_size=c.embedding_dim, window=window, sg=1, hs=0, negative=c.negative,
            ns_exponent=c.ns_exponent, sample=c.sample, alpha=c.alpha, min_count=1, workers=1,
            seed=c.seed, hashfxn=stable_hash, shrink_windows=not as_set,
            max_final_vocab=None, max_vocab_size=None,
        )
        model.build_vocab(sentences)
        shuffler = np.random.default_rng(c.seed)
        losses = []
        for epoch in range(c.epochs):
            # One call per epoch with the linearly decayed learning rate gensim would use.
            a0 = c.alpha - (c.alpha - 0.0001) * epoch / c.epochs
            a1 = c.alpha - (c.alpha - 0.0001) * (epoch + 1) / c.epochs
            epoch_sentences = sentences
            if as_set:
                epoch_sentences = []
                for s in sentences:
                    s = list(shuffler.permutation(s))
                    epoch_sentences += [s[i:i + c.set_chunk] for i in range(0, len(s), c.set_chunk)]
            model.train(epoch_sentences, total_examples=len(epoch_sentences), epochs=1, start_alpha=a0, end_alpha=a1,
                        compute_loss=True)
            losses.append(float(model.get_latest_training_loss()))
            progress(0.05 + 0.9 * (epoch + 1) / c.epochs, f"item2vec: epoch {epoch + 1}/{c.epochs}")
            if on_epoch is not None and on_epoch(epoch + 1,
                                                 lambda: self._export(model, train, histories, losses, window)):
                break
        self._output = self._export(model, train, histories, losses, window)
        return self

    def _export(self, model, train, histories, losses, window) -> RecallOutput:
        """The vectors of the gensim ``model`` as they are now (after the last epoch trained)."""
        c = self.config
        ids = train.item_vocab.ids
        wv = model.wv
        d = c.embedding_dim
        item_in = np.zeros((train.n_items, d), np.float32)
        item_out = np.zeros((train.n_items, d), np.float32)
        rows = np.asarray([wv.key_to_index[k] for k in ids if k in wv.key_to_index])
        known = np.asarray([i for i, k in enumerate(ids) if k in wv.key_to_index], dtype=np.int64)
        item_in[known] = wv.vectors[rows]
        item_out[known] = model.syn1neg[rows]
        known_mask = np.zeros(train.n_items, bool)
        known_mask[known] = True
        return RecallOutput(
            # I2I "similar": normalised input + normalised output vector. Input
            # vectors alone put rarely seen films next to everything: BENCHMARKS.md,
            # "I2I space", compares in, out and the sum.
            item_ids=ids, item_vectors=l2_normalize(item_in) + l2_normalize(item_out), metric="cosine",
            item_known=known_mask,
            user_ids=train.user_vocab.ids, user_vectors=recent_mean(item_in, histories, c.user_last_n),
            candidate_vectors=item_out, u2i_metric="ip", pair_query_vectors=item_in,
            info={"epoch_loss": list(losses), "trained_items": int(len(known)), "context": c.context, "window": window},
        )
