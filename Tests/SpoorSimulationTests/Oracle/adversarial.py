"""The adversarial check of issue 6 item 4: can a classifier tell attack records from benign
ones by surface features alone?

Usage: adversarial.py FEATURES.csv OUT.json

FEATURES.csv has a header `source,label,<feature>...`: one row per record, `source` the source
type (`windows/security.jsonl`), `label` 1 for an attack record, 0 for a benign one, the rest
numeric surface features computed by AdversarialTests.swift.

Per source type with at least two records of each class: a random forest (scikit-learn, 60 trees,
balanced class weights) scored by stratified k-fold cross-validation (k = min(5, attacks));
the ROC-AUC of the out-of-fold probabilities, with a percentile-bootstrap 95% interval over
records, and the five most important features of a forest fitted on everything.

Writes {"sklearn": version, "sources": {source: {...}}}; exits 3 when scikit-learn is missing.
"""
import csv
import json
import sys

try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
except ImportError as e:  # the Swift test skips on exit code 3
    print(f"scikit-learn is not installed: {e}", file=sys.stderr)
    sys.exit(3)


def forest():
    return RandomForestClassifier(n_estimators=60, min_samples_leaf=2, class_weight="balanced_subsample",
                                  random_state=0, n_jobs=1)


def main(path, out):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    names = header[2:]
    by_source = {}
    for r in rows:
        by_source.setdefault(r[0], []).append(r)
    result = {"sklearn": sklearn.__version__, "sources": {}}
    for source in sorted(by_source):
        data = by_source[source]
        y = np.array([int(r[1]) for r in data])
        X = np.array([[float(v) for v in r[2:]] for r in data])
        attacks, benign = int(y.sum()), int(len(y) - y.sum())
        entry = {"records": len(y), "attacks": attacks, "auc": None, "low": None, "high": None, "top_features": []}
        if attacks >= 2 and benign >= 2:
            folds = min(5, attacks, benign)
            cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
            p = cross_val_predict(forest(), X, y, cv=cv, method="predict_proba")[:, 1]
            entry["auc"] = float(roc_auc_score(y, p))
            rng = np.random.default_rng(0)
            aucs = []
            for _ in range(100):
                i = rng.integers(0, len(y), len(y))
                if 0 < y[i].sum() < len(i):
                    aucs.append(roc_auc_score(y[i], p[i]))
            if aucs:
                entry["low"], entry["high"] = float(np.percentile(aucs, 2.5)), float(np.percentile(aucs, 97.5))
            model = forest().fit(X, y)
            order = np.argsort(-model.feature_importances_)[:5]
            entry["top_features"] = [[names[i], round(float(model.feature_importances_[i]), 3)] for i in order]
            # What differs, for whoever fixes the generator: the top three features' medians per class.
            entry["medians"] = [[names[i], float(np.median(X[y == 0, i])), float(np.median(X[y == 1, i]))] for i in order[:3]]
        result["sources"][source] = entry
    with open(out, "w") as f:
        json.dump(result, f, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
