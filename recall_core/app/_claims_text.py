"""Every user-visible string of the claim views (:mod:`recall_core.app.claims`), in English and Chinese.

Keys are ``<claim>.<what>``; ``{placeholders}`` are filled with ``str.format``.
Data, titles, column names and model names stay as they are in both languages.
"""

EN = {
    # shared
    "common.no_store": "No stored models for this dataset yet: train them on the Overview page.",
    "common.missing_models": "Not stored: {names}. This check needs them.",
    "common.measured_by": "Measured by `make ablations` on {date} (seed 42, one training per cell; command: `{command}`).",
    "common.no_ablations": "The ablation file (`bench/ablations.json`) is missing: run `make ablations`. Nothing is shown "
                           "rather than numbers that were not measured.",
    "common.row_missing": "The ablation file has no measured row “{decision}” for {model} yet: run `make ablations`.",
    "common.cells_missing": "Cells marked empty were not measured (no cached training).",
    # 1. sparse items
    "sparse.title": "Does side information help sparse items?",
    "sparse.claim": "The tutorial: side information (genres, year) lets EGES embed films with few interactions better "
                    "than Item2Vec, which only sees the id.",
    "sparse.how": "Each test user's held-out film is put in a bucket by its number of training interactions; HR@{k} "
                  "is computed per bucket from each stored model's U2I scores (full catalogue, training films "
                  "excluded: the leaderboard's protocol).",
    "sparse.chart": "HR@{k} by popularity of the held-out film",
    "sparse.x": "training interactions of the held-out film",
    "sparse.verdict_helps": "On this split, EGES recalls sparse films (1 to {limit} training interactions, "
                            "{users} test users) better than Item2Vec: HR@{k} {a:.3f} against {b:.3f}.",
    "sparse.verdict_not": "On this split, EGES does not recall sparse films (1 to {limit} training interactions, "
                          "{users} test users) better than Item2Vec: HR@{k} {a:.3f} against {b:.3f}.",
    "sparse.few": "Only {users} test users hold such a film: one or two hits change the order, so read this as weak "
                  "evidence either way.",
    "sparse.none": "No test user's held-out film has 1 to {limit} training interactions: the claim cannot be "
                   "tested on this split.",
    "sparse.unseen": "Films with 0 training interactions are unknown to both models (ranked last), so both score 0 "
                     "there by construction.",
    # 2. EGES vs GES
    "ges.title": "EGES against GES (attention against a plain mean)",
    "ges.claim": "The paper: learning a weight per film and field (EGES) beats the plain mean of the field embeddings "
                 "(GES).",
    "ges.stored": "The stored EGES on this dataset: HR@10 {hr:.4f} (test).",
    "ges.verdict_better": "Measured on ML-100K, HR@10 learned attention against plain mean: {splits}. Attention "
                          "helps here.",
    "ges.verdict_worse": "Measured on ML-100K, HR@10 learned attention against plain mean: {splits}. Attention does "
                         "not help here.",
    "ges.verdict_mixed": "Measured on ML-100K, HR@10 learned attention against plain mean: {splits}. The splits "
                         "disagree: the difference is within what one training's noise can do, so this data does not "
                         "show that attention helps.",
    "ges.split": "{split} {a:.4f} against {b:.4f}",
    # 3. Airbnb
    "airbnb.title": "Airbnb: global context and same-market negatives",
    "airbnb.claim": "The tutorial: the booked listing as global context and negatives from the same market both "
                    "improve the embeddings.",
    "airbnb.market_u2i": "Same-market negative share, judged on user recall (U2I HR@10)",
    "airbnb.market_i2i": "Same-market negative share, judged on item neighbours (I2I HR@10)",
    "airbnb.global": "Booked film as global context",
    "airbnb.market_not": "Same-market negatives do not improve this measure here: the claim does not hold on it.",
    "airbnb.market_helps": "Same-market negatives improve this measure here.",
    "airbnb.best": "Best on ML-100K test: {variant} ({metric} {value:.4f}); no same-market negatives (0): {zero:.4f}.",
    "airbnb.global_verdict": "ML-100K test, I2I HR@10: with global context {on:.4f}, without {off:.4f}; U2I HR@10: "
                             "with {on_u:.4f}, without {off_u:.4f}.",
    "airbnb.note": "On MovieLens a “market” is a film's primary genre and a “booking” its session's top-rated film; "
                   "they stand in for Airbnb's cities and bookings, which MovieLens does not have.",
    # 4. temperature
    "tau.title": "Temperature: quality and coverage",
    "tau.claim": "A lower τ sharpens the softmax: it separates the positive from hard negatives better, and spreads "
                 "the recommendations over more of the catalogue.",
    "tau.chart": "HR@10 and coverage@10 against the training temperature τ",
    "tau.none": "No DSSM temperature variants are stored: train some on the DSSM temperature page "
                "(or `make run`, which trains τ = 0.02 … 1.0).",
    "tau.verdict": "From τ = {t0:g} to τ = {t1:g}: coverage@10 goes from {c0:.2f} to {c1:.2f}, HR@10 from {h0:.3f} "
                   "to {h1:.3f}.",
    # 5. normalisation
    "norm.title": "Normalisation and train–serve consistency",
    "norm.claim": "Models trained with an inner product leave popularity in the vector norms; scoring them with "
                  "cosine at serving time removes it, and changes the ranking.",
    "norm.model": "Model",
    "norm.unit": "{model} stores unit vectors for its candidates: inner product and cosine give the same ranking, "
                 "and the norm says nothing about popularity.",
    "norm.scatter": "Norm of each film's candidate vector against its training interactions ({model})",
    "norm.rho": "Spearman ρ between norm and training interactions: {rho:+.2f} over {n} films.",
    "norm.rho_pos": "Popular films have longer vectors: under the inner product they are pushed up for every user.",
    "norm.rho_neg": "Popular films have shorter vectors here: the inner product does not favour them by norm.",
    "norm.rho_none": "The norm hardly follows popularity.",
    "norm.table": "HR@10 of the same stored vectors, scored by inner product (as trained) and by cosine",
    "norm.table_note": "The vectors are not changed: only the scoring rule. A drop under cosine means the norm "
                       "carried signal the model was trained to use; a rise means it carried popularity bias.",
    # 6. tutorial table
    "tut.title": "The tutorial's results beside ours",
    "tut.source": "The tutorial (Datawhale fun-rec, ML-1M) prints each model's metrics as notebook output, and every "
                  "deploy of the book re-ran them: the numbers differ between versions. Shown: version {commit} "
                  "({date}); the min–max columns span {n} versions read from the book's source.",
    "tut.ours": "Ours: the stored models on {dataset} (full catalogue, training films excluded), from the manifests.",
    "tut.snapshot": "Tutorial version",
    "tut.why": "Why the orderings differ",
    "tut.why_loss": "**Loss.** The tutorial trains FM and DSSM pointwise (sigmoid/BCE on sampled negatives) for one "
                    "epoch; here FM is trained with a softmax over the catalogue and DSSM with an in-batch softmax "
                    "with logQ.",
    "tut.why_hist": "**History features.** Here FM's user side includes the user's last films; the tutorial's FM has "
                    "profile fields only.",
    "tut.why_protocol": "**Protocol.** Here every model ranks the full catalogue with the user's training films "
                        "excluded; the tutorial's evaluation of embedding models ranks by cosine over all items "
                        "without excluding training films, which costs every model, and most those that recall what "
                        "the user already saw.",
    "tut.why_unstable": "**Unstable numbers.** Across the tutorial's versions FM's HR@10 ranges from {lo:.4f} to "
                        "{hi:.4f}: with one epoch and no fixed seed, its place in the ordering is not stable.",
    "tut.ablation": "Measured here (ablation, ML-100K test, HR@10): {model} {decision}: {cells}.",
    "tut.ablation_missing": "No ablation measured for {model} {decision} yet.",
    # 7. model cards
    "card.loss": "Loss per epoch",
    "card.epoch": "epoch",
    "card.counts": "Recorded in training",
    "card.scoring": "User scoring",
    "card.no_loss": "No loss per epoch recorded for this model.",
}

