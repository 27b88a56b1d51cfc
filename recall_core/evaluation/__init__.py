"""Leave-last-out evaluation: metrics and ``evaluate``."""
from recall_core.evaluation.evaluate import evaluate, evaluate_i2i, i2i_scores, u2i_scores
from recall_core.evaluation.metrics import KS, PROTOCOL, metrics_from_ranks, ranks_from_scores, top_k

__all__ = ["KS", "PROTOCOL", "evaluate", "evaluate_i2i", "i2i_scores", "metrics_from_ranks", "ranks_from_scores",
           "top_k", "u2i_scores"]
