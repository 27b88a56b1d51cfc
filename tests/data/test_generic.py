"""Your own log: generic folders (dataset.toml, CSV or Parquet), from_frames and save_generic give the same
Dataset; side information follows the declared columns (EGES fields, Airbnb markets, tower fields).

The bad-input table for cards and Parquet types is in tests/data/test_data_fuzz.py (GENERIC_ERROR_CASES); the
MovieLens reader rules run on generic folders there too ("generic" layout).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recall_core.data import from_frames, load_dataset
from recall_core.data.dataset import read_dataset
from recall_core.data.split import leave_last_out
from recall_core.data.planted import PLANTED_LOG_CARD, planted_log, write_planted_log
from recall_core.errors import DataError, UsageError

ROOT = Path(__file__).resolve().parents[2]
LOG = dict(user="customer", item="product", time="ts", time_format="iso8601", item_fields=["brand", "colour"],
           user_fields=["segment"])


def frames():
    return planted_log(n_clusters=3, items_per_cluster=5, users_per_cluster=4, history=4, noise=0.2, seed=1)


def core(ds):
    """Everything a model sees of a dataset, comparable across sources."""
    inter = ds.interactions[["user_id", "item_id", "rating", "timestamp"]]

    def plain(df):  # NaN and NA as None, so that == compares them
        return df.astype(object).where(df.notna(), None).to_dict("list")

    return (inter.to_dict("list"), plain(ds.items), plain(ds.users),
            ds.item_vocab.ids.tolist(), ds.user_vocab.ids.tolist(), ds.fingerprint, ds.genres, ds.schema)


# --------------------------------------------------------------------------- the same Dataset every way


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_folder_and_frames_give_the_same_dataset(tmp_path, fmt):
    inter, items, users = frames()
    ds_f = from_frames(inter, items, users, name="shop", **LOG)
    folder = write_planted_log(tmp_path / "shop", format=fmt, n_clusters=3, items_per_cluster=5, users_per_cluster=4,
                               history=4, noise=0.2, seed=1)
    ds_d = read_dataset(str(folder), parse_cache=False)
    a, b = core(ds_f), core(ds_d)
    assert a[:6] == b[:6]
    assert ds_d.layout == "generic" and ds_f.layout == "frames"
    assert ds_f.key == f"shop-{ds_f.fingerprint[:6]}"


def test_string_ids_iso_times_and_fields_hand_checked():
    inter = pd.DataFrame({"customer": ["c-1", "c-1", "c-2", "c-2"],
                          "product": ["sku-00017", "sku-00002", "sku-00017", "sku-00002"],
                          "ts": ["2021-03-04T10:00:00+02:00", "2021-03-04T09:30:00Z", "2021-03-04", "2021-03-05T00:00"]})
    items = pd.DataFrame({"product": ["sku-00002", "sku-00017"], "brand": ["acme", None], "colour": ["red", "red"]})
    ds = from_frames(inter, items, user="customer", item="product", time="ts", time_format="iso8601",
                     item_fields=["brand", "colour"])
    # 10:00+02:00 is 08:00 UTC: before 09:30Z; naive times are UTC.
    assert ds.interactions["timestamp"].tolist() == [1614844800, 1614850200, 1614816000, 1614902400]
    assert ds.item_vocab.ids.tolist() == ["sku-00002", "sku-00017"] and "sku-00017" in ds.item_vocab
    assert ds.items["title"].tolist() == ["sku-00002", "sku-00017"]  # no title column: the id
    assert ds.items["brand"].tolist()[0] == "acme" and pd.isna(ds.items["brand"].tolist()[1])
    assert ds.interactions["rating"].tolist() == [1.0] * 4  # no rating column: every interaction counts 1
    assert ds.schema.item_fields == ("brand", "colour") and ds.schema.categories is None and ds.schema.year is None
    split = leave_last_out(ds)  # c-1: sku-00017 at 08:00Z, then sku-00002 at 09:30Z
    last = dict(zip(ds.user_vocab.ids[split.test_users], ds.item_vocab.ids[split.test_items]))
    assert last == {"c-1": "sku-00002", "c-2": "sku-00002"}


def test_times_finer_than_a_second_keep_their_order(tmp_path):
    """Three clicks within one second, written out of order: the internal whole seconds tie, so the rows are put
    in time order first and the last click is the held-out one (file order would pick the wrong one)."""
    inter = pd.DataFrame({"u": ["a"] * 4, "i": ["x", "z", "y", "w"],
                          "t": [1_600_000_000_900, 1_600_000_000_950, 1_600_000_000_100, 1_599_999_000_000]})
    ds = from_frames(inter, user="u", item="i", time="t", time_format="unix_ms")
    assert ds.interactions["item_id"].tolist() == ["w", "y", "x", "z"]
    assert set(ds.interactions["timestamp"].tolist()) == {1_600_000_000, 1_599_999_000}
    split = leave_last_out(ds)
    assert ds.item_vocab.ids[split.test_items].tolist() == ["z"]
    assert any("rows put in time order" in w for w in ds.load_report["warnings"])


def test_parquet_native_types(tmp_path):
    """A Parquet timestamp column (any zone) is read as its instants, list<string> categories as they are,
    integer ids become their decimal text, a date column gives the year."""
    import datetime as dt

    folder = tmp_path / "typed"
    folder.mkdir()
    pd.DataFrame({"u": pd.array([7, 7, 8], dtype="int64"), "i": pd.array([1, 2, 1], dtype="int32"),
                  "t": pd.to_datetime(["2021-01-01 01:00", "2021-01-01 02:00", "2021-01-02 00:00"]).tz_localize("Europe/Paris"),
                  "r": [4.5, 3.0, 5.0]}).to_parquet(folder / "interactions.parquet")
    pd.DataFrame({"i": [1, 2], "tags": [["a", "b", "a"], []], "released": [dt.date(1999, 5, 1), None],
                  "n": ["One", ""]}).to_parquet(folder / "items.parquet")
    (folder / "dataset.toml").write_text('[interactions]\nuser = "u"\nitem = "i"\ntime = "t"\ntime_format = "unix_s"\n'
                                         'rating = "r"\n[items]\ntitle = "n"\ncategories = "tags"\nyear = "released"\n')
    ds = read_dataset(str(folder), parse_cache=False)
    assert ds.interactions["user_id"].tolist() == ["7", "7", "8"] and ds.item_vocab.ids.tolist() == ["1", "2"]
    assert ds.interactions["timestamp"].tolist() == [1609459200, 1609462800, 1609542000]  # 01:00 Paris = 00:00 UTC
    assert ds.items["genres"].tolist() == [("a", "b"), ()] and ds.genres == ["a", "b"]
    assert ds.items["year"].tolist()[0] == 1999 and np.isnan(ds.items["year"].tolist()[1])
    assert ds.items["title"].tolist() == ["One", "2"]


def test_years_from_years_and_dates_and_the_rest_counted(tmp_path):
    folder = tmp_path / "y"
    folder.mkdir()
    (folder / "interactions.csv").write_text("u,i,t\na,1,1\na,2,2\na,3,3\na,4,4\na,5,5\n")
    (folder / "items.csv").write_text("i,y\n1,1995\n2,2003-07-01\n3,\n4,soon\n5,01-Jan-1987\n")
    (folder / "dataset.toml").write_text('[interactions]\nuser="u"\nitem="i"\ntime="t"\ntime_format="unix_s"\n'
                                         '[items]\nyear="y"\n')
    ds = read_dataset(str(folder), parse_cache=False)
    years = ds.items["year"].tolist()
    assert years[:2] == [1995, 2003] and np.isnan(years[2]) and np.isnan(years[3]) and years[4] == 1987
    assert any("1 value(s) of column 'y' are neither a year nor a date, left unknown (first: line 5, 'soon')" in w
               for w in ds.load_report["warnings"])


def test_one_category_per_item_is_fine_when_no_separator_occurs(tmp_path):
    inter, items, _ = frames()
    items = items.assign(kind=["tools" if b < "brand-B" else "toys" for b in items["brand"]])
    ds = from_frames(inter, items, user="customer", item="product", time="ts", time_format="iso8601",
                     categories="kind")
    assert ds.genres == ["tools", "toys"] and set(map(len, ds.items["genres"])) == {1}


@pytest.mark.parametrize("policy", ["error", "keep"])
def test_items_missing_from_the_item_file(policy):
    inter, items, _ = frames()
    items = items[items["product"] != "sku-00003"]
    if policy == "error":
        with pytest.raises(DataError, match=r"^interactions frame, row \d+: field 'product' rates item 'sku-00003', "
                                            r"which is not in the item file \(items frame\)$"):
            from_frames(inter, items, user="customer", item="product", time="ts", time_format="iso8601")
        return
    ds = from_frames(inter, items, user="customer", item="product", time="ts", time_format="iso8601",
                     item_fields=["brand"], unknown_items="keep")
    row = ds.item_vocab.index("sku-00003")
    assert row == ds.n_items - 1 and ds.items["title"].iat[row] == "sku-00003" and pd.isna(ds.items["brand"].iat[row])
    assert any("1 item(s) not in the item file kept with unknown side information" in w
               for w in ds.load_report["warnings"])


def test_from_frames_argument_errors():
    inter, items, users = frames()
    with pytest.raises(UsageError, match="unknown argument.*colour"):
        from_frames(inter, user="customer", item="product", time="ts", colour="x")
    with pytest.raises(UsageError, match="item_fields given without items"):
        from_frames(inter, user="customer", item="product", time="ts", item_fields=["brand"])
    with pytest.raises(DataError, match=r"^interactions frame: missing column 'when' \(named by from_frames "
                                        r"\[interactions\] time\); the file has \['customer', 'product', 'ts'\]$"):
        from_frames(inter, user="customer", item="product", time="when")
    bad = inter.assign(ts=[object()] + [1] * (len(inter) - 1))
    with pytest.raises(DataError, match="^interactions frame: a column holds values of mixed types"):
        from_frames(bad, user="customer", item="product", time="ts")


def test_unknown_card_keys_are_warnings_not_errors(tmp_path):
    folder = write_planted_log(tmp_path / "shop")
    card = (folder / "dataset.toml").read_text().replace('[items]\n', '[items]\ncategores = "tags"\n')
    (folder / "dataset.toml").write_text(card + '\n[other_tool]\nanything = 1\n')
    ds = read_dataset(str(folder), parse_cache=False)
    assert ds.load_report["warnings"][0].startswith("dataset.toml: [items] key(s) 'categores' not known, ignored")


# --------------------------------------------------------------------------- save_generic


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_save_generic_round_trips_a_log_with_fields(tmp_path, fmt):
    inter, items, users = frames()
    ds = from_frames(inter, items, users, name="shop", item_noun="product", **LOG)
    out = ds.save_generic(tmp_path / "out", format=fmt)
    back = read_dataset(str(out), parse_cache=False)
    a, b = core(ds), core(back)
    assert a[0] == b[0] and a[3:6] == b[3:6]
    assert back.items[["item_id", "title", "brand", "colour"]].equals(ds.items[["item_id", "title", "brand", "colour"]])
    assert back.users.equals(ds.users)
    assert back.schema.item_fields == ("brand", "colour") and back.schema.user_fields == (("segment", "category"),)
    assert back.schema.item_noun == "product"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_save_generic_is_crash_safe_and_refuses_to_clobber(tmp_path, monkeypatch):
    from recall_core.data import generic

    ds = from_frames(*frames(), **LOG)
    ds.save_generic(tmp_path / "out")
    before = (tmp_path / "out" / "interactions.csv").read_bytes()
    with pytest.raises(UsageError, match="exists and is not empty"):
        ds.save_generic(tmp_path / "out")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="is not a generic dataset folder"):
        ds.save_generic(tmp_path / "plain", overwrite=True)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(generic, "_write_files", boom)
    with pytest.raises(OSError):
        ds.save_generic(tmp_path / "out", overwrite=True)
    with pytest.raises(OSError):
        ds.save_generic(tmp_path / "new")
    # The old folder is untouched, the new one never appeared, no temporary folder is left.
    assert (tmp_path / "out" / "interactions.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "plain"]


def test_parse_cache_holds_a_generic_folder_and_sees_a_changed_card(tmp_path, monkeypatch):
    from recall_core.data import parse_cache

    monkeypatch.setattr(parse_cache, "RACY_NS", 0)
    folder = write_planted_log(tmp_path / "shop")
    cold = read_dataset(str(folder), cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache" / "parsed").glob("*.npz"))
    warm = read_dataset(str(folder), cache_dir=tmp_path / "cache")
    assert core(warm) == core(cold) and warm.schema.sources == cold.schema.sources
    card = folder / "dataset.toml"
    card.write_text(card.read_text().replace('fields = ["brand", "colour"]', 'fields = ["brand"]'))
    os.utime(card, ns=(card.stat().st_atime_ns, card.stat().st_mtime_ns + 5_000_000_000))
    changed = read_dataset(str(folder), cache_dir=tmp_path / "cache")
    assert changed.schema.item_fields == ("brand",) and "colour" not in changed.items.columns


# --------------------------------------------------------------------------- side information follows the card


def test_eges_fields_airbnb_markets_and_tower_fields_follow_the_card():
    from recall_core.features.side_info import side_info
    from recall_core.features.towers import item_table, user_table

    inter = pd.DataFrame({"u": ["a", "a", "b", "b", "c"], "i": ["p1", "p2", "p2", "p3", "p1"], "t": [1, 2, 3, 4, 5]})
    items = pd.DataFrame({"i": ["p1", "p2", "p3"], "tags": ["kitchen|knives", "kitchen", "garden|kitchen"],
                          "made": ["1999", "", "2015-06-01"], "brand": ["acme", "acme", None]})
    users = pd.DataFrame({"u": ["a", "b", "c"], "tier": ["gold", "free", "free"]})
    ds = from_frames(inter, items, users, user="u", item="i", time="t", categories="tags", year="made",
                     item_fields=["brand"], user_fields=["tier"])
    train = leave_last_out(ds).train
    side = side_info(train)
    assert side.fields == ("item_id", "genres", "year", "brand", "popularity")
    assert side.item_field_values[0].tolist() == ["(unknown)", "acme"] and side.item_field_codes[0].tolist() == [1, 1, 0]
    # the most specific category: knives (1 item) for p1, kitchen (the only one) for p2, garden (1) for p3
    names = side.genre_names.tolist()
    assert [names[j] for j in side.primary_genre()] == ["knives", "kitchen", "garden"]
    it = item_table(train)
    assert list(it.fields) == ["item_id", "genre_ids", "genre_mask", "year", "item_field0"]
    assert it.fields["item_field0"].tolist() == [1, 1, 0] and it.item_fields == ("brand",)
    ut = user_table(train)
    assert list(ut.fields) == ["user_id", "tier"] and ut.fields["tier"].tolist() == [2, 1, 1]  # free=1, gold=2
    # nothing declared: only the id and popularity are EGES fields, the towers get only ids
    bare = leave_last_out(from_frames(inter, user="u", item="i", time="t")).train
    assert side_info(bare).fields == ("item_id", "popularity")
    assert list(item_table(bare).fields) == ["item_id"] and list(user_table(bare).fields) == ["user_id"]


def test_movielens_keeps_its_fields(ml100k):
    from recall_core.features.side_info import FIELDS, side_info
    from recall_core.features.towers import item_table, user_table

    train = leave_last_out(ml100k).train
    assert side_info(train).fields == FIELDS
    assert list(item_table(train).fields) == ["item_id", "genre_ids", "genre_mask", "year"]
    assert list(user_table(train).fields) == ["user_id", "gender", "age", "occupation", "zip"]


def test_cold_start_vector_uses_a_declared_item_field():
    """A new item embedded from a declared field: the mean of that field's value embedding (the only content
    field), so two brands give two different vectors and an unknown brand the field's unknown row."""
    from recall_core.models.eges import cold_start_vector

    d = 3
    ex = {"attention_fields": np.asarray(["item_id", "brand", "popularity"]),
          "cold_start_field_weights": np.asarray([0.7, 0.3], np.float32),
          "item_field_names": np.asarray(["brand"]), "item_field_values_0": np.asarray(["(unknown)", "acme", "zeta"]),
          "item_field_embeddings_0": np.arange(9, dtype=np.float32).reshape(3, d),
          "popularity_embeddings": np.ones((7, d), np.float32), "popularity_edges": np.asarray([1.0, 3.0])}
    np.testing.assert_allclose(cold_start_vector(ex, fields={"brand": "zeta"}), [6, 7, 8])
    np.testing.assert_allclose(cold_start_vector(ex, fields={"brand": "nope"}), [0, 1, 2])
    np.testing.assert_allclose(cold_start_vector(ex, fields={"brand": "acme"}, n_ratings=5), 0.7 * np.array([3, 4, 5])
                               + 0.3 * np.ones(3), rtol=1e-6)


