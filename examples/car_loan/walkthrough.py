#!/usr/bin/env python3
"""End to end with Vigil's Python client on NannyML's synthetic car-loan dataset.

1. Train a loan-repayment classifier (scikit-learn) on the dataset's reference period.
2. Deploy it: wrap its predict function with the Vigil client and upload the reference distribution.
3. Replay a month of traffic: the dataset's 50,000 analysis-period applications, spread over the 30
   days before now, with repayment labels arriving 6 hours to 5 days after each prediction (those not
   arrived by now stay pending). Halfway through, the applicant population shifts (car values jump
   by ~60 %) and the model's accuracy drops from ~0.94 to ~0.91.
4. Define a metric as a Python function and SLOs; watch the drift, the SLO breach and the alert.

Everything the example sent and everything Vigil answered is written to OUT (``predictions.csv``,
``labels.csv``, ``reference.csv``, ``results.json``, ``webhooks.json``) so that
``check.py`` can recompute the numbers independently with pandas, scikit-learn and scipy.

Usage: walkthrough.py --url http://127.0.0.1:8080 --out OUT [--webhook-port PORT]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

import vigil

MODEL = "car-loan"
FEATURES = ["car_value", "salary_range", "debt_to_income_ratio", "loan_length", "repaid_loan_on_prev_car",
            "size_of_downpayment", "driver_tenure"]
CATEGORICAL = ["salary_range", "size_of_downpayment"]
DAYS = 30
SEED = 42


# MARK: - Data


def nannyml_data_dir() -> Path:
    """The CSVs NannyML ships in its wheel, found without importing NannyML (only its data is used)."""
    spec = importlib.util.find_spec("nannyml")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("nannyml is not installed: pip install --no-deps nannyml==0.13.1 (only its data is used)")
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"


def load() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = nannyml_data_dir()
    reference = pd.read_csv(data / "synthetic_car_loan_reference.csv")
    analysis = pd.read_csv(data / "synthetic_car_loan_analysis.csv").merge(
        pd.read_csv(data / "synthetic_car_loan_analysis_target.csv"), on="id")
    return reference, analysis


def matrix(frame: pd.DataFrame) -> pd.DataFrame:
    x = frame[FEATURES].copy()
    for column in CATEGORICAL:
        x[column] = pd.Categorical(x[column], categories=sorted(x[column].dropna().unique()))
    x["repaid_loan_on_prev_car"] = x["repaid_loan_on_prev_car"].astype(int)
    return x


def schedule(analysis: pd.DataFrame, end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Prediction times spread evenly over the DAYS before ``end`` in the dataset's order; label
    arrival 6 h to 5 days later (uniform, seeded). Labels arriving at or after ``end`` are not sent."""
    rng = np.random.default_rng(SEED)
    start = end - pd.Timedelta(days=DAYS)
    offsets = np.arange(len(analysis)) * (DAYS * 86_400 / len(analysis))
    traffic = analysis.copy()
    traffic["id"] = [f"loan-{i:06d}" for i in traffic["id"]]
    traffic["ts"] = start + pd.to_timedelta(np.floor(offsets * 1000), unit="ms")
    lags = pd.to_timedelta(rng.uniform(0.25, 5.0, len(traffic)) * 86_400, unit="s").floor("s")
    labels = pd.DataFrame({"id": traffic["id"], "label": traffic["repaid"].astype(int), "ts": traffic["ts"] + lags})
    return traffic, labels[labels.ts < end].sort_values("ts", kind="stable")


# MARK: - Webhook receiver (stands in for your pager)


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def start_receiver(port: int) -> None:
    server = HTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()


