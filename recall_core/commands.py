"""The CLI's sub-commands (argument parsing lives in :mod:`recall_core.cli`)."""
from __future__ import annotations

import sys

from recall_core.console import ProgressBar, path_or_none as _path, to_json as _json
from recall_core.data import load_dataset
from recall_core.errors import UnknownIdError, UsageError
from recall_core.evaluation import KS, PROTOCOL
from recall_core.store import dataset_dir, default_store, model_dir, store_key


def _dataset(args):
    return load_dataset(args.dataset, _path(args.data_dir), progress=ProgressBar())


def _store(args):
    return _path(args.store) or default_store()


def cmd_data(args) -> int:
    s = _dataset(args).summary()
    if args.json:
        print(_json(s))
        return 0
    print(f"dataset:      {s['dataset']} ({s['layout']} layout)")
    print(f"users:        {s['users']:,}")
    print(f"items:        {s['items']:,}")
    print(f"interactions: {s['interactions']:,}")
    print(f"time span:    {s['first']} .. {s['last']}")
    print(f"{('genres:' if s['domain'] == 'movies' else 'categories:'):<14}{', '.join(s['genres']) or '(none)'}")
    print(f"user fields:  {', '.join(s['user_features']) or '(none)'}")
    for e in s["side_information"]:  # which columns became side information, and for which models
        print(f"side info:    {_side_line(e)}")
    print(f"fingerprint:  {s['fingerprint']}")
    if r := s.get("load_report"):  # the loader's input policy (recall_core.data.movielens)
        print(f"load policy:  {r['duplicates_dropped']:,} duplicate (user, item) rows dropped (latest kept); "
              f"{r['ratings_out_of_scale']:,} ratings outside {r['rating_scale']} (kept)")
    for w in (r or {}).get("warnings", []):
        print(f"warning:      {w}")
    if why := _no_evaluable_users(_dataset(args)):
        print(f"warning:      {why}")
    return 0


#: what the CLI prints for a number that does not exist (no evaluable user, no I2I view, no training time)
MISSING = "–"


def _no_evaluable_users(ds, split: str = "test") -> str | None:
    """One line when nobody can be evaluated on ``split`` (nobody has enough interactions), else None."""
    from recall_core.data.split import split_for
    from recall_core.evaluation import no_evaluable_users

    why = no_evaluable_users(split_for(ds, split))
    return f"{ds.name}: {why}" if why else None


def _fmt(value, spec: str = ".4f", width: int = 0) -> str:
    """``value`` formatted, or :data:`MISSING` (right-aligned to ``width``)."""
    text = MISSING if value is None else format(value, spec)
    return f"{text:>{width}}" if width else text


_SIDE_WHAT = {"categories": "categories", "year": "year", "item_field": "item field", "user_field": "user field"}


def _side_line(e: dict) -> str:
    return f"{_SIDE_WHAT[e['what']]} {e['name']!r} from {e['source']} -> {', '.join(e['used_by'])}"


def cmd_datasets(args) -> int:
    from recall_core.data import list_datasets
    from recall_core.data.fetch import MOVIELENS, movielens_base

    rows = list_datasets(_path(args.data_dir))
    if args.json:
        print(_json(rows))
        return 0
    print(f"MovieLens by name (downloaded on first use from {movielens_base()}; set RECALL_MOVIELENS_URL for a mirror):")
    for r in rows:
        if r["kind"] != "named":
            continue
        note = MOVIELENS[r["name"]].note if r["name"] in MOVIELENS else "100k ratings; offline fallback"
        state = f"downloaded: {r['path']}" if r["installed"] else "not downloaded yet"
        print(f"  {r['name']:<16} {state}  ({note})")
    cached = [r for r in rows if r["kind"] == "cached"]
    if cached:
        print("other datasets in the data cache:")
        for r in cached:
            print(f"  {r['path']}")
    return 0


def cmd_save_generic(args) -> int:
    ds = _dataset(args)
    out = ds.save_generic(_path(args.out), format=args.format, overwrite=args.force)
    print(f"wrote {out}: dataset.toml and {args.format} tables ({ds.n_users:,} users, {ds.n_items:,} items, "
          f"{len(ds.interactions):,} interactions); train from it with --dataset {out}")
    return 0


