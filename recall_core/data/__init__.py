"""Datasets: MovieLens loaders (every release by name), your own log (dataset.toml or frames), vocabulary,
leave-last-out split, item rows as a table (:mod:`recall_core.data.tables`)."""
from recall_core.data.dataset import (
    DEFAULT_DATASET, NAMED_DATASETS, Dataset, dataset_key, from_frames, list_datasets, load_dataset,
)
from recall_core.data.fetch import MOVIELENS, default_cache_dir, fetch_ml100k, fetch_movielens
from recall_core.data.schema import Schema
from recall_core.data.split import Split, TrainData, leave_last_out, split_for
from recall_core.data.tables import item_table
from recall_core.data.vocab import Vocabulary

__all__ = ["DEFAULT_DATASET", "MOVIELENS", "NAMED_DATASETS", "Dataset", "Schema", "Split", "TrainData", "Vocabulary",
           "dataset_key", "default_cache_dir", "fetch_ml100k", "fetch_movielens", "from_frames", "item_table",
           "leave_last_out", "list_datasets", "load_dataset", "split_for"]