# MARK: - The walkthrough


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--out", default="car-loan-out")
    parser.add_argument("--webhook-port", type=int, help="receive Vigil's alert webhooks on this port")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.webhook_port:
        start_receiver(args.webhook_port)
    end = pd.Timestamp.now(tz="UTC").floor("h")

    print("== 1. Train a loan-repayment classifier on NannyML's car-loan reference period")
    reference, analysis = load()
    train, holdout = reference.iloc[:25_000], reference.iloc[25_000:]
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    model.fit(matrix(train), train["repaid"])
    holdout_scores = model.predict_proba(matrix(holdout))[:, 1]
    print(f"   holdout: accuracy {accuracy_score(holdout.repaid, holdout_scores >= 0.5):.4f}, "
          f"ROC AUC {roc_auc_score(holdout.repaid, holdout_scores):.4f} on {len(holdout):,} loans")

    print("== 2. Deploy it through the Vigil client")
    client = vigil.Client(args.url, batch_size=2_000, flush_interval=0.2)
    baseline = holdout[FEATURES].assign(score=holdout_scores, prediction=(holdout_scores >= 0.5).astype(int))
    baseline.to_csv(out / "reference.csv", index=False)
    summary = client.set_reference(MODEL, baseline)
    print(f"   reference: {summary.get('rows', len(baseline)):,} rows, {len(summary.get('columns', []))} columns profiled")

    @client.monitor(model=MODEL, version="v1", output="score")
    def predict(applications: pd.DataFrame) -> np.ndarray:
        return model.predict_proba(matrix(applications))[:, 1]

    print(f"== 3. Replay {DAYS} days of traffic up to {end:%Y-%m-%d %H:%M} UTC, labels 6 h to 5 days late")
    traffic, labels = schedule(analysis, end)
    scores = np.empty(len(traffic))
    sent_labels = 0
    hours = traffic.ts.dt.floor("h")
    for number, (hour, rows) in enumerate(traffic.groupby(hours, sort=True)):
        scores[rows.index] = predict(rows[FEATURES], vigil_id=rows.id.tolist(), vigil_ts=rows.ts.tolist())
        arrived = labels.iloc[sent_labels:labels.ts.searchsorted(hour + pd.Timedelta(hours=1))]
        for row in arrived.itertuples(index=False):
            client.log_feedback(row.id, row.label, ts=row.ts)
        sent_labels += len(arrived)
        if number % 24 == 23:
            print(f"   day {number // 24 + 1:2d}/{DAYS}: {rows.index[-1] + 1:6,} predictions, {sent_labels:6,} labels sent"
                  f" (queued {client.stats.enqueued - client.stats.acknowledged:,})", flush=True)
    client.flush()
    stats = client.stats
    print(f"   acknowledged {stats.acknowledged:,} events ({stats.rejected} rejected, {stats.dropped} dropped)")
    traffic.assign(score=scores, prediction=(scores >= 0.5).astype(int))[
        ["id", "ts", "score", "prediction", "repaid", *FEATURES]].to_csv(out / "predictions.csv", index=False)
    labels.to_csv(out / "labels.csv", index=False)

    print("== 4. A metric written in Python, computed in the server over the stored history")

    @vigil.metric(model=MODEL, name="bad_loan_rate", client=client, backfill=True)
    def bad_loan_rate(r):
        """Share of approved loans (predicted to be repaid) that were not repaid."""
        approved = r.prediction == 1
        return (approved & (r.label == 0)).sum() / approved.sum()

    print(f"   bad_loan_rate = {bad_loan_rate.expression}")

    print("== 5. Metrics per week (labels still arriving for the last days)")
    weeks = [(end - pd.Timedelta(days=7 * (k + 1)), end - pd.Timedelta(days=7 * k)) for k in reversed(range(4))]
    weekly = pd.concat([client.metrics(MODEL, ["accuracy", "recall", "roc_auc", "label_coverage", "bad_loan_rate"],
                                       start=a, end=b) for a, b in weeks])
    table = weekly.pivot(index="from", columns="metric", values="value")
    print(table.round(4).to_string())

    print("== 6. Drift: the last week against the reference")
    drift = client.drift(MODEL, start=weeks[-1][0], end=end)
    print(drift[["column", "verdict", "statistic", "value", "threshold", "ks_statistic"]].round(4).to_string(index=False))

    print("== 7. SLOs: accuracy ≥ 0.93 over 7 days, and car-value drift (PSI ≤ 0.2 over 1 day)")
    # Labels take up to 5 days, so hour-long burn windows hold no labels: page on a 3× burn over a day,
    # open a ticket on a sustained 1× burn over the week that the last 3 days confirm.
    rules = [
        {"name": "page-1d", "burn_rate": 3, "long_window": "1d", "short_window": "2h", "severity": "page"},
        {"name": "ticket-7d", "burn_rate": 1, "long_window": "7d", "short_window": "3d", "severity": "ticket"},
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.define_slo("loan-accuracy", MODEL, "accuracy", ">= 0.93", "7d", min_samples=500,
                          owner="credit-risk", alerts=rules)
        client.define_slo("car-value-drift", MODEL, "drift.car_value.psi", "<= 0.2", "1d", owner="credit-risk")
    for warning in caught:
        print(f"   note: {warning.message}")
    deadline = time.monotonic() + 120
    firing = client.alerts(state="firing")
    while set(firing.slo) != {"loan-accuracy", "car-value-drift"} and time.monotonic() < deadline:
        time.sleep(1)
        firing = client.alerts(state="firing")
    print(client.slos()[["name", "sli", "objective", "value", "n", "budget_remaining", "burn_rate", "verdict"]]
          .round(4).to_string(index=False))

    print("== 8. The alerts (also delivered to the webhook)")
    for alert in firing.itertuples():
        print(f"   [{alert.severity}] {alert.summary}")
        if alert.drifted_columns:
            print(f"      drifted columns: {', '.join(alert.drifted_columns)}")
    deadline = time.monotonic() + 30
    while args.webhook_port and len({p["alert"]["slo"] for p in Receiver.received if "alert" in p}) < len(firing) \
            and time.monotonic() < deadline:
        time.sleep(0.5)

    print("== 9. Backtest: when would the accuracy ticket have fired?")
    backtest = client.backtest("loan-accuracy", start=end - pd.Timedelta(days=DAYS), end=end, step="1h")
    fired = [t for t in backtest.attrs["transitions"] if t["to"] == "firing"]
    drift_start = traffic.ts.iloc[25_000]
    if fired:
        delay = pd.Timestamp(fired[0]["at"]) - drift_start
        print(f"   first firing {fired[0]['at']} ({fired[0]['alert']['rule']}), "
              f"{delay.total_seconds() / 86_400:.1f} days after the population shift began")

    accuracy_at_end = client.slo("loan-accuracy", at=end)["status"]
    results = {
        "end": end.isoformat(),
        "drift_start": drift_start.isoformat(),
        "acknowledged": stats.acknowledged,
        "weekly": weekly.assign(**{"from": weekly["from"].astype(str), "to": weekly["to"].astype(str)}).to_dict("records"),
        "drift_last_week": drift.drop(columns=[c for c in drift if c.endswith(("bin_counts", "bin_edges", "quantiles", "categories"))])
        .to_dict("records"),
        "slo_accuracy_at_end": accuracy_at_end,
        "alerts": firing.drop(columns=["context"]).astype(str).to_dict("records"),
        "backtest_first_firing": fired[0]["at"] if fired else None,
        "bad_loan_rate_expression": bad_loan_rate.expression,
    }
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    (out / "webhooks.json").write_text(json.dumps(Receiver.received, indent=1))
    client.close()
    print(f"== Done: {len(firing)} alerts firing; numbers in {out}/results.json")


if __name__ == "__main__":
    main()