def cmd_train(args) -> int:
    from recall_core.store import stored_models
    from recall_core.training import train_jobs, train_models

    from recall_core.store import training_lock

    jobs = train_jobs(args.models, args.dssm_temperatures)  # bad names fail before any data is read
    ds = _dataset(args)
    store = _store(args)
    bar = ProgressBar()
    # The emptiness check and the training share one hold of the lock: two `make run`s never both train.
    key = store_key(ds.key, args.split)
    with training_lock(store, key, progress=bar):
        if args.if_empty and stored_models(ds, store, args.split):
            print(f"store {dataset_dir(store, key)} already has models; skipping training", file=sys.stderr)
            return 0
        results = train_models(ds, jobs, store, seed=args.seed, progress=bar, keep_going=True, split=args.split,
                               lanes=getattr(args, "lanes", "1"), maps=not getattr(args, "no_maps", False),
                               cache_dir=_path(args.data_dir))
    failed = [r for r in results if r.get("error")]
    if why := _no_evaluable_users(ds, args.split):
        print(f"warning: {why}", file=sys.stderr)
    for r in results:
        if r.get("error"):
            print(f"{r['model']:<22} FAILED   {r['error']}")
            continue
        m = r["metrics"]
        hr = f"HR@10 {_fmt(m.get('hr@10'))}  NDCG@10 {_fmt(m.get('ndcg@10'))}" if m else "(no user vectors)"
        maps = f"  maps {r['maps_seconds']:.1f}s" if "maps_seconds" in r else ""
        print(f"{r['model']:<22} {r['train_seconds']:7.1f}s  {hr}{maps}")
    print(f"stored in {dataset_dir(store, key)}: {len(results) - len(failed)} of {len(results)} model(s) trained")
    if failed:
        print(f"error: {len(failed)} model(s) failed: {', '.join(r['model'] for r in failed)}", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args) -> int:
    from recall_core.analysis.leaderboard import leaderboard_rows
    from recall_core.store import stored_models
    from recall_core.training import parse_models

    ds = _dataset(args)
    store = _store(args)
    stored = stored_models(ds, store, args.split)
    if args.models == "all":
        names = stored
    else:
        wanted = parse_models(args.models)
        names = [n for n in stored if n.split("@")[0] in wanted]
        missing = [w for w in wanted if not any(n.split("@")[0] == w for n in stored) and w != "mostpop"]
        if missing:
            raise UnknownIdError(f"not in the store {dataset_dir(store, store_key(ds.key, args.split))}: {', '.join(missing)} "
                                 f"(train them first{' with --split valid' if args.split == 'valid' else ''})")
    rows, errors = leaderboard_rows(ds, store, names, recompute=True, split=args.split)
    for name, msg in errors.items():
        print(f"warning: {name}: {msg}", file=sys.stderr)
    if why := _no_evaluable_users(ds, args.split):
        print(f"warning: {why}", file=sys.stderr)
    set_by, unequal = _settings(store, store_key(ds.key, args.split), rows)
    result = {"dataset": ds.name, "fingerprint": ds.fingerprint, "split": args.split, "protocol": PROTOCOL,
              "ks": list(KS), "models": {}}
    for r in rows:
        entry = dict(r["metrics"])
        entry["train_seconds"] = r["train_seconds"]
        entry["set_by"] = set_by[r["model"]]
        if r.get("note"):
            entry["note"] = r["note"]
        if r["i2i"]:
            entry["i2i"] = r["i2i"]
        result["models"][r["model"]] = entry
    if args.json:
        print(_json(result))
        return 1 if errors else 0
    print(f"{ds.name}, {args.split} split: {PROTOCOL}\n")
    cols = ["hr@10", "ndcg@10", "precision@10", "recall@10", "mrr", "coverage@10", "hr@50"]
    print(f"{'model':<20}" + "".join(f"{c:>13}" for c in cols) + f"{'i2i hr@10':>11}{'train s':>9}  set by")
    for name, e in result["models"].items():
        vals = "".join(_fmt(e.get(c), ".4f", 13) for c in cols)
        i2i = _fmt(e.get("i2i", {}).get("hr@10"), ".4f", 11)
        ts = _fmt(e.get("train_seconds"), ".1f", 9)
        print(f"{name:<20}{vals}{i2i}{ts}  {e['set_by']}")
    for name, e in result["models"].items():
        if e.get("note") and name == "ease":
            print(f"\nease (a reference, not an embedding model): {e['note']}")
    if unequal:
        print("warning: the models had unequal tuning budgets (" + "; ".join(f"{k}: {', '.join(v)}" for k, v in
              unequal.items()) + "): compare rows with the same budget", file=sys.stderr)
    return 1 if errors else 0


