"""Shadow predictions through the client: labels arriving before, between and after the served and the
shadow prediction, duplicated and corrected (some corrections arriving first), give the paired counts
pandas computes on the same events, and McNemar's exact test equals statsmodels'."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vigil

N = 600


def events(seed: int = 23):
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp.now(tz="UTC").floor("h") - pd.Timedelta(days=2)
    ids = [f"s{i:04d}" for i in range(N)]
    times = [t0 + pd.Timedelta(minutes=int(m)) for m in rng.integers(0, 24 * 60, N)]
    truth = (rng.random(N) < 0.4).astype(int)
    served_score = np.clip(0.5 + np.where(truth == 1, 0.2, -0.2) + rng.normal(0, 0.2, N), 0, 1).round(4)
    shadow_score = np.clip(0.5 + np.where(truth == 1, 0.25, -0.25) + rng.normal(0, 0.2, N), 0, 1).round(4)
    served = pd.DataFrame({"id": ids, "ts": times, "version": "v1", "score": served_score})
    shadow = pd.DataFrame({"id": ids, "ts": times, "version": "v3", "score": shadow_score})
    # Labels: when they are sent (phase), their arrival time, and the value; some ids get none, some a
    # duplicate, some a wrong label corrected later (the correction sometimes sent first).
    labels = []
    for i, (id_, t, y) in enumerate(zip(ids, times, truth)):
        kind = rng.choice(["none", "before", "between", "after", "duplicate", "corrected", "correction_first"],
                          p=[0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1])
        arrival = t + pd.Timedelta(hours=1 + int(rng.integers(0, 5)))
        if kind in ("before", "between", "after"):
            labels.append((kind, id_, arrival, y))
        elif kind == "duplicate":
            labels += [("before", id_, arrival, y), ("after", id_, arrival, y)]
        elif kind == "corrected":
            labels += [("between", id_, arrival, 1 - y), ("after", id_, arrival + pd.Timedelta(minutes=30), y)]
        elif kind == "correction_first":
            labels += [("before", id_, arrival + pd.Timedelta(minutes=30), y), ("after", id_, arrival, 1 - y)]
    labels = pd.DataFrame(labels, columns=["phase", "id", "ts", "label"])
    return served, shadow, labels


def test_paired_counts_equal_pandas(server):
    from statsmodels.stats.contingency_tables import mcnemar

    served, shadow, labels = events()
    client = vigil.Client(server.url)
    phase = lambda name: labels[labels.phase == name][["id", "ts", "label"]]
    client.log_feedback_batch(phase("before"))
    client.log_predictions(served, model="fraud")
    client.log_feedback_batch(phase("between"))
    client.log_predictions(shadow, model="fraud", shadow=True)
    client.log_feedback_batch(phase("after"))

    # pandas: the latest arrival wins; a pair is right when its class (score >= 0.5) equals that label.
    final = labels.sort_values("ts", kind="stable").groupby("id").last()["label"]
    pairs = served.merge(shadow, on="id", suffixes=("_p", "_s"))
    pairs["pred_p"] = (pairs.score_p >= 0.5).astype(int)
    pairs["pred_s"] = (pairs.score_s >= 0.5).astype(int)
    pairs = pairs.join(final, on="id")
    labeled = pairs.dropna(subset=["label"])
    right_p, right_s = labeled.pred_p == labeled.label, labeled.pred_s == labeled.label
    table = [[int((right_p & right_s).sum()), int((right_p & ~right_s).sum())],
             [int((~right_p & right_s).sum()), int((~right_p & ~right_s).sum())]]

    answer = client.shadow("fraud", "v3", primary="v1")
    assert answer["pairs"] == len(pairs) == N
    assert answer["labeled_pairs"] == len(labeled)
    assert answer["disagreement"]["value"] == pytest.approx((pairs.pred_p != pairs.pred_s).mean(), abs=1e-12)
    got = answer["table"]
    assert [[got["both_right"], got["primary_only_right"]], [got["shadow_only_right"], got["both_wrong"]]] == table
    assert answer["difference"]["p_value"] == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-9)
    assert answer["difference"]["estimate"] == pytest.approx((table[1][0] - table[0][1]) / len(labeled), abs=1e-12)
    # The served metrics never see the shadow.
    models = client.models().set_index("name")
    assert models.loc["fraud", "predictions"] == N


def test_a_shadow_without_its_served_prediction_is_refused(server):
    client = vigil.Client(server.url)
    with pytest.raises(vigil.RejectedRowsError) as refused:
        client.log_predictions([{"id": "x1", "score": 0.3}], model="fraud", version="v3", shadow=True)
    assert "missing_primary" in str(refused.value) or "served prediction" in str(refused.value)
    with pytest.raises(ValueError):
        vigil._events.prediction(model="fraud", score=0.3, shadow=True)
