"""One EASE solve on a synthetic catalogue of N items in a fresh process: seconds and peak memory (bench/tuning.py).

    python bench/_ease_one.py N_ITEMS [N_USERS]

The user-item matrix is random and sparse (about 100 items per user, popularity skewed like MovieLens); the cost
of a solve depends on the catalogue size: the Gram matrix, the Cholesky inverse and B are dense n_items².
Prints ``{"n_items", "n_users", "gram_s", "solve_s", "score_s", "peak_rss_mb", "baseline_rss_mb"}``.
"""
import json
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp

from recall_core.evaluation.ease import ease_scores, ease_weights, gram

n_items = int(sys.argv[1])
n_users = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rng = np.random.default_rng(0)
pop = 1.0 / np.arange(1, n_items + 1) ** 0.8
pop /= pop.sum()
rows, cols = [], []
for u in range(n_users):
    items = np.unique(rng.choice(n_items, size=100, p=pop))
    rows.append(np.full(len(items), u))
    cols.append(items)
x = sp.csr_matrix((np.ones(sum(map(len, cols)), np.float32), (np.concatenate(rows), np.concatenate(cols))),
                  shape=(n_users, n_items))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
g = gram(x)
t1 = time.perf_counter()
b = ease_weights(g, 100.0)
t2 = time.perf_counter()
for start in range(0, n_users, 1024):
    ease_scores(x[start:start + 1024], b)
t3 = time.perf_counter()
print(json.dumps({"n_items": n_items, "n_users": n_users, "gram_s": t1 - t0, "solve_s": t2 - t1, "score_s": t3 - t2,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "baseline_rss_mb": base / 1024}))