ZH = {
    "common.no_store": "该数据集还没有已保存的模型：请先在概览页训练。",
    "common.missing_models": "未保存：{names}。这项检验需要它们。",
    "common.measured_by": "由 `make ablations` 于 {date} 测得（种子 42，每个单元格训练一次；命令：`{command}`）。",
    "common.no_ablations": "消融结果文件（`bench/ablations.json`）不存在：请运行 `make ablations`。"
                           "没有测过的数字一律不显示。",
    "common.row_missing": "消融结果文件中还没有 {model} 的“{decision}”这一行的实测结果：请运行 `make ablations`。",
    "common.cells_missing": "空白的单元格表示尚未测量（没有缓存的训练结果）。",
    "sparse.title": "辅助信息能帮助稀疏物品吗？",
    "sparse.claim": "教程的说法：借助辅助信息（类型、年份），EGES 能比只看物品 ID 的 Item2Vec 更好地表示交互很少的电影。",
    "sparse.how": "按每个测试用户留出电影在训练集中的交互次数分桶，再用各个已保存模型的 U2I 打分逐桶计算 HR@{k}"
                  "（全量候选集，排除训练中看过的电影，与排行榜的评测协议相同）。",
    "sparse.chart": "按留出电影的热度分桶的 HR@{k}",
    "sparse.x": "留出电影的训练交互次数",
    "sparse.verdict_helps": "在这个划分上，EGES 对稀疏电影（训练交互 1 到 {limit} 次，共 {users} 个测试用户）的召回"
                            "优于 Item2Vec：HR@{k} 为 {a:.3f}，对比 {b:.3f}。",
    "sparse.verdict_not": "在这个划分上，EGES 对稀疏电影（训练交互 1 到 {limit} 次，共 {users} 个测试用户）的召回"
                          "并不优于 Item2Vec：HR@{k} 为 {a:.3f}，对比 {b:.3f}。",
    "sparse.few": "只有 {users} 个测试用户的留出电影属于这一类：多命中一两次就会改变先后，因此无论结论如何，证据都很弱。",
    "sparse.none": "没有测试用户的留出电影在训练中交互 1 到 {limit} 次：这个划分无法检验该说法。",
    "sparse.unseen": "训练交互为 0 的电影两个模型都不认识（排在最后），因此两者在这一桶的得分按定义都是 0。",
    "ges.title": "EGES 与 GES 对比（注意力与简单平均）",
    "ges.claim": "论文的说法：为每部电影、每个字段学习权重（EGES）优于对各字段向量取简单平均（GES）。",
    "ges.stored": "该数据集上已保存的 EGES：HR@10 为 {hr:.4f}（测试集）。",
    "ges.verdict_better": "在 ML-100K 上实测，HR@10（学习的注意力 对 简单平均）：{splits}。注意力在这里有帮助。",
    "ges.verdict_worse": "在 ML-100K 上实测，HR@10（学习的注意力 对 简单平均）：{splits}。注意力在这里没有帮助。",
    "ges.verdict_mixed": "在 ML-100K 上实测，HR@10（学习的注意力 对 简单平均）：{splits}。两个划分的结论相反："
                         "差异没有超出单次训练的随机波动，因此这份数据不能说明注意力有帮助。",
    "ges.split": "{split} {a:.4f} 对 {b:.4f}",
    "airbnb.title": "Airbnb：全局上下文与同市场负样本",
    "airbnb.claim": "教程的说法：把预订的房源作为全局上下文、从同一市场采负样本，两者都能改进嵌入。",
    "airbnb.market_u2i": "同市场负样本比例，按用户召回评判（U2I HR@10）",
    "airbnb.market_i2i": "同市场负样本比例，按相似物品评判（I2I HR@10）",
    "airbnb.global": "以预订电影作为全局上下文",
    "airbnb.market_not": "在这里，同市场负样本没有改进这项指标：教程的说法在这项指标上不成立。",
    "airbnb.market_helps": "在这里，同市场负样本改进了这项指标。",
    "airbnb.best": "ML-100K 测试集上最好的是：{variant}（{metric} {value:.4f}）；不用同市场负样本（0）：{zero:.4f}。",
    "airbnb.global_verdict": "ML-100K 测试集，I2I HR@10：有全局上下文 {on:.4f}，没有 {off:.4f}；U2I HR@10：有 {on_u:.4f}，"
                             "没有 {off_u:.4f}。",
    "airbnb.note": "在 MovieLens 上，“市场”是电影的主类型，“预订”是该会话中评分最高的电影；"
                   "它们替代了 MovieLens 所没有的 Airbnb 城市与预订。",
    "tau.title": "温度系数：效果与覆盖率",
    "tau.claim": "较小的 τ 让 softmax 更尖锐：更能把正样本与困难负样本分开，推荐也会覆盖更多的物品。",
    "tau.chart": "HR@10 与 coverage@10 随训练温度 τ 的变化",
    "tau.none": "还没有保存不同温度的 DSSM：可在 DSSM 温度页训练（或运行 `make run`，它会训练 τ = 0.02 … 1.0）。",
    "tau.verdict": "从 τ = {t0:g} 到 τ = {t1:g}：coverage@10 从 {c0:.2f} 变为 {c1:.2f}，HR@10 从 {h0:.3f} 变为 {h1:.3f}。",
    "norm.title": "归一化与训练–服务一致性",
    "norm.claim": "用内积训练的模型会把热度留在向量的模长里；服务时改用余弦打分会去掉这部分信息，并改变排序。",
    "norm.model": "模型",
    "norm.unit": "{model} 保存的候选向量是单位向量：内积与余弦的排序相同，模长也与热度无关。",
    "norm.scatter": "每部电影候选向量的模长与其训练交互次数（{model}）",
    "norm.rho": "模长与训练交互次数的 Spearman ρ：{rho:+.2f}，共 {n} 部电影。",
    "norm.rho_pos": "热门电影的向量更长：在内积打分下，它们对每个用户都会被抬高。",
    "norm.rho_neg": "这里热门电影的向量反而更短：内积并不会因模长而偏向它们。",
    "norm.rho_none": "模长几乎不随热度变化。",
    "norm.table": "同一组已保存向量分别用内积（与训练一致）和余弦打分时的 HR@10",
    "norm.table_note": "向量本身不变，只换打分方式。余弦下变差，说明模长承载了模型训练时要用的信号；"
                       "变好，则说明模长承载的是热度偏差。",
    "tut.title": "教程的结果与本项目对照",
    "tut.source": "教程（Datawhale fun-rec，ML-1M）把每个模型的指标作为 notebook 输出打印出来，而书的每次发布都会重新运行，"
                  "所以不同版本的数字不一样。这里显示版本 {commit}（{date}）；最小–最大两列覆盖从书的源码中读到的 {n} 个版本。",
    "tut.ours": "本项目：{dataset} 上已保存的模型（全量候选集，排除训练中看过的电影），数字来自模型清单。",
    "tut.snapshot": "教程版本",
    "tut.why": "为什么排序不同",
    "tut.why_loss": "**损失函数。** 教程对 FM 和 DSSM 采用逐点训练（在采样负样本上用 sigmoid/BCE），只训练一个 epoch；"
                    "本项目的 FM 在全部物品上做 softmax，DSSM 用带 logQ 校正的批内 softmax。",
    "tut.why_hist": "**历史特征。** 本项目 FM 的用户侧包含用户最近看过的电影；教程的 FM 只有用户画像字段。",
    "tut.why_protocol": "**评测协议。** 本项目中每个模型都在全量候选集上排序，并排除用户训练中看过的电影；"
                        "教程对嵌入模型的评测按余弦对所有物品排序、不排除训练中看过的电影，这会拉低每个模型，"
                        "尤其是那些倾向于召回用户已看过内容的模型。",
    "tut.why_unstable": "**数字不稳定。** 在教程的各个版本中，FM 的 HR@10 从 {lo:.4f} 到 {hi:.4f} 不等："
                        "只训练一个 epoch 且没有固定种子，它在排序中的位置并不稳定。",
    "tut.ablation": "本项目实测（消融，ML-100K 测试集，HR@10）：{model} {decision}：{cells}。",
    "tut.ablation_missing": "{model} 的 {decision} 还没有实测的消融结果。",
    "card.loss": "每个 epoch 的损失",
    "card.epoch": "epoch",
    "card.counts": "训练时记录",
    "card.scoring": "用户打分方式",
    "card.no_loss": "该模型没有记录每个 epoch 的损失。",
}


def text(lang: str, key: str, **fmt) -> str:
    """The string ``key`` in ``lang`` (``"zh"`` or English), formatted with ``fmt``."""
    s = (ZH if lang == "zh" else EN)[key]
    return s.format(**fmt) if fmt else s
