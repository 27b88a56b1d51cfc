# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
PORT   ?= 8501
DSSM_TEMPERATURES ?= 0.02,0.05,0.1,0.2,0.5,1.0
# The tuning budget of `make tune`: trials per model, the same for every model (README, "Fair comparison")
TUNE_TRIALS ?= 20
# Processes `make test` runs the suite on (2 cores on CI and here; see tests/scheduling.py)
TEST_WORKERS ?= 2

# Python writes its bytecode cache (__pycache__, git-ignored) even where the environment sets
# PYTHONDONTWRITEBYTECODE (this machine's does): otherwise every Python process the suite starts (CLI runs, lanes,
# tuning workers, app servers) compiles recall_core from source again, about 2 s of CPU each (BENCHMARKS.md,
# "Python's bytecode cache"). Not PYTHONPYCACHEPREFIX: it would also recompile every installed library into it.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install data train run test check bench bench-data index-margin ablations scale softmax-switch app-lang kernels tune tune-bench clean-store

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	@cp requirements.txt $(STAMP)

install: $(STAMP)

data: install
	$(BIN)/python -m recall_core data

train: install
	$(BIN)/python -m recall_core train --models all --dssm-temperatures $(DSSM_TEMPERATURES)

run: install
	$(BIN)/python -m recall_core data
	$(BIN)/python -m recall_core train --if-empty --models all --dssm-temperatures $(DSSM_TEMPERATURES)
	$(BIN)/python -m recall_core.app.serve --server.headless true --server.address localhost --server.port $(PORT) \
	    --browser.gatherUsageStats false

# The whole suite, on TEST_WORKERS processes (pytest-xdist; tests/scheduling.py says how the work is shared:
# a module per process, the longest first). TEST_WORKERS=0 runs it in this one process.
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# The edit loop: the suite without the long checks (marked slow: a browser, ML-100K end to end, determinism across
# processes, store faults, tuning processes killed or racing; pytest.ini). `make test` runs everything.
check: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope -m "not slow"

bench: install
	$(BIN)/python bench/run.py

# Only the dataset-reading rows of make bench: 1M interactions as ML-1M .dat files and as generic folders
# (dataset.toml, Parquet and CSV), cold and from the parse cache (a minute or two). Rewrites its block of BENCHMARKS.md.
bench-data: install
	$(BIN)/python bench/dataset_load.py

# The index step's 1M HNSW measurement alone: 5 rounds, each rebuilding (10-13 min on 2 cores). Rewrites its
# block of BENCHMARKS.md (*Indexes*, "Serving 1M vectors with a margin").
index-margin: install
	$(BIN)/python bench/run.py --index-margin

# One row per design decision, trained on validation and test, on ML-100K and a synthetic long-tail catalogue
# (about an hour on 2 cores; cached per variant in .bench/ablations/). Writes its block of BENCHMARKS.md.
ablations: install
	$(BIN)/python bench/ablations.py

# Every model on MovieLens-shaped catalogues up to 2.5M ratings: fit/eval seconds, peak memory, growth exponents,
# then all six together on the ML-1M shape with `train --lanes 2` (issue 22; its own block), then EASE's scoring in
# column blocks against one product (bench/ease_blocks.py, a minute; its own block)
# (over an hour on 2 cores; cached per run in .bench/scale/). Writes its block of BENCHMARKS.md, README's and docs/scale.svg.
scale: install
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/ease_blocks.py

# FM, YouTubeDNN and DSSM, full against sampled softmax, on synthetic catalogues of 1.7k to 60k items: seconds per
# epoch, peak memory, validation HR@10; the rule that sets SAMPLED_SOFTMAX_MIN_ITEMS (recall_core/models/_softmax.py)
# (about 20 min on 2 cores; cached per cell in .bench/softmax/). Writes its block of BENCHMARKS.md.
softmax-switch: install
	$(BIN)/python bench/softmax_switch.py

# How much HR@10 moves with the CPU's kernels (oneDNN or Eigen, AVX-512 or AVX2, 1/2/4 threads) and why: every model
# at seed 42 under 10 kernel setups, more seeds, epoch-by-epoch divergence and suspected amplifiers (about an hour
# of runs of ~25 s on 2 cores; it takes the shared CPU lock for twelve runs at a time; cached per run in .bench/kernels/;
# each part is written as soon as it is done).
# Writes its block of BENCHMARKS.md and bench/kernels.json (the README's tie rule reads the kernel sd there).
kernels: install
	$(BIN)/python bench/kernels.py

# The pages in Chinese against English: AppTest times on the trained store, 3 fresh processes per language,
# alternating (a few minutes on ML-100K). Writes its block of BENCHMARKS.md.
app-lang: install
	$(BIN)/python bench/app_lang.py

# Every model tuned on ML-100K's validation split with the same budget (Optuna), the best setting of each trained on
# the test split and stored in models_store/ (README, "Fair comparison"; resumable: rerun it after an interruption).
tune: install
	$(BIN)/python -m recall_core data
	$(BIN)/python -m recall_core tune --dataset ml-100k --models all --trials $(TUNE_TRIALS)

# Tuned against default on ML-100K (3 seeds, validation and test), the pruner's saving, EASE and its item-count
# limit (hours on 2 cores the first time; cached per step in .bench/tuning/). Writes its block of BENCHMARKS.md;
# `make bench` runs it too.
tune-bench: install
	$(BIN)/python bench/tuning.py

# Removes the trained models; keeps the human judgments (models_store/<dataset>/judgments.sqlite and its -wal, -shm).
clean-store:
	find models_store -mindepth 2 -maxdepth 2 ! -name 'judgments.sqlite*' -exec rm -rf {} +
