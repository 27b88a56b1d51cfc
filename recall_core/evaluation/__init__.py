"""Leave-last-out evaluation: metrics and ``evaluate``."""
from recall_core.evaluation.evaluate import evaluate, evaluate_i2i, i2i_scores, no_evaluable_users, u2i_scores
from recall_core.evaluation.metrics import (INTERVALS, KS, PROTOCOL, bootstrap_intervals, metrics_from_ranks,
                                           ranks_from_scores, top_k)

__all__ = ["INTERVALS", "KS", "PROTOCOL", "bootstrap_intervals", "evaluate", "evaluate_i2i", "i2i_scores",
           "metrics_from_ranks", "no_evaluable_users", "ranks_from_scores", "top_k", "u2i_scores"]
