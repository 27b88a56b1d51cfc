"""Command line: ``python -m recall_core {data,train,evaluate,neighbours,index-bench,synth,import,export,judgments,
datasets,save-generic,tune}``.

Parsing lives here; each sub-command is a function of :mod:`recall_core.commands`
bound with ``set_defaults(func=...)``. Every error a user can cause, including a
bad argument, is one line on stderr and exit status 2; a model that fails while
others train makes ``train`` exit 1 after its summary. No traceback is printed
(``RECALL_DEBUG=1`` shows one for an unexpected error).
"""
from __future__ import annotations

import argparse
import os
import sys

from recall_core import commands
from recall_core.errors import RecallError, UsageError
from recall_core.store import DEFAULT_STORE, STORE_ENV


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` (one line) instead of printing the usage and exiting."""

    def error(self, message: str):
        raise UsageError(f"{message} (see python -m recall_core {self.prog.split(maxsplit=3)[-1]} --help)"
                         if " " in self.prog else f"{message} (see python -m recall_core --help)")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="ml-100k",
                   help="'ml-100k' (default), a MovieLens name (ml-1m, ml-10m, ml-20m, ml-25m, ml-32m, "
                        "ml-latest-small, ml-latest: downloaded into the data cache on first use), a MovieLens "
                        "folder, or a folder with dataset.toml (your own log)")
    p.add_argument("--data-dir", default=None, help="download cache (default $RECALL_DATA_DIR or ~/.cache/vector-recall)")


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None, help=f"model store (default ${STORE_ENV} or ./{DEFAULT_STORE})")


def _split_arg(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--split", choices=["test", "valid"], default="test", help=text)


def build_parser() -> argparse.ArgumentParser:
    ap = ArgumentParser(prog="python -m recall_core", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    p = sub.add_parser("data", help="obtain the dataset and print its summary")
    _common(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_data)

    p = sub.add_parser("train", help="train models and store them with their metrics")
    _common(p)
    _store_arg(p)
    p.add_argument("--models", default="all", help="comma-separated model names, or 'all'")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--if-empty", action="store_true", help="train only if the store has no model for the dataset")
    p.add_argument("--dssm-temperatures", default=None,
                   help="with dssm: comma-separated temperatures, one stored variant each (e.g. 0.02,0.05,0.1)")
    _split_arg(p, "train for the 'test' split (the default: everything but each user's last item) or for "
                  "'valid' (everything before the second-to-last item; stored apart, under <dataset>@valid)")
    p.add_argument("--lanes", default="1", choices=["auto", "1", "2"],
                   help="2: the TensorFlow models train in one process while the others train in up to two "
                        "background processes at idle priority (the same vectors as one at a time; BENCHMARKS.md, "
                        "'all six models in lanes'); 1 (default): one at a time; auto: 2 on two or more cores for "
                        "data of 50,000 interactions or more (training.lanes.AUTO_MIN_INTERACTIONS)")
    p.add_argument("--no-maps", action="store_true",
                   help="do not compute each model's default UMAP maps after storing it (the Maps page then "
                        "computes them on its first view)")
    p.set_defaults(func=commands.cmd_train)

    p = sub.add_parser("evaluate", help="evaluate stored models (most-popular always included)")
    _common(p)
    _store_arg(p)
    p.add_argument("--models", default="all")
    p.add_argument("--json", action="store_true")
    _split_arg(p, "score the models trained for 'test' on each user's last item (the default), or those trained "
                  "for 'valid' on the second-to-last item: every setting is chosen on valid")
    p.set_defaults(func=commands.cmd_evaluate)

    p = sub.add_parser("neighbours", aliases=["neighbors"], help="top-K items for an item (I2I) or a user (U2I)")
    _common(p)
    _store_arg(p)
    p.add_argument("--model", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--item", help="item id or (part of) a title")
    g.add_argument("--user", help="user id")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--view", choices=["similar", "cooccur", "next"], default="similar",
                   help="item view: 'similar' (the model's I2I space) or 'cooccur' (the trained centre-context "
                        "score of the skip-gram models: co-occurs with, before or after; 'next' is an old name for it)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_neighbours)

    p = sub.add_parser("index-bench", help="measure ANN indexes (HNSW, IVF) against exact search")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="a stored model: index its item and candidate vectors (recorded in its folder)")
    src.add_argument("--synthetic-items", help="that many clustered synthetic vectors, e.g. 20000 or 1M")
    src.add_argument("--crossover", action="store_true",
                     help="synthetic sizes from 1k to 100k: where HNSW overtakes exact search (the auto cut-off)")
    _common(p)
    _store_arg(p)
    p.add_argument("--dim", type=int, default=None, help="width of the synthetic vectors (default 64)")
    p.add_argument("--metric", choices=["ip", "cosine"], default=None, help="synthetic vectors' metric (default ip)")
    p.add_argument("--queries", type=int, default=1000, help="queries per setting (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic vectors and query sample")
    p.add_argument("--kinds", default=None,
                   help="synthetic: only these index kinds, comma-separated (flat,hnsw,hnsw-l2,ivf,ivfpq; default all)")
    p.add_argument("--hnsw-m", default=None, help="synthetic: HNSW's M, links per node (default 32)")
    p.add_argument("--ef-construction", default=None, help="synthetic: HNSW's efConstruction (default 80)")
    p.add_argument("--ef-search", default=None,
                   help="synthetic: HNSW efSearch values to sweep, comma-separated (default 16,32,64,128,256)")
    p.add_argument("--reorder", default=None,
                   help="synthetic: HNSW layouts to measure on each build, comma-separated: 0 (faiss's insertion "
                        "order, the default), 1 (the same graph stored in k-means order), 0,1 (both)")
    p.add_argument("--rounds", default=None,
                   help="synthetic: repeat the measurement this many times, rebuilding every index each round, and "
                        "report the median and range over the rounds (default 1)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_index_bench)

    p = sub.add_parser("synth", help="write a synthetic MovieLens-shaped folder (ml-latest layout)")
    p.add_argument("--users", required=True, help="number of users, e.g. 610 or 16k")
    p.add_argument("--items", required=True, help="number of items, e.g. 9.7k")
    p.add_argument("--ratings", required=True, help="number of ratings, e.g. 100k or 2.5M")
    p.add_argument("--out", required=True, help="folder to write (refused if it exists and is not empty)")
    p.add_argument("--seed", default="42", help="random seed: the same seed writes the same bytes (default 42)")
    p.add_argument("--force", action="store_true", help="replace --out if it holds an earlier synth folder")
    p.set_defaults(func=commands.cmd_synth)

    p = sub.add_parser("import", help="store vectors trained elsewhere (Projector TSV or .npy + ids) as a model")
    _common(p)
    _store_arg(p)
    p.add_argument("--name", required=True, help="model name in the store (not a built-in model's name)")
    p.add_argument("--vectors", required=True, help="item vectors: Projector vectors.tsv, or .npy of shape (n, d)")
    p.add_argument("--ids", required=True, help="item ids, row i for vector i: Projector metadata.tsv with an id "
                   "column (item_id, movieId, id, ...), one id per line, or .npy")
    p.add_argument("--users", default=None, help="user vectors (same formats; same width as the items)")
    p.add_argument("--user-ids", default=None, help="user ids for --users (same formats)")
    p.add_argument("--metric", choices=["cosine", "ip"], default="cosine",
                   help="similarity of the vectors: cosine (default) or ip (inner product)")
    p.set_defaults(func=commands.cmd_import)

    p = sub.add_parser("export", help="write a stored model as TensorFlow Projector TSV files")
    _common(p)
    _store_arg(p)
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True, help="folder for vectors.tsv and metadata.tsv (created)")
    p.add_argument("--view", choices=["similar", "user"], default="similar",
                   help="similar: the item space (default); user: the items as users are scored against them, "
                        "plus user_vectors.tsv and user_metadata.tsv")
    p.set_defaults(func=commands.cmd_export)

    p = sub.add_parser("judgments", help="human judgments of the Judge page: summary, export, import")
    jsub = p.add_subparsers(dest="judgments_command", required=True, parser_class=ArgumentParser)
    q = jsub.add_parser("summary", help="P@K, nDCG@K, coverage with intervals, differences, agreement, "
                                        "Bradley-Terry ratings, human against offline")
    _common(q)
    _store_arg(q)
    q.add_argument("--models", default=None, help="comma-separated models (default: every stored model but variants)")
    q.add_argument("--kind", choices=["item", "user"], default="item",
                   help="item: the I2I probes (movies; the default); user: the U2I probes (users)")
    q.add_argument("--k", type=int, default=10, help="cut-off K of P@K and nDCG@K (default 10)")
    q.add_argument("--rounds", type=int, default=1000, help="bootstrap rounds (default 1000)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=commands.cmd_judgments_summary)
    q = jsub.add_parser("export", help="write the judgments as CSV, TREC qrels (merged grades) or a model's TREC run")
    _common(q)
    _store_arg(q)
    q.add_argument("--format", choices=["csv", "qrels", "run"], required=True)
    q.add_argument("--model", default=None, help="with --format run: the model whose lists are written")
    q.add_argument("--kind", choices=["item", "user"], default=None, help="only these probes (default: both kinds)")
    q.add_argument("--k", type=int, default=10, help="with --format run: list length (default 10)")
    q.set_defaults(func=commands.cmd_judgments_export)
    q = jsub.add_parser("import", help="read judgments from TREC qrels or an exported CSV, all in one transaction")
    _common(q)
    _store_arg(q)
    q.add_argument("file", metavar="FILE", help="a qrels file (probe 0 movie grade) or a CSV written by export")
    q.add_argument("--judge", default=None, help="the judge of a qrels file (default 'imported')")
    q.set_defaults(func=commands.cmd_judgments_import)

    p = sub.add_parser("datasets", help="list the MovieLens names (downloaded or not) and the data cache's folders")
    p.add_argument("--data-dir", default=None, help="data cache (default $RECALL_DATA_DIR or ~/.cache/vector-recall)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_datasets)

    p = sub.add_parser("save-generic", help="write a dataset as a generic folder (dataset.toml + CSV or Parquet) "
                                            "that --dataset reads back as the same data")
    _common(p)
    p.add_argument("--out", required=True, help="folder to write (refused if it exists and is not empty)")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv", help="table format (default csv)")
    p.add_argument("--force", action="store_true", help="replace --out if it holds a generic folder")
    p.set_defaults(func=commands.cmd_save_generic)

    p = sub.add_parser("tune", help="tune every model on validation with one budget (Optuna), then store the best "
                                    "setting trained on the test split")
    _common(p)
    _store_arg(p)
    p.add_argument("--models", default="all", help="comma-separated models with a search space, or 'all' (default)")
    p.add_argument("--trials", type=int, required=True,
                   help="the budget, the same for every model: trials per model (the default setting is trial 0)")
    p.add_argument("--minutes", type=float, default=None,
                   help="also end a model's study once its trials took this many minutes (a started trial finishes)")
    p.add_argument("--seed", type=int, default=42, help="seeds the sampler and every model (default 42)")
    p.add_argument("--no-pruner", action="store_true",
                   help="run every trial to its end (no median pruning; early stopping still applies)")
    p.add_argument("--patience", type=int, default=3,
                   help="early stopping: epochs without a better validation HR@10 before a trial stops (default 3)")
    p.add_argument("--lock-timeout", type=float, default=60.0,
                   help="seconds to wait for another process holding the study database (default 60)")
    p.add_argument("--fresh", action="store_true",
                   help="start the chosen models' studies again (their stored trials are deleted)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_tune)
    return ap


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except RecallError as e:
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 (a bug: still one line, the traceback only on request)
        if os.environ.get("RECALL_DEBUG"):
            raise
        print(f"error: unexpected {type(e).__name__}: {_one_line(e)} (a bug; RECALL_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())
