"""简体中文文本（与 en.py 的键一一对应；数据、片名、列名和模型名保持原样）。"""

STRINGS: dict[str, str] = {
    # ------------------------------------------------------------------ How it works
    "how.title": "原理演示",
    "how.caption": ("用已保存的模型及其训练集，现场重建每种方法的机制：核心公式、基本思想、机制在数据上的一个实时视图、"
                    "值得关注之处（已在数据上核对），以及本项目与教程的不同之处。"),
    "how.model": "模型",
    "how.no_sections": "已保存的模型中还没有可演示的（item2vec、EGES、Airbnb、FM、DSSM、YouTubeDNN）。",
    "how.missing": "{model} 的演示部分尚未完成。",
    "how.pick_movie": "电影（输入片名的一部分）",
    "how.pick_user": "用户",
    "how.look_for": "值得关注之处",
    "how.differs": "与教程的不同之处",
    "how.trained_on": "已保存模型 `{name}`（{model_class}），训练于 {split} 划分：{users:,} 个用户、{items:,} 部电影、{rows:,} 条训练交互。",

    # Item2Vec
    "how.item2vec.idea": ("Item2Vec 把每个用户的观影历史看作一个*句子*，把每部电影看作一个*词*：skip-gram 学习由中心电影"
                          "预测其周围的电影，并随机抽取少量电影作为负样本（负采样）。每部电影有两个向量：作为中心时的输入"
                          "向量 **u** 和作为上下文时的输出向量 **v**；**u · v** 就是模型训练时优化的分数。"),
    "how.item2vec.view_sequence": "序列，窗口 {window}",
    "how.item2vec.view_set": "集合（其余每部电影都是上下文）",
    "how.item2vec.sentence_head": "用户 {user} 的历史（{n} 部电影）作为一个句子；视角：{view}",
    "how.item2vec.role_centre": "中心",
    "how.item2vec.role_context": "上下文（距离 {d}）",
    "how.item2vec.role_outside": "窗口之外",
    "how.item2vec.pairs_head": "该中心电影在所有历史中的上下文：共 {n:,} 个样本对，涉及 {contexts:,} 部电影",
    "how.item2vec.hover_pairs": "%{customdata[0]} 个样本对，来自 %{customdata[1]} 个用户<br>每轮约使用 %{x:.1f} 个",
    "how.item2vec.axis_expected": "每轮使用的样本对（期望值）",
    "how.item2vec.col_similar": "相似：cos(l2n(u)+l2n(v))",
    "how.item2vec.col_cooccur": "邻近出现：u · v",
    "how.item2vec.lists_head": "这部电影的两个列表",
    "how.item2vec.lists_caption": ("左：向量方向相近的电影（它们出现在相似的上下文中）。右：训练时的分数，即这部电影的输入向量"
                                   "与所有输出向量的内积（在它的窗口内出现的电影，前后皆可）。"),
    "how.item2vec.look_shared": "两个列表在这里共有 **{shared}/{k}** 部电影：“相似”和“邻近出现”是两个不同的问题。",
    "how.item2vec.look_pairs": ("“邻近出现”列表中的 **{n}/{k}** 部电影属于最常出现在该电影窗口中的前 20 部"
                                "（{any}/{k} 部曾出现在其窗口中）：训练分数与样本对的计数一致。"),
    "how.item2vec.look_vectors": ("样本对计数是加权的：gensim 会为每个中心词随机缩小窗口，因此距离为 d 的电影被使用的概率为 "
                                  "(window − d + 1) / window。"),
    "how.item2vec.diff_context_sequence": ("**按序列、窗口 {window} 处理，而不是集合。** 论文和教程把历史看作无序集合（其余每部电影"
                                           "都是上下文）。在 ML-100K 上，序列视角的 U2I HR@10 更高（验证集 0.231 对 0.161），"
                                           "集合视角的 I2I 更高（0.137 对 0.110；见 BENCHMARKS.md 消融实验）。"),
    "how.item2vec.diff_context_set": ("**按集合处理，与论文和教程一致：**每轮打乱历史，并切成最多 {chunk} 部电影的块；"
                                      "块内其余每部电影都是上下文。"),
    "how.item2vec.diff_set_window": "覆盖整个块的 gensim 窗口为 {window}。",
    "how.item2vec.diff_negatives_uniform": ("**均匀负采样**（ns_exponent 为 0），而不是 gensim 默认的按频率^0.75 采样："
                                            "验证集 U2I HR@10 为 0.231 对 0.188（见 BENCHMARKS.md 消融实验）。"),
    "how.item2vec.diff_negatives_power": "负样本按频率^{e:g} 抽取。",
    "how.item2vec.diff_user": ("**用户向量是最近 {n} 部电影输入向量的均值**，用内积与输出向量打分：即 skip-gram 自身的"
                               "“邻近出现”分数。"),
    "how.item2vec.diff_similar": "“相似”使用 l2n(u) + l2n(v)，而不只用输入向量；只用输入向量会让很少出现的电影与所有电影都相近。",
    "how.item2vec.diff_skipgram": ("**遵循教程正文而非其代码：**使用 skip-gram（sg=1），而不是代码默认的 CBOW；min_count 为 1"
                                   "（不会悄悄丢弃电影）、单线程（可复现）、字符串键、{epochs} 轮训练。"),

    # EGES
    "how.eges.idea": ("EGES 用用户的会话（在间隔超过 {gap} 分钟处切分的历史）构建一个有向图：边 i → j 记录 j 紧跟在 i 之后"
                      "出现的次数。在这张图上的加权随机游走就是 skip-gram 的句子；每部电影的向量 H_v 用按电影学习的注意力"
                      "权重，把它的 id 向量和辅助信息（类型、年份、流行度）的向量混合起来。"),
    "how.eges.depth": "邻域网络深度",
    "how.eges.tab_graph": "会话图",
    "how.eges.tab_walks": "加权游走",
    "how.eges.tab_att": "由各字段组成 H_v",
    "how.eges.hover_node": "出边权重 %{customdata[1]} · 入边权重 %{customdata[2]}（本图中）",
    "how.eges.ego_caption": ("{nodes} 部电影、{edges} 条有向边（每部电影只展开其最重的 8 个邻居）。边的粗细 = 转移次数；"
                             "箭头表示用户在间隔不超过 {gap} 分钟的会话中的观看方向。"),
    "how.eges.no_edges": "这部电影在会话图中没有边：它从未在同一会话中与其他电影相邻。",
    "how.eges.first_step_head": "第一步：{n} 部可能的下一部电影，P = M_ij / Σ M_ij",
    "how.eges.walks_head": "从这部电影出发采样的 {n} 条长度为 {length} 的游走（使用保存的游走设置，种子 0）",
    "how.eges.walks_caption": ("训练时从每个节点采样 {wpn} 条游走，并在前后 {window} 个位置内取（中心，上下文）样本对。"
                               "— 表示走到了没有出边的节点。"),
    "how.eges.recompose": "Σ a_v^j W_v^j 重新组合出的向量与保存的 H_v 相差不超过 {err:.1e}（最大绝对误差）。",
    "how.eges.recompose_derived": "该保存模型没有保留 id 向量表，因此 id 部分取 H_v 减去辅助信息部分（重新训练 EGES 后可独立核对这个和）。",
    "how.eges.cold_item": "这部电影从未作为游走中心：保存的向量是它的冷启动向量，而不是 H_v。",
    "how.eges.look_first_step": "从这里出发，游走的第一步有 {n} 种可能；权重最大的边（通往 {title}）被选中的概率为 {p:.2f}，而不是 1/{n}。",
    "how.eges.look_dead_end": "这部电影没有出边：从它出发的游走立即停止。",
    "how.eges.look_walks": "**{ok}/{n}** 个游走步骤都沿着会话图中的边（游走从不跳跃）。",
    "how.eges.look_att": "这里注意力权重最大的是 **{field}**（{w:.2f}）；各权重之和为 1。",
    "how.eges.diff_graph": ("**有向加权图**（{nodes:,} 个节点、{edges:,} 条边），按 P = M_ij / Σ M_ij 游走；教程的代码构建"
                            "无向的 nx.Graph 并均匀地走下一步。"),
    "how.eges.diff_formula": "**遵循论文正文：**游走公式的第二种情况是“e_ij ∉ E 时为 0”（教程的公式在此处有笔误）；游走从不离开图中的边（见上方核对）。",
    "how.eges.diff_popularity": ("**流行度作为一个辅助字段**（训练交互次数的分桶），教程中没有：验证集 U2I HR@10 有它时为 0.178，"
                                 "没有时为 0.169（见 BENCHMARKS.md 消融实验）。"),
    "how.eges.diff_no_popularity": "辅助字段只有类型和年份，与教程一致。",
    "how.eges.diff_cold_attention": ("**冷启动按注意力加权**类型和年份（各字段学到的平均注意力）；教程取简单平均"
                                     "（验证集上冷启动近邻的类型重合率@10 为 0.656 对 0.611）。"),
    "how.eges.diff_cold_mean": "冷启动取辅助信息向量的简单平均，与教程一致。",
    "how.eges.diff_user": "用户向量是最近 {n} 部已知电影的 H 的均值，用内积与上下文向量 Z 打分。",

    # Airbnb
    "how.airbnb.idea": ("Airbnb 在间隔超过 {gap} 分钟处把每个用户的点击切成会话，并在会话内运行 skip-gram。两处改进："
                        "会话中*预订*的房源无论距离多远，都是该会话每个房源的上下文（全局上下文）；部分负样本来自同一*市场*，"
                        "使模型必须区分同一市场内的房源，而不只是不同市场之间的房源。"),
    "how.airbnb.legend_film": "电影",
    "how.airbnb.legend_booked": "预订",
    "how.airbnb.axis_session": "会话",
    "how.airbnb.no_history": "该用户没有训练交互。",
    "how.airbnb.timeline_head": "{sessions} 个会话（间隔超过 {gap} 分钟即切分），其中 {booked} 个有预订电影 ★",
    "how.airbnb.session_label": "会话 {i}：{n} 部电影 {booked}",
    "how.airbnb.pick_session": "会话",
    "how.airbnb.session_head": "该会话的 {n} 部电影（按时间顺序）",
    "how.airbnb.pairs_head": "{window} 个窗口样本对（窗口 {w}，双向）和 {glob} 个全局上下文样本对",
    "how.airbnb.neg_head": "{title} 的负样本（市场：{market}），每种来源各 {n} 个",
    "how.airbnb.neg_caption": ("训练时每个样本对从同一市场抽取 {k_market} 个、从全部电影中抽取 {k_cat} 个负样本"
                               "（市场占比 {share:g}）；这里各抽取 {n} 个以便比较（种子 0）。"),
    "how.airbnb.neg_market": "**同一市场**",
    "how.airbnb.neg_catalogue": "**全部电影**",
    "how.airbnb.look_sessions": "该用户有 {sessions} 个会话，其中 {booked} 个有预订；在整个训练集中，{all_sessions:,} 个会话里有 {total:,} 个有预订。",
    "how.airbnb.look_global": "这 {glob} 个全局上下文样本对把会话中的每部电影与预订电影联系起来，无论相距多远：只靠窗口会漏掉距离较远的电影。",
    "how.airbnb.look_no_booking": "这个会话没有预订电影，因此只产生窗口样本对（一个探索性会话）。",
    "how.airbnb.look_market": "同一市场的负样本中有 **{m}/{n}** 个与中心电影同属一个市场，而全部电影中抽取的负样本只有 **{c}/{n}** 个（已训练电影中有 {share:.0%} 属于该市场）。",
    "how.airbnb.rule_top_rated": "会话中评分最高的电影，且评分至少为 {r:g}（并列时取最晚的一部）",
    "how.airbnb.rule_ends_session": "会话中的最后一部电影，且评分至少为 {r:g}（预订结束一个会话）",
    "how.airbnb.diff_booking": "**MovieLens 没有预订和市场。**这里的预订是{rule}；市场是电影最具体的类型（列出该类型的电影最少）。",
    "how.airbnb.diff_market": ("**同一市场负样本：每个样本对的负样本中占 {share:g}**（{neg} 个中的 {k} 个）。在 ML-100K 上，"
                               "它对 I2I 略有帮助（验证集 0.154，没有时为 0.147），却降低了 U2I（0.204 对 0.213），"
                               "与论文对 U2I 的结论相反（见 BENCHMARKS.md 消融实验）。"),
    "how.airbnb.diff_global": "预订电影作为全局上下文：验证集 I2I HR@10 有它时为 0.154，没有时为 0.143（见 BENCHMARKS.md 消融实验）。",
    "how.airbnb.diff_no_global": "该模型训练时没有使用预订电影作为全局上下文。",
    "how.airbnb.diff_no_code": "教程介绍了 Airbnb 方法但没有给出代码；这里的训练器用 numpy 实现（gensim 无法加入全局上下文项），其精确梯度在测试中经过核对。",
    "how.airbnb.diff_user": "用户向量是最近 {n} 部已知电影输入向量的均值，与输出向量打分（Airbnb 论文则另行构建用户类型向量）。",

    # ------------------------------------------------------------------ the other pages' explainers
    'items.caption': '每个模型的物品向量空间中最近的物品。每个列表上方的一句话说明它用的是哪些向量、哪种相似度，以及这是否就是模型训练时优化的分数。模型在侧边栏中选择；当前视图保存在 URL 中（可分享）。',
    'items.side_by_side': '各模型的前 {k} 个结果并排显示。底色：被不止一个模型列出，列出的模型越多颜色越深（{models} 个模型中共有 {shared} 个这样的物品）。分数、类型以及每个分数的含义：见下方各模型。',
    'items.heatmap_needs_two': '选择两个或更多模型以显示重合度热力图。',
    'users.caption': '每个模型为一个用户召回的前 K 个物品，已排除该用户的训练物品（与评估一致）。只要某个模型召回了留出的测试物品，就会高亮显示。',
    'users.single': '该用户只有一条交互：没有留出的测试物品。',
    'users.side_by_side': '各模型的前 {k} 个结果并排显示；模型召回了留出物品时以底色标出。分数、类型以及每个分数的含义：见下方各模型。',
    'maps.caption': '每个模型物品向量的 UMAP 降维图（余弦距离，种子 42）。每张图对每个模型和设置只计算一次，之后从存储中该模型的文件夹读取。鼠标悬停在点上可查看片名。',
    'serving.caption': '评估和本应用中的每个列表都是精确打分的。大规模线上服务则不然：物品向量会放进近似最近邻（ANN）索引。本页针对模型自身的向量衡量这样做的代价：相对精确检索的 recall@{recall_k}，以及单线程下一次 top-{latency_k} 查询的耗时和索引占用的内存。',
    'eges.caption': 'EGES 用按物品学习的权重，把物品的 id 向量与辅助信息向量（类型、年份、流行度）混合起来。该方法的论断：交互稀疏的物品更依赖辅助信息。',
    'eges.never_centre': '训练中从未作为游走中心：它的注意力行没有得到梯度，因此权重仍是初始的均匀值，它的向量是冷启动向量。',
    'eges.exposure_note': '物品的注意力行只在它作为游走中心的训练步中更新，因此它与交互次数之间的原始相关性可能只是来自更新的频繁程度。结论比较的是作为游走中心次数大致相同的物品。',
    'eges.kinds_note': '该方法的另一个论断。主类型 = 电影最具体的类型，即列出该类型的电影最少的那个（Toy Story → Animation）；年份段 = 上映的年代。各组在交互次数和曝光上也不同（见中位数），因此请与相对视图对照。',
    'eges.cold_note': '一部并不存在的电影：选择它的类型和年份；EGES 只用辅助信息为它生成向量（类型和年份向量，按模型在这些字段上的平均注意力混合），并找出最近的真实电影。',
    'dssm.tau_note': '温度 τ 越低，分布越尖锐（熵下降，排第一的物品占的概率越大）；τ 越高，分布越趋于均匀。推理时改变 τ 不会改变排序本身。',
    'dssm.caption': '温度 τ 决定这个 softmax 有多尖锐：在推理时 (a)，以及作为训练时的选择 (b)。',
    'overview.metrics_note': '每个用户只有一部留出的电影，因此 Recall@{k} 等于 HR@{k}，Precision@{k} 等于 HR@{k} / {k}：不重复显示。**mostpop** 和 **transition** 是参照基线，不是向量模型：',
    'overview.empty_store': '存储 `{store}` 中还没有训练好的模型。选择模型并点击 **Train**（most-popular 和 Item2Vec 只需几秒）。下方的 most-popular 行是当场计算的。',
    'overview.transition_computed': '每次读取排行榜时由训练集当场计算；不做存储。',
    'state.no_models': '`{store}` 中还没有训练好的模型。请在 Overview 页面训练（或运行 `python -m recall_core train --models all`）。',
}
