#!/usr/bin/env python3
"""Peers for SpoorLearn's 1M × 20 fit benchmark (see Docs/Learn.md).

usage: learn_bench.py make FILE [N] [D]   writes the seeded table: D columns of N float64 (column-major), then N labels
       learn_bench.py MODEL FILE          MODEL: sk-hgb | sk-lr | lgbm; prints RESULT {json}
Threads: LightGBM uses BENCH_JOBS (default 2), scikit-learn OMP_NUM_THREADS. Run each model under /work/shared/bench/timeit.py (or /usr/bin/time -v) for CPU time and peak RSS.
"""
import json, os, sys, time
import numpy as np

if sys.argv[1] == "make":
    path = sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    d = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    rng = np.random.default_rng(20)
    X = rng.standard_normal((d, n))
    logit = X[0] - 0.5 * X[1] + X[2] * X[3] + np.sin(2 * X[4]) + 0.5 * (X[5] > 1) - 0.5
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    with open(path, "wb") as f:
        f.write(X.astype("<f8").tobytes()); f.write(y.astype("<f8").tobytes())
    sys.exit(0)

model, path = sys.argv[1], sys.argv[2]
raw = np.fromfile(path, dtype="<f8")
d = 20
n = raw.size // (d + 1)
X = raw[: n * d].reshape(d, n).T          # a view: rows × columns, no copy
y = raw[n * d:]
t0, c0 = time.perf_counter(), time.process_time()
if model == "sk-hgb":
    from sklearn.ensemble import HistGradientBoostingClassifier
    m = HistGradientBoostingClassifier(max_iter=100, max_leaf_nodes=31, min_samples_leaf=20, early_stopping=False, random_state=0).fit(X, y)
    score = lambda: m.predict_proba(X)[:, 1]
elif model == "sk-lr":
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    Xs = StandardScaler().fit_transform(X)
    m = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-8, max_iter=100).fit(Xs, y)
    score = lambda: m.decision_function(Xs)
elif model == "sk-lr-lbfgs":
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    Xs = StandardScaler().fit_transform(X)
    m = LogisticRegression(C=1.0).fit(Xs, y)
    score = lambda: m.decision_function(Xs)
elif model == "lgbm":
    import lightgbm as lgb
    m = lgb.LGBMClassifier(n_estimators=100, num_leaves=31, min_child_samples=20, max_bin=255, n_jobs=int(os.environ.get("BENCH_JOBS", "2")), verbose=-1).fit(X, y)
    score = lambda: m.predict_proba(X)[:, 1]
else:
    raise SystemExit("unknown model")
fit_wall, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
from sklearn.metrics import roc_auc_score
print("RESULT " + json.dumps({"model": model, "rows": n, "cols": d, "fit_wall_s": round(fit_wall, 3),
                              "fit_cpu_s": round(fit_cpu, 3), "train_auc": round(float(roc_auc_score(y, score())), 5)}))
