"""Every user-visible string of the FM, DSSM and YouTubeDNN sections, in English and Simplified Chinese.

Data, titles and column names stay as they are; only the explanations are translated.
``{name}`` fields are filled by :func:`_t`.
"""
from __future__ import annotations

EN = {
    # shared
    "pick_user": "User",
    "pick_movie": "Movie (the user's top 10 first)",
    "look_for": "What to look for (checked on this data)",
    "differs": "How this differs from the tutorial",
    "with_user_id": "the user id",
    "without_user_id": "no user id",
    # FM
    "fm_idea": ("An FM scores every pair of features with the inner product of their embeddings, so a (user, movie) "
                "pair is scored by the user's features, the movie's features and every user-movie feature pair. "
                "The terms that involve only the user are the same for every movie, so dropping them changes no "
                "ranking and leaves a score that splits exactly into a user vector and a movie vector."),
    "fm_identity": ("Two-tower score `[1; Σv_u]·[item terms; Σv_t]` = **{two:.5f}**; full score − user-only terms = "
                    "{full:.5f} − ({uo:.5f}) = **{diff:.5f}** (difference {err:.1e}). The stored user vector · stored "
                    "movie vector gives {stored:.5f}."),
    "fm_cross_caption": ("Each user feature's share of the cross term, x_u v_u · Σ v_t x_t (the shares sum to the cross "
                         "term; history features carry decaying weights that sum to 1)."),
    "fm_check_identity": "Two-tower score = full score − user-only terms for this pair (difference {err:.1e}).",
    "fm_check_stored": ("The stored vectors give the same score (difference {err:.1e}); the movie vectors recomputed "
                        "from the stored FM tables match the stored ones (largest difference {cand_err:.1e})."),
    "fm_check_rank": ("The user-only terms add the same {uo:.4f} to all {n} movies: ranking by the full FM score "
                      "and by the two-tower score gives the same top 10."),
    "fm_check_softmax_bias": ("w0 and every user weight w_u are exactly 0: in a softmax over movies they cancel, "
                              "get no gradient and keep their initial value."),
    "fm_check_history": "The history features carry {share:.0%} of the cross term's absolute size for this pair.",
    "fm_diff_softmax": ("Loss: a full softmax over the {n_items} movies (the user-only terms cancel in it); the "
                        "tutorial's code trains a pointwise sigmoid (BCE) on sampled negatives."),
    "fm_diff_bce": ("Loss: pointwise sigmoid (BCE) on the full FM score with {num_negatives} uniform negatives per "
                    "positive, as in the tutorial's code, except that a movie the user rated is never a negative."),
    "fm_diff_history": ("User features include the last {history_len} movies before the target (weights "
                        "{decay}^j, normalised to sum 1); the tutorial's user features are the profile only."),
    "fm_diff_no_history": "No history features: the user side is the profile only, as in the tutorial.",
    "fm_diff_examples": ("Trained on next-item examples (features from the history strictly before each target), "
                         "at most {cap} per user."),
    "fm_diff_score": ("Movies are ranked by the trained score itself (inner product with the bias coordinate), "
                      "not by the cosine of the embeddings."),
    "fm_diff_typo": ("Follows the tutorial's text: the item-only pairwise term uses `x_t²` where the text writes "
                     "`x_u²` (a typo)."),
    # DSSM
    "dssm_idea": ("Two towers map a user and a movie to unit vectors, and their cosine divided by a temperature τ "
                  "is the logit. In a batch, each user's own movie is the positive and the other users' movies are "
                  "the negatives; subtracting log q (how often a movie appears in batches) keeps popular movies from "
                  "being pushed down just for being frequent negatives."),
    "dssm_batch": "Batch",
    "dssm_logq_box": "logQ correction",
    "dssm_source_training": ("A batch of 8 training examples, one per user, stored at training time with the user "
                             "tower applied to each example's own history (training used batches of the configured "
                             "size; 8 keeps the matrix readable). Rows: users; columns: the batch's positives."),
    "dssm_source_serving": ("This stored model predates the stored sample batch: 8 seeded users with a positive drawn "
                            "from their training history, scored with their serving vectors (full history). Retrain "
                            "for the vectors training saw. Rows: users; columns: the batch's positives."),
    "dssm_matrix": "Logits cos(u, v) / τ (before the correction)",
    "dssm_row": "Softmax row of",
    "dssm_row_title": "Softmax over the batch (the positive in colour)",
    "dssm_check_rows": "Every softmax row sums to 1 (largest deviation {err:.1e}).",
    "dssm_check_own": "At τ = {tau:g}, {k} of {b} users give their own positive the largest probability.",
    "dssm_check_entropy": ("Lower τ sharpens the row: its entropy is {h:.2f} bits at τ = {tau:g} and {h1:.2f} bits "
                           "at τ = 1 (uniform: {hmax:.2f} bits)."),
    "dssm_check_logq": ("The correction lifts rare positives most: {rare} ({n_rare} training ratings) gets "
                        "+{c_rare:.2f}, {pop} ({n_pop}) gets +{c_pop:.2f}."),
    "dssm_check_full": ("This model was trained with a full softmax over the catalogue, not in-batch: the batch "
                        "view shows the mechanism it did not use."),
    "dssm_diff_in_batch": ("In-batch softmax (batches of {batch_size}) with the logQ correction; the tutorial trains "
                           "pointwise: sigmoid of the cosine with BCE on sampled negatives."),
    "dssm_diff_in_batch_no_logq": ("In-batch softmax (batches of {batch_size}) without the logQ correction; the "
                                   "tutorial trains pointwise: sigmoid of the cosine with BCE on sampled negatives."),
    "dssm_diff_full": ("A full softmax over the {n_items} movies; the tutorial trains pointwise: sigmoid of the "
                       "cosine with BCE on sampled negatives."),
    "dssm_diff_tau": "The logit is cos / τ with τ = {tau:g}; the tutorial's sigmoid of the cosine has no temperature.",
    "dssm_diff_relu": "ReLU towers (hidden layers {hidden}); the tutorial's towers use tanh, BatchNorm and dropout.",
    "dssm_diff_tutorial_tower": "The tutorial's towers: Dense + BatchNorm + tanh + dropout {dropout:g}.",
    "dssm_diff_features": ("User tower: {user_id}, the demographics, and the history (mean of the last "
                           "{history_len} movies, mean of the last {recent_k}, the last one; padding masked); the "
                           "tutorial's user tower sees profile features only."),
    "dssm_diff_examples": "Next-item examples, at most {cap} per user.",
    # YouTubeDNN
    "ytb_idea": ("YouTubeDNN predicts the next movie a user watches with a softmax over the whole catalogue, from "
                 "the user's history, profile and the example's age. Each training example only sees the history "
                 "before its target (the \"rollback\"), and the age tells the model how long ago the example was, "
                 "so at serving it can be asked about \"now\"."),
    "ytb_examples": "The training examples of this user",
    "ytb_examples_caption": ("{n} training interactions give {m} candidate examples (every target after the first); "
                             "the cap of {cap} per user keeps {kept} of them (a seeded random subset, what training "
                             "saw). Each history holds at most {history_len} movies before its target."),
    "ytb_ages": "Scores of a few movies as the serving age varies",
    "ytb_ages_caption": ("The user's top 5 at the model's serving age ({serve}) and the three most popular unseen "
                         "movies; each column scores them with the user tower at that age (stored at training time)."),
    "ytb_check_ages": ("This user's examples run from {newest:.0f} days old (newest) to {oldest:.0f} days old; "
                       "older examples get a larger a."),
    "ytb_check_oracle": ("The scores at the serving age equal the stored user recommendations' scores (largest "
                         "difference {err:.1e})."),
    "ytb_check_overlap": "The top 10 at {serve} and at {old} share {k} movies.",
    "ytb_check_popularity": "Mean training count of the top 10 by serving age: {pops}.",
    "ytb_check_extrapolate": ("The oldest training example is {oldest:.0f} days old: the scores at {ages} "
                              "extrapolate beyond any age the model saw."),
    "ytb_sample": "The age grid was stored for a seeded sample of {m} users.",
    "ytb_no_age_view": "This model has no example age feature: its scores are the same at every serving age.",
    "ytb_diff_full": ("Full softmax over all {n_items} movies (exact and cheap at this size); the paper samples the "
                      "negatives."),
    "ytb_diff_sampled": ("Sampled softmax with {num_sampled} negatives drawn from count^{alpha:g} and the matching "
                         "logQ correction, as in the paper."),
    "ytb_diff_cap": ("At most {cap} examples per user (a seeded random subset of all next-watch targets); the tutorial "
                     "gives every user a fixed number of examples."),
    "ytb_diff_table": ("The movie vectors are the softmax's output table, not normalised (a movie's norm can carry its "
                       "popularity); the user vector is L2-normalised and the score is their inner product."),
    "ytb_diff_age_zero": ("Example age log1p(days / {unit:g}) and its square are tower inputs, and users are served at "
                          "age 0, as in the paper."),
    "ytb_diff_age_user": ("Example age log1p(days / {unit:g}) and its square are tower inputs; users are served at "
                          "their own age (now − their last training time), where the paper serves at 0."),
    "ytb_diff_no_age": "No example age feature (the paper has one).",
    "ytb_diff_history": ("History pooled three ways (mean of the last {history_len}, mean of the last {recent_k}, the "
                         "last one), padding masked."),
}

