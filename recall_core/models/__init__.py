"""Models. Importing this package registers every model module in it.

Model modules must not import TensorFlow at module level (they import it
inside ``fit``), so listing models and reading the store stays light. The
scan skips ``base``, subpackages and private modules (``_tf``: the Keras
parts, which import TensorFlow; ``_next_item``: a shared base class).
"""
import importlib
import pkgutil

from recall_core.models.base import (  # noqa: F401
    REGISTRY, ModelConfig, RecallModel, RecallOutput, get_model_class, model_names,
)

for _m in pkgutil.iter_modules(__path__):
    if _m.name != "base" and not _m.ispkg and not _m.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_m.name}")
