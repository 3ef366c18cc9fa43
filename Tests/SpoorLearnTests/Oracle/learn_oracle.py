#!/usr/bin/env python3
"""scikit-learn oracle for SpoorLearn's tests: reads one JSON request, prints one JSON answer.

usage: learn_oracle.py TASK IN.json
  metrics   {"cases": [{"scores", "labels", "weights"|null, "threshold"}]}
  logistic  {"X": rows, "y": soft targets, "w"|null, "C", "balanced"}      (fitted on standardised X)
  isotonic  {"x", "y", "w"|null, "query"}
  platt     {"scores", "labels", "w"|null}
  nslkdd    {"csv": path, "iterations", "leaves", "minLeaf", "C"}        (columns: split, label, features…)
"""
import json, sys, time
import numpy as np

task, path = sys.argv[1], sys.argv[2]
req = json.load(open(path))
out = {}

if task == "metrics":
    from sklearn.metrics import roc_auc_score, average_precision_score, precision_recall_fscore_support
    res = []
    for c in req["cases"]:
        s, y, w = np.array(c["scores"]), np.array(c["labels"], dtype=int), c["weights"]
        w = None if w is None else np.array(w)
        pred = (s >= c["threshold"]).astype(int)
        p, r, f, _ = precision_recall_fscore_support(y, pred, sample_weight=w, average="binary", zero_division=0)
        res.append({"roc_auc": float(roc_auc_score(y, s, sample_weight=w)),
                    "ap": float(average_precision_score(y, s, sample_weight=w)),
                    "precision": float(p), "recall": float(r), "f1": float(f)})
    out["cases"] = res
elif task == "logistic":
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    X = StandardScaler().fit_transform(np.array(req["X"], dtype=float))
    y = np.array(req["y"], dtype=float)
    w = np.ones(len(y)) if req["w"] is None else np.array(req["w"], dtype=float)
    cw = None
    if req["balanced"]:
        # "balanced" from the soft targets' class totals (what sklearn computes for hard labels).
        n = len(y); pos = y.sum(); neg = n - pos
        cw = {0: n / (2 * neg), 1: n / (2 * pos)}
    # A soft target y is a row labelled 1 weighted y·w plus a row labelled 0 weighted (1−y)·w.
    X2 = np.vstack([X, X]); y2 = np.r_[np.ones(len(y)), np.zeros(len(y))]; w2 = np.r_[w * y, w * (1 - y)]
    keep = w2 > 0
    m = LogisticRegression(C=req["C"], class_weight=cw, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    m.fit(X2[keep], y2[keep], sample_weight=w2[keep])
    out = {"coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0])}
elif task == "isotonic":
    from sklearn.isotonic import IsotonicRegression
    w = None if req["w"] is None else np.array(req["w"])
    m = IsotonicRegression(out_of_bounds="clip").fit(np.array(req["x"]), np.array(req["y"]), sample_weight=w)
    out = {"thresholds": m.X_thresholds_.tolist(), "values": m.y_thresholds_.tolist(),
           "predictions": m.predict(np.array(req["query"])).tolist()}
elif task == "platt":
    from sklearn.calibration import _sigmoid_calibration
    w = None if req["w"] is None else np.array(req["w"])
    a, b = _sigmoid_calibration(np.array(req["scores"]), np.array(req["labels"], dtype=int), sample_weight=w)
    out = {"a": float(a), "b": float(b)}
elif task == "nslkdd":
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.metrics import roc_auc_score, average_precision_score
    data = np.loadtxt(req["csv"], delimiter=",")
    train, test = data[data[:, 0] == 0], data[data[:, 0] == 1]
    Xtr, ytr, Xte, yte = train[:, 2:], train[:, 1], test[:, 2:], test[:, 1]
    t = time.process_time()
    hgb = HistGradientBoostingClassifier(max_iter=req["iterations"], max_leaf_nodes=req["leaves"],
                                         min_samples_leaf=req["minLeaf"], early_stopping=False, random_state=0).fit(Xtr, ytr)
    hgb_cpu = time.process_time() - t
    s = hgb.predict_proba(Xte)[:, 1]
    sc = StandardScaler().fit(Xtr)
    t = time.process_time()
    lr = LogisticRegression(C=req["C"], solver="newton-cholesky", tol=1e-10, max_iter=1000).fit(sc.transform(Xtr), ytr)
    lr_cpu = time.process_time() - t
    sl = lr.decision_function(sc.transform(Xte))
    out = {"hgb_auc": float(roc_auc_score(yte, s)), "hgb_ap": float(average_precision_score(yte, s)),
           "lr_auc": float(roc_auc_score(yte, sl)), "lr_ap": float(average_precision_score(yte, sl)),
           "hgb_cpu_s": hgb_cpu, "lr_cpu_s": lr_cpu}
else:
    raise SystemExit("unknown task")
print(json.dumps(out))
