"""Seconds to read one dataset folder in a fresh process: cold (the validating reader) and from the parsed cache.

    python bench/_load_one.py DATASET

Prints JSON ``{"cold_s", "cached_s", "import_s"}``: ``cold_s`` with the parsed cache off (``parse_cache=False``);
``cached_s`` the best of two reads after one that (re)writes the cache; ``import_s`` importing ``recall_core.data``.
Used by bench/scale.py.
"""
import json
import sys
import time

t = time.perf_counter()
from recall_core.data.dataset import read_dataset  # noqa: E402

res = {"import_s": time.perf_counter() - t}
name = sys.argv[1]
t = time.perf_counter()
cold = read_dataset(name, parse_cache=False)
res["cold_s"] = time.perf_counter() - t
read_dataset(name)  # writes (or refreshes) the parsed cache
times = []
for _ in range(2):
    t = time.perf_counter()
    warm = read_dataset(name)
    times.append(time.perf_counter() - t)
res["cached_s"] = min(times)
res["same_fingerprint"] = warm.fingerprint == cold.fingerprint
print(json.dumps(res))
