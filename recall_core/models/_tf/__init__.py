"""Keras 3 (TensorFlow backend) parts of the TensorFlow models (FM, DSSM, YouTubeDNN, EGES), by job.

* :mod:`.runtime`: the one way into TensorFlow: fixed thread pools, then per fit seeds, op determinism, a fresh session.
* :mod:`.layers`: masked mean pooling, the user-feature block, DNN, L2 normalisation, inputs from a batch dict.
* :mod:`.losses`: full and sampled softmax, the logQ correction and its negative sampler.
* :mod:`.training`: batches, the Adam loop, chunked prediction.

Importing this package imports and configures TensorFlow (:func:`.runtime.tensorflow`), so every
module in it may import ``keras`` at module level. Model modules import it inside ``fit`` only,
and the registry scan in :mod:`recall_core.models` skips it: listing models never loads TensorFlow.
"""
from recall_core.models._tf.runtime import tensorflow

tensorflow()
