"""EASE's scoring in column blocks against one sparse product (issue 22): seconds per pass and the same floats.

One scoring pass is what :func:`recall_core.evaluation.ease.evaluate_ease` computes per λ on validation (nine
times per reference, then on test): ``X_users B`` for every test user, in batches of ``evaluate.BATCH`` users.
On each shape (ML-100K, and the ML-1M shape of ``make scale``), with ``B`` at λ 500 on the validation split, the
pass runs ``--repeats`` times each way, alternating: ``COLUMN_BLOCK`` = the whole catalogue (one product per
batch: the code before) and ``COLUMN_BLOCK`` = 512 (the code now). Reports the median and range of each, their
ratio, and whether every score is bit for bit the same. Writes its block of BENCHMARKS.md.

    python bench/ease_blocks.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
START, END = "<!-- ease-blocks:start -->", "<!-- ease-blocks:end -->"


def one_pass(x, b, users) -> tuple[float, np.ndarray]:
    """Seconds of one scoring pass over ``users`` in batches, and its scores."""
    from recall_core.evaluation import ease
    from recall_core.evaluation.evaluate import BATCH

    t = time.perf_counter()
    out = [ease.ease_scores(x[users[s:s + BATCH]], b) for s in range(0, len(users), BATCH)]
    return time.perf_counter() - t, np.concatenate(out)


def measure(dataset: str, repeats: int) -> dict:
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import ease

    valid = split_for(load_dataset(dataset), "valid")
    x = valid.train.matrix
    b = ease.ease_weights(ease.gram(x), 500.0)
    n = b.shape[1]
    times = {"one product": [], f"blocks of {ease.COLUMN_BLOCK}": []}
    same = True
    block = ease.COLUMN_BLOCK
    try:
        for _ in range(repeats):
            ref = None
            for name, width in (("one product", n), (f"blocks of {block}", block)):
                ease.COLUMN_BLOCK = width
                secs, scores = one_pass(x, b, valid.test_users)
                times[name].append(secs)
                if ref is None:
                    ref = scores
                else:
                    same &= bool(np.array_equal(ref.view(np.uint32), scores.view(np.uint32)))
    finally:
        ease.COLUMN_BLOCK = block
    return {"users": int(len(valid.test_users)), "items": int(n), "nnz": int(x.nnz), "times": times, "same": same}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    import scale
    from common import block_head, write_block

    shapes = {"ml-100k": "ml-100k", "ml1m-shape": scale.shape_folder("ml1m-shape")}
    rows = []
    for shape, folder in shapes.items():
        r = measure(folder, args.repeats)
        (old_name, old), (new_name, new) = r["times"].items()
        rows.append(f"| {shape} | {r['users']:,} | {r['items']:,} | {r['nnz']:,} | "
                    f"{statistics.median(old):.3f} ({min(old):.3f}–{max(old):.3f}) | "
                    f"{statistics.median(new):.3f} ({min(new):.3f}–{max(new):.3f}) | "
                    f"{statistics.median(old) / statistics.median(new):.2f}x | {'yes' if r['same'] else 'NO'} |")
        print(rows[-1], flush=True)
    lines = [*block_head(START, "EASE: scoring in column blocks (issue 22)",
                         f"`python bench/ease_blocks.py --repeats {args.repeats}` (part of `make scale`)",
                         "One scoring pass = `X_users B` for every validation user in batches of 1,024 (what "
                         "`evaluate_ease` computes for each of the nine λ, then on test), `B` at λ 500 on the "
                         f"validation split; {args.repeats} passes each way, alternating; median (range) seconds. "
                         "*One product*: `COLUMN_BLOCK` = the catalogue (the code before); *blocks*: `COLUMN_BLOCK` "
                         "= 512 (`recall_core/evaluation/ease.py`). *Same floats*: every score of every pass equal "
                         "bit for bit."),
             "| data | users | items | nonzeros of X | one product s | blocks of 512 s | speed-up | same floats |",
             "|---|---|---|---|---|---|---|---|", *rows, "", END]
    write_block("\n".join(lines), start=START, end=END)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
