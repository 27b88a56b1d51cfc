"""Are two model stores the same models? For a restructuring that must change no number.

    python bench/compare_stores.py STORE_A STORE_B [--dataset ml-100k]

For every model of the dataset in both stores (they must hold the same names): the live manifest's ``metrics``
and ``i2i_metrics`` compared as JSON, the sha256 of the live arrays file, and a digest over every array (name,
dtype, shape, bytes); then the kept reference rows (transition, most-popular, EASE: their key and result, EASE's
fit ``seconds`` aside). Prints one line per model and ``ALL EQUAL`` or ``SOME DIFFER`` (exit status 0 or 1).
Both stores are read through recall_core.store, which owns their layout.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from common import arrays_digest as digest  # noqa: E402  (bench/common.py)
from recall_core.store import arrays_path, list_models, model_dir, read_manifest  # noqa: E402


def _kept(store: Path, key: str, name: str) -> dict | None:
    """The kept reference file's whole content (any key), EASE's wall-clock ``seconds`` dropped."""
    from recall_core.store import reference_file

    try:
        data = json.loads(reference_file(store, key, name).read_text())
    except (OSError, ValueError):
        return None
    if isinstance(data.get("result"), dict):
        data["result"].pop("seconds", None)
    return data


def compare(a: Path, b: Path, key: str) -> bool:
    names = list_models(a, key)
    if names != list_models(b, key):
        print(f"model sets differ: {names} against {list_models(b, key)}")
        return False
    ok = True
    for n in names:
        ma, mb = read_manifest(model_dir(a, key, n)), read_manifest(model_dir(b, key, n))
        same = {f: json.dumps(ma.get(f), sort_keys=True) == json.dumps(mb.get(f), sort_keys=True)
                for f in ("metrics", "i2i_metrics")}
        pa, pb = arrays_path(a, key, n), arrays_path(b, key, n)
        fa, fb = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (pa, pb))
        da, db = digest(pa), digest(pb)
        ok &= all(same.values()) and da == db
        m = ma.get("metrics", {})
        print(f"{n:<12} HR@10 {m.get('hr@10')!r:<22} NDCG@10 {m.get('ndcg@10')!r:<22} "
              + " ".join(f"{f} {'=' if s else 'DIFFER'}" for f, s in same.items())
              + f"  arrays sha256 {fa[:12]} {'=' if fa == fb else '!= ' + fb[:12]}"
              + f"  arrays digest {da[:12]} {'=' if da == db else '!= ' + db[:12]}")
    for ref in ("transition", "mostpop", "ease"):
        ka, kb = _kept(a, key, ref), _kept(b, key, ref)
        if ka is None and kb is None:
            continue
        ok &= ka == kb
        print(f"{ref} reference: {'equal' if ka == kb else 'DIFFER'} (key and result"
              f"{'; the fit seconds aside' if ref == 'ease' else ''})")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--dataset", default="ml-100k", help="the dataset's store key (default ml-100k)")
    args = ap.parse_args()
    ok = compare(args.a, args.b, args.dataset)
    print("ALL EQUAL" if ok else "SOME DIFFER")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
