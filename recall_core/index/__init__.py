"""Vector indexes: exact search (:class:`VectorIndex`, numpy, ties by row) and ANN kinds (faiss HNSW and IVF,
imported only when one is built), one contract for both, and :func:`make_index` to choose."""
from recall_core.index.ann import AUTO_EXACT_BELOW, KINDS, AnnIndex, index_kind, make_index
from recall_core.index.vector_index import VectorIndex

__all__ = ["AUTO_EXACT_BELOW", "AnnIndex", "KINDS", "VectorIndex", "index_kind", "make_index"]