# --------------------------------------------------------------------------- ML-100K both ways (acceptance)


@pytest.fixture(scope="module")
def ml100k_generic(ml100k, tmp_path_factory):
    return ml100k.save_generic(tmp_path_factory.mktemp("g") / "ml-100k-generic")


def test_ml100k_written_out_is_renamed_iso_and_piped(ml100k_generic):
    card = (ml100k_generic / "dataset.toml").read_text()
    assert 'time_format = "iso8601"' in card and 'category_sep = "|"' in card and 'user = "user"' in card
    head = (ml100k_generic / "interactions.csv").read_text().splitlines()[:2]
    assert head[0] == "user,item,rating,time" and head[1].endswith("Z") and "T" in head[1]
    assert (ml100k_generic / "items.csv").read_text().splitlines()[1] == "1,Toy Story,Animation|Children's|Comedy,1995"


def test_ml100k_both_ways_same_splits_and_bit_identical_mostpop(ml100k, ml100k_generic):
    from recall_core.data.split import leave_last_out
    from recall_core.evaluation import evaluate
    from recall_core.models.mostpop import MostPop

    g = read_dataset(str(ml100k_generic), parse_cache=False)
    assert g.fingerprint == ml100k.fingerprint and g.schema.domain == "movies"
    for holdout in ("test", "valid"):
        a, b = leave_last_out(ml100k, holdout), leave_last_out(g, holdout)
        for name in ("user_idx", "item_idx", "rating", "timestamp"):
            assert np.array_equal(getattr(a.train, name), getattr(b.train, name))
        assert np.array_equal(a.test_users, b.test_users) and np.array_equal(a.test_items, b.test_items)
    sa, sb = leave_last_out(ml100k), leave_last_out(g)
    ma = evaluate(MostPop().fit(sa.train).export(), sa)
    mb = evaluate(MostPop().fit(sb.train).export(), sb)
    assert json.dumps(ma, sort_keys=True) == json.dumps(mb, sort_keys=True)