def _settings(store, key: str, rows: list[dict]) -> tuple[dict[str, str], dict | None]:
    """``({row: "defaults" | "tuned (n trials, m min)" | "reference" | "variant"}, unequal budgets or None)``."""
    from recall_core.errors import RecallError
    from recall_core.store import read_manifest
    from recall_core.tuning import report

    manifests = {}
    for r in rows:
        if not r.get("reference") and r["model"] not in report.REFERENCES:
            try:
                manifests[r["model"]] = read_manifest(model_dir(store, key, r["model"]))
            except RecallError:
                manifests[r["model"]] = None
    labels = {r["model"]: report.label(report.setting_of(r["model"], manifests.get(r["model"]))) for r in rows}
    return labels, report.unequal_budgets([r["model"] for r in rows], manifests)


def cmd_neighbours(args) -> int:
    from recall_core.explore import item_neighbours, user_profile, user_recommendations
    from recall_core.store import load_trained

    if args.k < 1:
        raise UsageError(f"-k must be at least 1, got {args.k}")
    view = "cooccur" if args.view == "next" else args.view
    ds = _dataset(args)
    store = _store(args)
    model = load_trained(ds, store, args.model)
    if args.item is not None:
        row = ds.find_item(args.item)
        table = item_neighbours(ds, model, args.item, args.k, view)
        head = f"{args.model}: {'co-occurs with' if view == 'cooccur' else 'items similar to'} {ds.item_label(row)}"
        held = None
    else:
        table = user_recommendations(ds, model, args.user, args.k)
        prof = user_profile(ds, args.user)
        held = prof["test_item"]
        head = f"{args.model}: top {args.k} unseen items for user {args.user}"
    if args.json:
        print(_json({"model": args.model, "query": args.item or args.user,
                     "view": view if args.item is not None else "user", "results": table.to_dict("records")}))
        return 0
    print(head)
    for r in table.itertuples():
        year = f" ({r.year})" if r.year else ""
        mark = "  <- held-out test item" if held is not None and r.item_id == held else ""
        print(f"{r.rank:>3}. {r.score:8.4f}  {r.title}{year}  [{r.genres}]{mark}")
    return 0


def cmd_synth(args) -> int:
    from recall_core.data.movielens_shaped import SynthConfig, parse_count, write_synth

    cfg = SynthConfig(users=parse_count(args.users, "--users"), items=parse_count(args.items, "--items"),
                      ratings=parse_count(args.ratings, "--ratings"), seed=parse_count(args.seed, "--seed"))
    s = write_synth(args.out, cfg, force=args.force)
    print(f"wrote {s['out']}: {s['users']:,} users, {s['items']:,} items, {s['ratings']:,} ratings "
          f"(seed {s['seed']}) in {s['total_seconds']:.1f}s")
    return 0


