from tests.conformance import ModelConformance


class TestItem2Vec(ModelConformance):
    model_name = "item2vec"
    overrides = {"epochs": 30, "embedding_dim": 16, "window": 3, "seed": 3}


class TestMostPop(ModelConformance):
    model_name = "mostpop"
    # Popularity knows no clusters: only the shape/seed/round-trip checks apply.
    i2i_purity = 0.0
    u2i_purity = 0.0
