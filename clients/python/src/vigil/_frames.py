"""Server answers as pandas DataFrames: one row per thing, times as UTC ``Timestamp``s, the answer's
window and other context in ``DataFrame.attrs``."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

import pandas as pd

METRIC_COLUMNS = ["from", "to", "metric", "value", "n", "lower", "upper"]


def _frame(rows: List[Dict[str, Any]], columns: Iterable[str], times: Iterable[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in times:
        if column in frame:
            frame[column] = parse_times(frame[column])
    return frame


def parse_times(values: Any) -> Any:
    """ISO 8601 times as UTC timestamps, whether or not they carry fractional seconds: the server writes
    ``…T07:36:00Z`` for whole seconds and ``…T07:36:00.864Z`` otherwise, and one column can mix both."""
    try:
        return pd.to_datetime(values, utc=True, format="ISO8601")
    except (TypeError, ValueError):  # pandas < 2 has no "ISO8601" format, and parses mixed shapes itself
        return pd.to_datetime(values, utc=True)


def metric_rows(answer: Mapping[str, Any], extra: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """Long rows (one per window and metric) of a metrics answer, window or series."""
    windows = answer.get("series") or ([answer["window"]] if "window" in answer else [])
    rows = []
    for window in windows:
        for name, value in window.get("metrics", {}).items():
            value = value or {}
            rows.append(
                {
                    **(extra or {}),
                    "from": window.get("from"),
                    "to": window.get("to"),
                    "metric": name,
                    "value": value.get("value"),
                    "n": value.get("n"),
                    "lower": value.get("lower"),
                    "upper": value.get("upper"),
                }
            )
    return rows


def metric_columns(answer: Mapping[str, Any], extra: Optional[Dict[str, Any]] = None) -> pd.DataFrame:
    """The long frame of a columnar series answer (``format=columnar``): the rows ``metric_rows`` gives of the
    same series in full, built column by column. Steps are equal, so step i runs from ``from + i·step`` to
    the next (the last one ends at ``to``)."""
    columns = answer["columns"]
    count = int(columns["count"])
    start = parse_times(pd.Series([columns["from"]])).iloc[0]
    end = parse_times(pd.Series([columns["to"]])).iloc[0]
    step = _step(columns["step"])
    starts = pd.Series(pd.date_range(start, periods=count, freq=step))
    ends = (starts + step).clip(upper=end)
    pieces = []
    for name in answer.get("names", []):
        values = columns["metrics"].get(name, {})
        pieces.append(pd.DataFrame({
            **{key: [value] * count for key, value in (extra or {}).items()},
            "from": starts, "to": ends, "metric": name,
            **{field: values.get(field, [None] * count) for field in ("value", "n", "lower", "upper")},
        }))
    if not pieces:
        return pd.DataFrame(columns=[*(extra or {}), *METRIC_COLUMNS])
    # Time-major, metrics by name within a step: the order of the full answer.
    frame = pd.concat(pieces, ignore_index=True)
    return frame.sort_values(["from", "metric"], kind="stable", ignore_index=True)


def _step(text: str) -> pd.Timedelta:
    """A server step (``90s``, ``15m``, ``1h``, ``7d``) as a Timedelta."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    return pd.Timedelta(**{units[text[-1]]: int(text[:-1])})


def metrics(rows: List[Dict[str, Any]], by: List[str], model: str,
            frames: Iterable[pd.DataFrame] = ()) -> pd.DataFrame:
    """The metrics frame of long rows (windows) and of columnar series' frames (``metric_columns``)."""
    parts = [f for f in frames if len(f)]
    frame = _frame(rows, [*by, *METRIC_COLUMNS], times=("from", "to"))
    if parts:
        frame = pd.concat([frame, *parts], ignore_index=True) if len(frame) else pd.concat(parts, ignore_index=True)
        frame = frame[[*by, *METRIC_COLUMNS]]
    for column in ("value", "lower", "upper"):
        frame[column] = frame[column].astype(float)
    frame.attrs["model"] = model
    return frame