@pytest.mark.slow
def test_ml100k_both_ways_train_mostpop_and_item2vec_through_the_cli(ml100k_generic, ml100k_trained, tmp_path):
    """The whole `train --models mostpop,item2vec` path on the native loader and on the generic folder:
    bit-identical metrics (and vectors). The native leg's training is the session's (tests/conftest.py: the same
    command in a process of its own), copied here; the generic leg trains here."""
    from tests.ml100k_fixture import copy_ml100k_store, train_through_the_cli

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = {}
    for label, dataset in (("native", "ml-100k"), ("generic", str(ml100k_generic))):
        store = tmp_path / f"store-{label}"
        if label == "native":
            copy_ml100k_store(ml100k_trained, store)
        else:
            train_through_the_cli(store, dataset)
        p = subprocess.run([sys.executable, "-m", "recall_core", "evaluate", "--dataset", dataset, "--store",
                            str(store), "--json"], env=env, capture_output=True, text=True, timeout=900)
        assert p.returncode == 0, p.stderr[-2000:]
        result = json.loads(p.stdout)
        out[label] = {m: {k: v for k, v in e.items() if k != "train_seconds"} for m, e in result["models"].items()}
        from recall_core.store import load_model

        ds = load_dataset(dataset)
        out[label]["vectors"] = load_model(store, ds.key, "item2vec").output.item_vectors
    vn, vg = out["native"].pop("vectors"), out["generic"].pop("vectors")
    assert set(out["native"]) == {"mostpop", "item2vec", "transition", "ease"}
    assert json.dumps(out["native"], sort_keys=True) == json.dumps(out["generic"], sort_keys=True)
    assert np.array_equal(vn, vg)


def test_user_labels_show_the_declared_user_fields():
    from recall_core.analysis.catalogue import user_choices

    inter, items, users = frames()
    ds = from_frames(inter, items, users, **LOG)
    ids, labels = user_choices(ds)
    n = int((ds.interactions["user_id"] == "c-0001").sum())
    assert labels["c-0001"] == f"user c-0001 · seg-1 · {n} ratings"