ZH = {
    "pick_user": "用户",
    "pick_movie": "电影（该用户的前 10 名排在最前）",
    "look_for": "看点（已在本数据上核对）",
    "differs": "与教程的不同之处",
    "with_user_id": "用户 ID",
    "without_user_id": "不含用户 ID",
    "fm_idea": ("FM 用两个特征嵌入向量的内积为每一对特征的交互打分，因此一个（用户，电影）对的得分由用户特征、电影特征以及"
                "每一对用户–电影特征交互共同构成。只涉及用户的项对所有电影都相同，去掉它们不会改变任何排序，剩下的得分"
                "恰好可以拆成一个用户向量和一个电影向量的内积。"),
    "fm_identity": ("双塔得分 `[1; Σv_u]·[物品项; Σv_t]` = **{two:.5f}**；完整得分 − 仅用户项 = {full:.5f} − ({uo:.5f}) = "
                    "**{diff:.5f}**（差值 {err:.1e}）。存储的用户向量 · 存储的电影向量 = {stored:.5f}。"),
    "fm_cross_caption": ("每个用户特征在交叉项中的份额 x_u v_u · Σ v_t x_t（各份额之和即交叉项；历史特征的权重随时间衰减，"
                         "总和为 1）。"),
    "fm_check_identity": "对这一对，双塔得分 = 完整得分 − 仅用户项（差值 {err:.1e}）。",
    "fm_check_stored": ("存储的向量给出同样的得分（差值 {err:.1e}）；由存储的 FM 参数表重新计算的电影向量与存储的一致"
                        "（最大差值 {cand_err:.1e}）。"),
    "fm_check_rank": "仅用户项给全部 {n} 部电影都加上同一个 {uo:.4f}：按完整 FM 得分排序和按双塔得分排序，前 10 名完全相同。",
    "fm_check_softmax_bias": "w0 和所有用户一阶权重 w_u 都恰好为 0：在对电影的 softmax 中它们相互抵消，得不到梯度，保持初始值。",
    "fm_check_history": "对这一对，历史特征占交叉项绝对值的 {share:.0%}。",
    "fm_diff_softmax": "损失：对全部 {n_items} 部电影做完整 softmax（仅用户项在其中抵消）；教程的代码用逐点 sigmoid（BCE）加采样负样本训练。",
    "fm_diff_bce": ("损失：对完整 FM 得分做逐点 sigmoid（BCE），每个正样本配 {num_negatives} 个均匀采样的负样本，与教程代码"
                    "相同，只是用户评过分的电影永远不会被当作负样本。"),
    "fm_diff_history": "用户特征包含目标之前的最近 {history_len} 部电影（权重 {decay}^j，归一化为和 1）；教程的用户特征只有画像。",
    "fm_diff_no_history": "没有历史特征：用户侧只有画像，与教程相同。",
    "fm_diff_examples": "用下一物品样本训练（特征只来自每个目标之前的历史），每个用户最多 {cap} 个。",
    "fm_diff_score": "按训练得到的得分本身排序（带偏置坐标的内积），而不是嵌入向量的余弦。",
    "fm_diff_typo": "遵循教程正文：仅物品的二阶项用 `x_t²`，正文此处写成了 `x_u²`（笔误）。",
    "dssm_idea": ("两个塔把用户和电影映射为单位向量，二者的余弦除以温度 τ 即为 logit。在一个批次中，每个用户自己的电影是正样本，"
                  "其他用户的电影是负样本；减去 log q（电影在批次中出现的频率）可以避免热门电影仅仅因为经常充当负样本而被压低。"),
    "dssm_batch": "批次",
    "dssm_logq_box": "logQ 校正",
    "dssm_source_training": ("一个由 8 个训练样本组成的批次，每个用户一个，在训练时存储，用户塔作用于每个样本自己的历史"
                             "（训练使用配置的批大小；取 8 是为了让矩阵易读）。行：用户；列：批次中的正样本。"),
    "dssm_source_serving": ("此存储模型早于样本批次的导出：随机（固定种子）选 8 个用户，从其训练历史中抽一个正样本，用其线上"
                            "服务向量（完整历史）打分。重新训练即可看到训练时的向量。行：用户；列：批次中的正样本。"),
    "dssm_matrix": "Logit：cos(u, v) / τ（校正前）",
    "dssm_row": "查看该用户的 softmax 行",
    "dssm_row_title": "批内 softmax（彩色为正样本）",
    "dssm_check_rows": "每一行 softmax 之和都为 1（最大偏差 {err:.1e}）。",
    "dssm_check_own": "τ = {tau:g} 时，{b} 个用户中有 {k} 个把最大概率给了自己的正样本。",
    "dssm_check_entropy": "τ 越小，这一行越尖锐：τ = {tau:g} 时熵为 {h:.2f} 比特，τ = 1 时为 {h1:.2f} 比特（均匀分布：{hmax:.2f} 比特）。",
    "dssm_check_logq": "校正对冷门正样本提升最多：{rare}（{n_rare} 条训练评分）加 {c_rare:.2f}，{pop}（{n_pop} 条）加 {c_pop:.2f}。",
    "dssm_check_full": "该模型用对全部物品的完整 softmax 训练，而非批内 softmax：这里展示的是它没有使用的机制。",
    "dssm_diff_in_batch": "批内 softmax（批大小 {batch_size}）加 logQ 校正；教程是逐点训练：余弦过 sigmoid，用 BCE 和采样负样本。",
    "dssm_diff_in_batch_no_logq": "批内 softmax（批大小 {batch_size}），不做 logQ 校正；教程是逐点训练：余弦过 sigmoid，用 BCE 和采样负样本。",
    "dssm_diff_full": "对全部 {n_items} 部电影做完整 softmax；教程是逐点训练：余弦过 sigmoid，用 BCE 和采样负样本。",
    "dssm_diff_tau": "logit 为 cos / τ，τ = {tau:g}；教程的余弦过 sigmoid 没有温度。",
    "dssm_diff_relu": "ReLU 塔（隐藏层 {hidden}）；教程的塔使用 tanh、BatchNorm 和 dropout。",
    "dssm_diff_tutorial_tower": "教程的塔：Dense + BatchNorm + tanh + dropout {dropout:g}。",
    "dssm_diff_features": ("用户塔：{user_id}、人口属性和历史（最近 {history_len} 部电影的均值、最近 {recent_k} 部的均值、"
                           "最后一部；填充位被屏蔽）；教程的用户塔只看画像特征。"),
    "dssm_diff_examples": "下一物品样本，每个用户最多 {cap} 个。",
    "ytb_idea": ("YouTubeDNN 根据用户的历史、画像和样本年龄，用对整个片库的 softmax 预测用户下一部要看的电影。每个训练样本只看到"
                 "目标之前的历史（即“回滚”），样本年龄告诉模型这个样本发生在多久以前，因此线上服务时可以询问“现在”的偏好。"),
    "ytb_examples": "该用户的训练样本",
    "ytb_examples_caption": ("{n} 条训练交互产生 {m} 个候选样本（第一条之后的每个目标）；每个用户最多 {cap} 个的上限保留了其中 "
                             "{kept} 个（固定种子的随机子集，即训练实际看到的）。每段历史最多包含目标之前的 {history_len} 部电影。"),
    "ytb_ages": "线上服务年龄变化时几部电影的得分",
    "ytb_ages_caption": ("该用户在模型服务年龄（{serve}）下的前 5 名，以及最热门的 3 部未看过的电影；每一列用该年龄下的用户塔"
                         "（训练时存储）为它们打分。"),
    "ytb_check_ages": "该用户的样本年龄从 {newest:.0f} 天（最新）到 {oldest:.0f} 天；越旧的样本 a 越大。",
    "ytb_check_oracle": "服务年龄下的得分与存储的用户推荐得分一致（最大差值 {err:.1e}）。",
    "ytb_check_overlap": "{serve} 与 {old} 时的前 10 名有 {k} 部相同。",
    "ytb_check_popularity": "各服务年龄下前 10 名的平均训练次数：{pops}。",
    "ytb_check_extrapolate": "最旧的训练样本为 {oldest:.0f} 天：{ages} 时的得分超出了模型见过的任何年龄，属于外推。",
    "ytb_sample": "年龄网格只为固定种子抽取的 {m} 个用户存储。",
    "ytb_no_age_view": "该模型没有样本年龄特征：在任何服务年龄下得分都相同。",
    "ytb_diff_full": "对全部 {n_items} 部电影做完整 softmax（在这个规模下精确且不贵）；论文对负样本做采样。",
    "ytb_diff_sampled": "采样 softmax：按 count^{alpha:g} 抽取 {num_sampled} 个负样本，并做相应的 logQ 校正，与论文相同。",
    "ytb_diff_cap": "每个用户最多 {cap} 个样本（所有下一观看目标中固定种子的随机子集）；教程给每个用户固定数量的样本。",
    "ytb_diff_table": "电影向量是 softmax 的输出表，未做归一化（电影向量的模长可以携带热度）；用户向量做 L2 归一化，得分为二者内积。",
    "ytb_diff_age_zero": "样本年龄 log1p(天数 / {unit:g}) 及其平方作为塔的输入，线上以年龄 0 服务，与论文相同。",
    "ytb_diff_age_user": "样本年龄 log1p(天数 / {unit:g}) 及其平方作为塔的输入；线上以用户自身的年龄（现在 − 其最后一次训练时间）服务，论文用 0。",
    "ytb_diff_no_age": "不使用样本年龄特征（论文使用）。",
    "ytb_diff_history": "历史用三种方式池化（最近 {history_len} 部的均值、最近 {recent_k} 部的均值、最后一部），填充位被屏蔽。",
}

_LANGS = {"en": EN, "zh": ZH}


def _t(lang: str, key: str, **fmt) -> str:
    """The string ``key`` in ``lang`` (English when the language is unknown), ``{fields}`` filled from ``fmt``."""
    text = _LANGS.get(lang, EN)[key]
    return text.format(**fmt) if fmt else text
