"""The words of the app, fixed once: one English and one Chinese word per concept, and the nouns a dataset fills.

:data:`GLOSSARY` holds one :class:`Term` per concept of the tutorial (召回, 物料库, 负采样, 温度系数, 冷启动, 会话,
辅助信息, 共现, 轮, ...): the word every text uses in each language, and the variants no text may use
(``en_avoid`` / ``zh_avoid``, regular expressions). ``tests/app/test_i18n.py`` checks every catalogue text
(``en.py``, ``zh.py``) and every model class's own English text against it, and that each term is used.

:data:`NOUNS` holds the dataset-dependent nouns (a film, its genres). Catalogue texts never name films or
genres themselves: they write ``{_item}``, ``{_items}``, ``{_genre}`` ... and :func:`recall_core.app.i18n.text`
fills them from the noun set in use (``"movies"`` unless :func:`recall_core.app.i18n.use_nouns` chose
another), so a dataset that is not about movies can say "item" / "category" (物品 / 类别) by choosing the
``"items"`` set. English needs singular, plural, capitalised forms and the article; Chinese needs the noun and
its measure word (``{n} {_unit}{_item}``: "3 部电影", "3 个物品").
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One concept: ``en`` / ``zh`` is the word the texts use (``en`` matched case-insensitively);
    ``en_avoid`` / ``zh_avoid`` are regular expressions no text of that language may match."""

    key: str
    en: str
    zh: str
    en_avoid: tuple[str, ...] = ()
    zh_avoid: tuple[str, ...] = ()
    note: str = ""


GLOSSARY: tuple[Term, ...] = (
    Term("recall", "recall", "召回", zh_avoid=("检索召回",)),
    Term("catalogue", "catalogue", "物料库", en_avoid=(r"\bcatalogs?\b",),
         zh_avoid=("目录", "片库", "物品库", "物料池", "全量候选集"),
         note="the whole item pool a model ranks (the chapter's 物料库); 目录 would read 'directory'"),
    Term("candidates", "candidate", "候选", zh_avoid=("备选",),
         note="the items a query is scored against (候选集, 候选向量)"),
    Term("negatives", "negative", "负样本", zh_avoid=("负例",)),
    Term("negative_sampling", "negatives", "负采样", zh_avoid=("负抽样", "负样本采样"),
         note="drawing the negatives: 负采样; one drawn item: 负样本"),
    Term("temperature", "temperature", "温度系数", zh_avoid=("温度(?!系数)",),
         note="τ; 温度系数 everywhere, never 温度 alone"),
    Term("cold_start", "cold", "冷启动", zh_avoid=("冷开始",), note="English: cold start / cold-start"),
    Term("session", "session", "会话", zh_avoid=("会期", r"\bsessions?\b")),
    Term("side_information", "side information", "辅助信息", en_avoid=(r"\bside info\b",),
         zh_avoid=("边信息", "侧信息", "附加信息", r"side information")),
    Term("co_occurrence", "co-occurs with", "共现", en_avoid=(r"appears? near", r"appears? within"),
         zh_avoid=("邻近出现",),
         note="the skip-gram score u · v (a window on both sides): 'co-occurs with', never 'appears near'"),
    Term("epoch", "epoch", "轮", zh_avoid=(r"\bepochs?\b", "轮次", "周期"),
         note="每轮, 第 3 轮, {n} 轮训练"),
    Term("bits", "bits", "比特", zh_avoid=(r"\bbits?\b",)),
    Term("look_for", "What to look for", "值得关注之处", zh_avoid=("看点",)),
    Term("embedding", "embedding", "嵌入", zh_avoid=("埋入", r"\bembeddings?\b")),
    Term("popularity", "popularity", "热度", zh_avoid=("流行度",)),
    Term("norm", "norm", "范数", zh_avoid=("模长",)),
    Term("in_batch", "in-batch", "批内", zh_avoid=("批次内",)),
    Term("attention", "attention", "注意力"),
    Term("walk", "walk", "游走"),
    Term("held_out", "held-out", "留出", zh_avoid=("保留出",)),
    Term("validation", "validation", "验证集", zh_avoid=("校验集",)),
    Term("store", "store", "模型库", zh_avoid=("存储库",)),
    Term("leaderboard", "leaderboard", "排行榜", zh_avoid=("排名榜",)),
    Term("overview_page", "Overview", "概览", zh_avoid=(r"\bOverview\b",), note="a page is named by its title"),
)

#: The Chinese texts keep these words in English (method, library and metric names; the zh-run test's
#: "English outside data" check does not count them).
KEPT_IN_ENGLISH: tuple[str, ...] = (
    "softmax", "skip-gram", "logQ", "gensim", "numpy", "Keras", "faiss", "UMAP", "HNSW", "IVF", "IVF-PQ", "ANN",
    "Spearman", "Fisher", "ReLU", "BatchNorm", "tanh", "dropout", "sigmoid", "BCE", "CBOW", "Dense", "MovieLens",
    "Airbnb", "TensorFlow", "Projector", "Embedding Atlas", "top-K", "top-N", "HR", "NDCG", "MRR", "I2I", "U2I",
    "Coverage", "Jaccard", "Vector Recall Explorer", "MB", "ms",
)

#: Dataset-dependent nouns: ``{noun set: {language: {placeholder: word}}}``. Every set has the same
#: placeholders per language (a test checks it).
NOUNS: dict[str, dict[str, dict[str, str]]] = {
    "movies": {
        "en": {"_item": "movie", "_items": "movies", "_Item": "Movie", "_Items": "Movies", "_an_item": "a movie",
               "_An_item": "A movie",
               "_genre": "genre", "_genres": "genres", "_Genre": "Genre", "_Genres": "Genres"},
        "zh": {"_item": "电影", "_unit": "部", "_genre": "类型"},
    },
    "items": {
        "en": {"_item": "item", "_items": "items", "_Item": "Item", "_Items": "Items", "_an_item": "an item",
               "_An_item": "An item",
               "_genre": "category", "_genres": "categories", "_Genre": "Category", "_Genres": "Categories"},
        "zh": {"_item": "物品", "_unit": "个", "_genre": "类别"},
    },
}
DEFAULT_NOUNS = "movies"


def is_noun(field: str) -> bool:
    """Whether a ``{field}`` of a catalogue text is a noun placeholder (filled from :data:`NOUNS`)."""
    return field in NOUNS[DEFAULT_NOUNS]["en"] or field in NOUNS[DEFAULT_NOUNS]["zh"]


def term(key: str) -> Term:
    """The :class:`Term` named ``key`` (``KeyError`` for an unknown one)."""
    for t in GLOSSARY:
        if t.key == key:
            return t
    raise KeyError(key)
