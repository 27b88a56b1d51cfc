"""Files in and out of the store: vectors trained elsewhere (import) and stored models as files (export).

:mod:`recall_core.io.projector` reads TensorFlow Projector TSV pairs and ``.npy`` arrays with an ids file,
matches them to the dataset's ids, stores them as a model (class ``imported``), and writes any stored model
as a Projector TSV pair. No streamlit here: the CLI and the Overview's upload widget both call it.
"""