def drift(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for column in answer.get("columns", []):
        row = dict(column)
        threshold = row.pop("threshold", None) or {}
        row["statistic"] = threshold.get("statistic")
        row["threshold"] = threshold.get("threshold")
        row["drifted"] = column.get("verdict") == "drift"
        rows.append(row)
    leading = ["column", "type", "verdict", "drifted", "statistic", "value", "threshold", "psi", "ks_statistic",
               "ks_pvalue", "wasserstein", "js_distance", "current_count", "reference_count"]
    frame = _leading(rows, leading)
    _context(frame, answer, ("model", "from", "to", "drifted", "reference_rows", "current_rows", "rules", "convention"))
    return frame


def slices(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for finding in answer.get("slices", []):
        metric, rest, baseline = finding.get("metric") or {}, finding.get("rest") or {}, finding.get("baseline") or {}
        rows.append({
            "slice": finding["slice"], "value": metric.get("value"), "n": metric.get("n"),
            "lower": metric.get("lower"), "upper": metric.get("upper"), "rest": rest.get("value"),
            "difference": finding.get("difference"), "z": finding.get("z"), "p_value": finding["p_value"],
            "q_value": finding["q_value"], "discovered": finding["discovered"], "impact": finding["impact"],
            "bad_events": finding["bad_events"], "predictions": finding["predictions"],
            "baseline": baseline.get("value"), "baseline_difference": finding.get("baseline_difference"),
            "conditions": finding["conditions"]})
    frame = _leading(rows, ["slice", "value", "n", "lower", "upper", "rest", "difference", "z", "p_value", "q_value",
                            "discovered", "impact", "bad_events", "predictions", "baseline", "baseline_difference",
                            "conditions"])
    _context(frame, answer, ("model", "metric", "from", "to", "overall", "tested", "discoveries", "fdr", "min_size"))
    return frame


def slice_suggestions(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for s in answer.get("suggestions", []):
        metric = s.get("metric") or {}
        rows.append({**{k: v for k, v in s.items() if k != "metric"}, "value": metric.get("value"),
                     "n": metric.get("n")})
    frame = _leading(rows, ["slice", "share", "value", "n", "dispersion", "p_value", "q_value", "volatile", "score",
                            "predictions", "chi2", "dof", "daily", "conditions"])
    _context(frame, answer, ("model", "metric", "from", "to", "min_share", "fdr", "tested"))
    return frame


def quality(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for role, key in (("feature", "columns"), ("output", "outputs")):
        for column in answer.get(key, []):
            row = {"role": role, **column}
            violations = row.pop("violations", [])
            row["violations"] = [v.get("message") for v in violations]
            row["ok"] = not violations
            rows.append(row)
    leading = ["column", "role", "type", "ok", "violations", "rows", "missing", "missing_fraction", "type_errors",
               "invalid", "out_of_range", "unseen"]
    frame = _leading(rows, leading)
    _context(frame, answer, ("model", "from", "to", "rows", "rules", "violations"))
    return frame


def slos(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for entry in answer.get("slos", []):
        slo, status = entry.get("slo", {}), entry.get("status", {})
        value, budget = status.get("value", {}), status.get("budget", {}) or {}
        current = status.get("current_burn_rate") or {}
        rows.append(
            {
                "name": slo.get("name"), "model": slo.get("model"), "version": slo.get("version"),
                "sli": slo.get("sli"), "objective": slo.get("objective"), "window": slo.get("window"),
                "value": value.get("value"), "lower": value.get("lower"), "upper": value.get("upper"),
                "n": value.get("n"), "label_coverage": value.get("label_coverage"),
                "budget_remaining": budget.get("remaining_fraction"),
                "burn_rate": current.get("burn_rate"), "burn_window": current.get("window"),
                "verdict": status.get("verdict"), "reason": status.get("reason"),
                "firing": sum(1 for a in entry.get("alerts", []) if a.get("state") == "firing"),
                "owner": slo.get("owner"),
            }
        )
    columns = ["name", "model", "version", "sli", "objective", "window", "value", "lower", "upper", "n",
               "label_coverage", "budget_remaining", "burn_rate", "burn_window", "verdict", "reason", "firing", "owner"]
    frame = _frame(rows, columns)
    frame.attrs["at"] = answer.get("at")
    return frame


def alerts(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for alert in answer.get("alerts", []):
        context = alert.get("context", {}) or {}
        rows.append(
            {
                "id": alert.get("id"), "slo": alert.get("slo"), "rule": alert.get("rule"),
                "severity": alert.get("severity"), "state": alert.get("state"), "model": alert.get("model"),
                "active_since": alert.get("active_since"), "fired_at": alert.get("fired_at"),
                "resolved_at": alert.get("resolved_at"), "updated_at": alert.get("updated_at"),
                "summary": alert.get("summary"),
                "drifted_columns": [c.get("column") for c in context.get("top_drifted_columns", [])],
                "context": context,
            }
        )
    columns = ["id", "slo", "rule", "severity", "state", "model", "active_since", "fired_at", "resolved_at",
               "updated_at", "summary", "drifted_columns", "context"]
    return _frame(rows, columns, times=("active_since", "fired_at", "resolved_at", "updated_at"))


def backtest(answer: Mapping[str, Any]) -> pd.DataFrame:
    run = answer.get("backtest", answer)
    rows = []
    for point in run.get("points", []):
        value = point.get("value", {}) or {}
        row = {"at": point.get("at"), "verdict": point.get("verdict"), "value": value.get("value"),
               "lower": value.get("lower"), "upper": value.get("upper"), "n": value.get("n"),
               "label_coverage": value.get("label_coverage"), "budget_remaining": point.get("budget_remaining"),
               "firing": list(point.get("firing", []))}
        for window, burn in (point.get("burn_rates") or {}).items():
            row[f"burn_{window}"] = burn
        rows.append(row)
    columns = list(dict.fromkeys(key for row in rows for key in row)) or ["at", "verdict", "value"]
    frame = _frame(rows, columns, times=("at",))
    frame.attrs["transitions"] = run.get("transitions", [])
    frame.attrs["from"], frame.attrs["to"] = run.get("from"), run.get("to")
    return frame


def models(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = [
        {"name": m.get("name"), "task": m.get("task"), "versions": m.get("versions", []),
         "predictions": m.get("predictions"), "first_event": m.get("firstEvent"), "last_event": m.get("lastEvent"),
         "custom_metrics": m.get("customMetrics", []), "segments": m.get("segments", {}), "classes": m.get("classes")}
        for m in answer.get("models", [])
    ]
    columns = ["name", "task", "versions", "predictions", "first_event", "last_event", "custom_metrics", "segments", "classes"]
    frame = _frame(rows, columns, times=("first_event", "last_event"))
    frame.attrs["join"] = answer.get("join", {})
    return frame


DEPLOYMENT_COLUMNS = ["version", "stage", "traffic_share", "started_at", "ended_at", "owner", "code_ref",
                      "training_run", "training_data", "offline_metrics", "labels", "updated_at"]


def deployments(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = [{c: d.get(c) for c in DEPLOYMENT_COLUMNS} for d in answer.get("deployments", [])]
    frame = _frame(rows, DEPLOYMENT_COLUMNS, times=("started_at", "ended_at", "updated_at"))
    frame.attrs["model"] = answer.get("model")
    return frame


def changes(answer: Mapping[str, Any]) -> pd.DataFrame:
    columns = ["id", "at", "kind", "subject", "from", "to", "summary"]
    rows = [{c: change.get(c) for c in columns} for change in answer.get("changes", [])]
    frame = _frame(rows, columns, times=("at",))
    frame.attrs["model"] = answer.get("model")
    return frame


COMPARISON_COLUMNS = [
    "segment", "metric", "baseline", "candidate", "baseline_n", "candidate_n", "difference", "lower", "upper",
    "p_value", "method", "verdict", "labels_needed", "seq_lower", "seq_upper", "seq_verdict", "note"]


def comparison(answer: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for part in answer.get("slices", []):
        segment = part.get("segment")
        name = f"{segment['key']}:{segment['value']}" if segment else "overall"
        for m in part.get("metrics", []):
            d, s = m.get("difference") or {}, m.get("sequential") or {}
            rows.append({
                "segment": name, "metric": m["metric"], "baseline": m["baseline"].get("value"),
                "candidate": m["candidate"].get("value"), "baseline_n": m["baseline"]["n"],
                "candidate_n": m["candidate"]["n"], "difference": d.get("estimate"), "lower": d.get("lower"),
                "upper": d.get("upper"), "p_value": d.get("p_value"), "method": d.get("method"),
                "verdict": m["verdict"], "labels_needed": m.get("labels_needed"), "seq_lower": s.get("lower"),
                "seq_upper": s.get("upper"), "seq_verdict": s.get("verdict"), "note": m.get("note")})
    frame = _frame(rows, COMPARISON_COLUMNS, times=())
    _context(frame, answer, ["model", "baseline", "candidate", "from", "to", "margin", "label_free", "verdicts"])
    return frame


def _leading(rows: List[Dict[str, Any]], leading: List[str]) -> pd.DataFrame:
    """Every key of the rows as a column, the ``leading`` ones first (all of them when there are no rows)."""
    if not rows:
        return pd.DataFrame(columns=leading)
    frame = pd.DataFrame(rows)
    return frame[[c for c in leading if c in frame] + [c for c in frame if c not in leading]]


def _context(frame: pd.DataFrame, answer: Mapping[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        if key in answer:
            frame.attrs[key] = answer[key]
