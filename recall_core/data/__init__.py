"""MovieLens data: loaders, vocabulary, leave-last-out split."""
from recall_core.data.dataset import DEFAULT_DATASET, Dataset, dataset_key, load_dataset
from recall_core.data.fetch import default_cache_dir, fetch_ml100k
from recall_core.data.split import Split, TrainData, leave_last_out, split_for
from recall_core.data.vocab import Vocabulary

__all__ = ["DEFAULT_DATASET", "Dataset", "Split", "TrainData", "Vocabulary", "dataset_key",
           "default_cache_dir", "fetch_ml100k", "leave_last_out", "load_dataset", "split_for"]
