"""How large is the largest Projector file the app is meant to import? (sets ``server.maxUploadSize``)

The largest catalogue we support by name is MovieLens 32M (87,585 movies, 200,948 users; GroupLens' README), and
every model stores 64-dimensional vectors (``embedding_dim``'s default). The largest single upload is then the
*user* vectors file of that catalogue (Streamlit's limit is per file). Its size depends on how many characters
each value takes in our writer (:func:`recall_core.io.projector.vectors_tsv`, 9 significant digits), so the values
are drawn (seeded) from real trained vectors: for every model of a trained store (``make bench``'s ``.bench/store``,
ML-100K), 20,000 rows of 64 values resampled from that model's own item and user values give bytes per row; the
model with the most bytes per row is then written out in full at the 32M sizes and measured exactly. Metadata
files are estimated from ML-100K's own ``metadata.tsv`` bytes per line. ``.npy`` files are 4 bytes per value.

``python bench/upload_sizes.py --store .bench/store [--write]`` (``--write``: the block between
``<!-- uploads:start -->`` and ``<!-- uploads:end -->`` in BENCHMARKS.md). Seconds, not minutes: it trains nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = "<!-- uploads:start -->", "<!-- uploads:end -->"
N_ITEMS, N_USERS, DIM = 87_585, 200_948, 64  # MovieLens 32M; every model's embedding_dim default
SAMPLE_ROWS = 20_000
MIB = 1024 * 1024
HEADROOM = 1.25  # the limit: the largest file times this, rounded up to 10 MiB


def measure(store: Path, dataset: str = "ml-100k", seed: int = 0) -> dict:
    import numpy as np

    from recall_core.data import load_dataset
    from recall_core.store import load_trained, stored_models
    from recall_core.io import projector

    ds = load_dataset(dataset)
    rng = np.random.default_rng(seed)
    per_model = []
    pools = {}
    for name in stored_models(ds, store):
        out = load_trained(ds, store, name).output
        spaces = {"items": out.item_vectors, **({"users": out.user_vectors} if out.has_users else {})}
        for space, vecs in spaces.items():
            values = np.asarray(vecs, np.float32).ravel()
            sample = rng.choice(values, size=(SAMPLE_ROWS, DIM))
            per_row = len(projector.vectors_tsv(sample).encode()) / SAMPLE_ROWS
            per_model.append({"model": name, "space": space, "bytes_per_row": per_row})
            pools[(name, space)] = values
    if not per_model:
        raise SystemExit(f"{store}: no trained model of {dataset}; run make bench (or train) first")
    worst = max(per_model, key=lambda r: r["bytes_per_row"])
    full = rng.choice(pools[(worst["model"], worst["space"])], size=(N_USERS, DIM))
    user_tsv = len(projector.vectors_tsv(full).encode())
    some = load_trained(ds, store, worst["model"])
    meta = projector.projector_files(ds, some, "similar")["metadata.tsv"]
    meta_per_line = len(meta.encode()) / max(meta.count("\n") - 1, 1)
    files = {
        f"user_vectors.tsv ({N_USERS:,} × {DIM}), written in full": user_tsv,
        f"vectors.tsv ({N_ITEMS:,} × {DIM}), from the same bytes per row": round(user_tsv / N_USERS * N_ITEMS),
        f"metadata.tsv ({N_ITEMS:,} titles), from ML-100K's bytes per line": round(meta_per_line * (N_ITEMS + 1)),
        f"user_vectors.npy ({N_USERS:,} × {DIM} float32)": N_USERS * DIM * 4 + 128,
    }
    largest = max(files.values())
    limit_mib = int(math.ceil(largest * HEADROOM / MIB / 10) * 10)
    return {"per_model": per_model, "worst": worst, "files": files, "largest": largest, "limit_mib": limit_mib}


def block(res: dict, store: str) -> str:
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lo = min(r["bytes_per_row"] for r in res["per_model"])
    w = res["worst"]
    lines = [START, "## Upload limit: the largest Projector file an import needs", "",
             f"Command: `python bench/upload_sizes.py --store {store} --write` ({when}; trains nothing, seconds). "
             "MovieLens 32M (the largest catalogue supported by name: 87,585 movies, 200,948 users) at 64 dimensions; "
             "values resampled (seed 0) from each trained ML-100K model's own vectors and written by "
             "`projector.vectors_tsv` (9 significant digits).", "",
             f"Bytes per 64-value row over {len(res['per_model'])} model spaces: {lo:.0f} to {w['bytes_per_row']:.0f} "
             f"(most: {w['model']} {w['space']}).", "",
             "| file | bytes | MiB |", "|---|---|---|"]
    lines += [f"| {k} | {v:,} | {v / MIB:.1f} |" for k, v in res["files"].items()]
    bound = N_USERS * DIM * 16  # %.9g writes at most 15 characters per value ("-1.23456789e-05"), plus a separator
    lines += ["", f"Largest: {res['largest'] / MIB:.1f} MiB (our writer's bound for that file, 15 characters per value "
              f"and a separator: {bound / MIB:.1f} MiB). `server.maxUploadSize` in `.streamlit/config.toml`: "
              f"**{res['limit_mib']} MiB** (the largest × {HEADROOM}, rounded up to 10 MiB); Streamlit's default is "
              "200 MiB. 128-dimensional vectors of the same catalogue would be about twice the largest file, over "
              "the limit: an operator raises `server.maxUploadSize`, or imports them as `.npy` "
              "(4 bytes per value).", END]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=str(ROOT / ".bench" / "store"))
    ap.add_argument("--dataset", default="ml-100k")
    ap.add_argument("--write", action="store_true", help="put the block in BENCHMARKS.md")
    args = ap.parse_args()
    res = measure(Path(args.store), args.dataset)
    text = block(res, args.store if not Path(args.store).is_relative_to(ROOT) else
                 str(Path(args.store).relative_to(ROOT)))
    print(text)
    if args.write:
        from common import write_block

        write_block(text, start=START, end=END)


if __name__ == "__main__":
    main()
