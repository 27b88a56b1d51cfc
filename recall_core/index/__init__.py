"""Vector indexes: exact search (:class:`VectorIndex`, numpy, ties by row) and ANN kinds (faiss HNSW and IVF,
imported only when one is built), one contract for both, :func:`make_index` to choose, and :func:`index_for`: the
exact index of a model's view, kept per stored version (:mod:`recall_core.index.views`)."""
from recall_core.index.ann import AUTO_EXACT_BELOW, KINDS, AnnIndex, index_kind, make_index
from recall_core.index.vector_index import VectorIndex
from recall_core.index.views import index_for

__all__ = ["AUTO_EXACT_BELOW", "AnnIndex", "KINDS", "VectorIndex", "index_for", "index_kind", "make_index"]