def cmd_index_bench(args) -> int:
    from recall_core.index import bench

    if args.queries < 1:
        raise UsageError(f"--queries must be at least 1, got {args.queries}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.model is not None and (args.dim is not None or args.metric is not None):
        raise UsageError("--dim and --metric describe synthetic vectors; a stored model has its own")
    dim = 64 if args.dim is None else args.dim
    if dim < 1:
        raise UsageError(f"--dim must be at least 1, got {dim}")
    kinds, params, sweeps, reorders, rounds = _synthetic_options(args, bench)
    bar = ProgressBar()
    if args.crossover:
        result = bench.crossover(dim=dim, metric=args.metric or "ip", n_queries=min(args.queries, 500),
                                 seed=args.seed, progress=bar)
    elif args.synthetic_items is not None:
        from recall_core.data.movielens_shaped import parse_count

        n = parse_count(args.synthetic_items, "--synthetic-items")
        if n < 1:
            raise UsageError(f"--synthetic-items must be at least 1, got {args.synthetic_items}")
        if n * dim > 500_000_000:  # 2 GB of float32, before the indexes' own copies
            raise UsageError(f"--synthetic-items {n:,} x --dim {dim} is {n * dim * 4 / 1e9:.1f} GB of vectors; "
                             "this benchmark allows up to 2 GB")
        result = bench.bench_synthetic(n, dim, args.metric or "ip", args.queries, args.seed, progress=bar,
                                       kinds=kinds, params=params, sweeps=sweeps, reorders=reorders, rounds=rounds)
    else:
        from recall_core.analysis.serving import measure
        from recall_core.store import load_trained

        ds = _dataset(args)
        model = load_trained(ds, _store(args), args.model)
        result = {"source": {"model": args.model, "dataset": ds.name},
                  **measure(model, n_queries=args.queries, seed=args.seed, progress=bar)}
    if args.json:
        print(_json(result))
        return 0
    print(bench.format_result(result))
    return 0


def _positive(value: str, flag: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f"{flag} must be a positive integer, got {value!r}") from None
    if n < 1:
        raise UsageError(f"{flag} must be a positive integer, got {value!r}")
    return n


def _synthetic_options(args, bench) -> tuple[tuple[str, ...], dict, dict, tuple[int, ...] | None, int]:
    """``index-bench``'s ``--kinds``, ``--hnsw-m``, ``--ef-construction``, ``--ef-search``, ``--reorder`` and
    ``--rounds`` (synthetic only)."""
    given = (("--kinds", args.kinds), ("--hnsw-m", args.hnsw_m), ("--ef-construction", args.ef_construction),
             ("--ef-search", args.ef_search), ("--reorder", args.reorder), ("--rounds", args.rounds))
    tuned = [f for f, v in given if v is not None]
    if tuned and args.synthetic_items is None:
        raise UsageError(f"{', '.join(tuned)}: only with --synthetic-items")
    kinds = bench.KINDS
    if args.kinds is not None:
        kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
        unknown = [k for k in kinds if k not in bench.KINDS]
        if unknown or not kinds:
            raise UsageError(f"--kinds: unknown kind(s) {', '.join(unknown) or repr(args.kinds)}; "
                             f"known: {', '.join(bench.KINDS)}")
    build = {}
    if args.hnsw_m is not None:
        build["M"] = _positive(args.hnsw_m, "--hnsw-m")
    if args.ef_construction is not None:
        build["efConstruction"] = _positive(args.ef_construction, "--ef-construction")
    params = {"hnsw": build, "hnsw-l2": build} if build else {}
    sweeps = {}
    if args.ef_search is not None:
        values = tuple(_positive(v.strip(), "--ef-search") for v in args.ef_search.split(",") if v.strip())
        if not values:
            raise UsageError(f"--ef-search: no values in {args.ef_search!r}")
        sweeps = {"hnsw": ("efSearch", values), "hnsw-l2": ("efSearch", values)}
    reorders = None
    if args.reorder is not None:
        parts = [v.strip() for v in args.reorder.split(",") if v.strip()]
        if not parts or any(v not in ("0", "1") for v in parts) or parts != sorted(set(parts)):
            raise UsageError(f"--reorder must be 0, 1 or 0,1, got {args.reorder!r}")
        reorders = tuple(int(v) for v in parts)
    rounds = 1 if args.rounds is None else _positive(args.rounds, "--rounds")
    return kinds, params, sweeps, reorders, rounds


def cmd_import(args) -> int:
    from recall_core.io.projector import import_model, read_vectors

    if bool(args.users) != bool(args.user_ids):
        raise UsageError("--users and --user-ids go together (the user vectors and their ids)")
    items = read_vectors(_path(args.vectors), _path(args.ids), "item")  # bad files fail before the data is read
    users = read_vectors(_path(args.users), _path(args.user_ids), "user") if args.users else None
    ds = _dataset(args)
    report = import_model(ds, _store(args), args.name, items, users, metric=args.metric)
    for line in report.lines():
        print(line)
    print(("replaced the earlier import; " if report.replaced else "") + f"stored in {model_dir(_store(args), ds.key, args.name)}")
    return 0


def cmd_export(args) -> int:
    from recall_core.store import load_trained
    from recall_core.io.projector import export_projector, reimport_command

    ds = _dataset(args)
    model = load_trained(ds, _store(args), args.model)
    paths = export_projector(ds, model, _path(args.out), args.view)
    for p in paths:
        print(f"wrote {p}")
    print(f"open them in https://projector.tensorflow.org (Load: vectors, then metadata); read them back with:\n"
          f"  {reimport_command(model, _path(args.out), args.view)}")
    return 0


def _judgments_db(args):
    from recall_core.judge.summary import open_db

    ds = _dataset(args)
    return ds, open_db(ds, _store(args))


def cmd_judgments_summary(args) -> int:
    from recall_core.judge.summary import format_summary, summarize

    if args.k < 1:
        raise UsageError(f"--k must be at least 1, got {args.k}")
    if args.rounds < 1:
        raise UsageError(f"--rounds must be at least 1, got {args.rounds}")
    ds, db = _judgments_db(args)
    store = _store(args)
    models = None
    if args.models:
        from recall_core.store import stored_models

        models = [m.strip() for m in args.models.split(",") if m.strip()]
        stored = stored_models(ds, store)
        missing = [m for m in models if m not in stored]
        if missing:
            raise UnknownIdError(f"not in the store {dataset_dir(store, ds.key)}: {', '.join(missing)} "
                                 f"(stored: {', '.join(stored) or 'none'})")
    s = summarize(ds, store, args.kind, models, args.k, n_boot=args.rounds, db=db)
    if args.json:
        print(_json(s))
    else:
        print(format_summary(s))
        other = "user" if args.kind == "item" else "item"
        if n := len(db.current_graded(other)):
            print(f"\n({n:,} graded judgments of {other} probes too: --kind {other})")
    return 1 if s["errors"] else 0


def cmd_judgments_export(args) -> int:
    from recall_core.judge import exchange

    if args.k < 1:
        raise UsageError(f"--k must be at least 1, got {args.k}")
    if args.model and args.format != "run":
        raise UsageError(f"--model is for --format run (a run file is one model's lists), not {args.format}")
    ds, db = _judgments_db(args)
    if args.format == "csv":
        text = exchange.export_csv(db, args.kind)
    elif args.format == "qrels":
        text = exchange.export_qrels(db, args.kind)
    else:
        text = exchange.export_run(ds, _store(args), db, args.model, args.kind, args.k)
    sys.stdout.write(text)
    if not db.exists():
        print(f"note: no judgments yet in {db.path}", file=sys.stderr)
    return 0


def cmd_judgments_import(args) -> int:
    from recall_core.judge.exchange import import_file

    ds, db = _judgments_db(args)
    r = import_file(db, ds, _path(args.file), args.judge)
    print(f"read {r['read']:,} judgment(s) from {args.file} ({r['format']}); stored {r['stored']:,}"
          + (f", skipped {r['skipped']:,} already stored" if r["skipped"] else "") + f" in {db.path}")
    return 0


def cmd_tune(args) -> int:
    from recall_core.evaluation.references import ease_row
    from recall_core.store import tuning_db
    from recall_core.tuning.study import Budget, Settings, parse_tune_models, tune_models

    names = parse_tune_models(args.models)  # bad names and a bad budget fail before any data is read
    budget = Budget(args.trials, args.minutes)
    settings = Settings(seed=args.seed, pruner=not args.no_pruner, patience=args.patience,
                        lock_timeout=args.lock_timeout)
    ds = _dataset(args)
    store = _store(args)
    bar = ProgressBar()
    results = tune_models(ds, names, store, budget, settings, bar, fresh=args.fresh)
    ease = ease_row(ds, store)  # the EASE reference: read if kept, else computed once and kept
    if args.json:
        print(_json({"dataset": ds.name, "fingerprint": ds.fingerprint, "budget": budget.to_dict(),
                     "settings": settings.study_attrs(), "models": results, "ease": ease}))
        return 1 if any(r.get("error") for r in results) else 0
    limit = f"{budget.trials} trials" + (f" or {budget.minutes:g} min" if budget.minutes else "")
    print(f"{ds.name}: every model tuned on validation with the same budget: {limit} per model "
          f"(seed {settings.seed}; {settings.study_attrs()['sampler']}; pruner {settings.study_attrs()['pruner']}; "
          f"early stopping after {settings.patience} epochs without gain)\n")
    head = ["model", "trials", "pruned", "trial min", "total min", "default valid HR@10", "tuned valid HR@10",
            "epochs", "kept", "test HR@10 (reported)"]
    done = [r for r in results if not r.get("error")]
    rows = [[r["model"], r["trials"], r["pruned"], f"{r['minutes']:.1f}", f"{r['seconds'] / 60:.1f}",
             f"{r['default_valid']:.4f}",
             f"{r['best_valid']:.4f}", r["params"].get("epochs", "-"), r["chosen"],
             f"{r['test'].get('hr@10', float('nan')):.4f}"] for r in done]
    widths = [max(len(str(x)) for x in col) + 2 for col in zip(head, *rows)]
    for row in [head, *rows]:
        print(f"{row[0]:<{widths[0]}}" + "".join(f"{str(c):>{w}}" for c, w in zip(row[1:], widths[1:])))
    for r in results:
        if r.get("error"):
            print(f"{r['model']:<{widths[0]}}FAILED   {r['error']}")
    if ease["metrics"]:
        print(f"\nease (reference): {ease['note']}; test HR@10 {ease['metrics']['hr@10']:.4f} (reported)")
    else:
        print(f"\nease (reference): {ease['note']}")
    print(f"stored in {dataset_dir(store, ds.key)}; studies in {tuning_db(store, ds.key)}")
    failed = [r["model"] for r in results if r.get("error")]
    if failed:
        print(f"error: {len(failed)} model(s) could not be tuned: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
