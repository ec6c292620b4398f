"""PostgreSQL under test: a predictions table joined with a labels table, as teams usually do it.

A real server (Debian's `postgresql`) in a temporary directory on loopback, tuned for this machine as a
DBA would (shared_buffers, work_mem, parallel workers). Rows are bulk-loaded with COPY, then the indexes a
DBA would add for these questions are built: the primary keys (labels' covering the label), and
(model, ts) covering id and predicted, so a window is an index range scan joined by index lookups.
"""

import datetime
import getpass
import glob
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np
import psycopg

from processes import free_port
from workload import Answer, Workload

SETTINGS = {
    "shared_buffers": "4GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "2GB",
    "effective_cache_size": "16GB",
    "max_wal_size": "16GB",
    "max_parallel_workers_per_gather": "2",
    "random_page_cost": "1.1",
    "listen_addresses": "127.0.0.1",
    "timezone": "UTC",
}
COUNTS = """count(*) FILTER (WHERE p.predicted = 1 AND l.label = 1),
       count(*) FILTER (WHERE p.predicted = 1 AND l.label = 0),
       count(*) FILTER (WHERE p.predicted = 0 AND l.label = 0),
       count(*) FILTER (WHERE p.predicted = 0 AND l.label = 1)"""
WINDOW = f"""SELECT {COUNTS}
FROM predictions p JOIN labels l ON l.id = p.id
WHERE p.model = 'bench' AND p.ts >= %s AND p.ts < %s"""
CUMULATIVE = f"""SELECT {COUNTS}
FROM predictions p JOIN labels l ON l.id = p.id
WHERE p.model = 'bench'"""
HOURLY = f"""SELECT date_trunc('hour', p.ts), {COUNTS}
FROM predictions p JOIN labels l ON l.id = p.id
WHERE p.model = 'bench' AND p.ts >= %s AND p.ts < %s
GROUP BY 1 ORDER BY 1"""
UPSERT = """INSERT INTO labels (id, ts, label) VALUES (%s, now(), %s)
ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, label = excluded.label WHERE labels.ts <= excluded.ts"""
COPY_ROWS = 200_000


def postgres_bin() -> str:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql); run.sh installs it")
    return os.path.dirname(versions[-1])


def as_owner(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as Debian's `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def utc(ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)


class PostgresSystem:
    name = "PostgreSQL"

    def __init__(self):
        bin_dir = postgres_bin()
        self.dir = tempfile.mkdtemp(prefix="pg-compare-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.pg_ctl = os.path.join(bin_dir, "pg_ctl")
        user = "postgres" if os.geteuid() == 0 else getpass.getuser()
        subprocess.run(as_owner([os.path.join(bin_dir, "initdb"), "-D", self.data, "-U", user, "--auth=trust",
                                 "-E", "UTF8", "--no-instructions"]), check=True, stdout=subprocess.DEVNULL)
        options = " ".join(f"-c {k}={v}" for k, v in {**SETTINGS, "port": self.port,
                                                       "unix_socket_directories": self.dir}.items())
        subprocess.run(as_owner([self.pg_ctl, "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                                 "-o", options, "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
        self.version = subprocess.run([os.path.join(bin_dir, "postgres"), "--version"], capture_output=True,
                                      text=True).stdout.strip()
        self.explaining = False
        self.connection = psycopg.connect(host="127.0.0.1", port=self.port, user=user, dbname="postgres",
                                          autocommit=True)

    # Loading

    def load(self, w: Workload) -> dict:
        started = time.perf_counter()
        with self.connection.cursor() as cur:
            cur.execute("""CREATE TABLE predictions (id text NOT NULL, ts timestamptz NOT NULL, model text NOT NULL,
                           version text NOT NULL, score real NOT NULL, predicted smallint NOT NULL)""")
            cur.execute("CREATE TABLE labels (id text NOT NULL, ts timestamptz NOT NULL, label smallint NOT NULL)")
            self._copy(cur, "COPY predictions (id, ts, model, version, score, predicted) FROM STDIN",
                       np.arange(w.n), lambda rows: self._prediction_lines(w, rows))
            self._copy(cur, "COPY labels (id, ts, label) FROM STDIN", np.flatnonzero(w.known),
                       lambda rows: self._label_lines(w, rows))
            cur.execute("ALTER TABLE predictions ADD PRIMARY KEY (id)")
            cur.execute("CREATE INDEX predictions_model_ts ON predictions (model, ts) INCLUDE (id, predicted)")
            cur.execute("ALTER TABLE labels ADD PRIMARY KEY (id) INCLUDE (label)")
            cur.execute("VACUUM (ANALYZE) predictions, labels")  # visibility map: index-only scans
            cur.execute("SELECT pg_total_relation_size('predictions') + pg_total_relation_size('labels')")
            size = cur.fetchone()[0]
        return {"seconds": time.perf_counter() - started, "events": w.n + int(w.known.sum()), "bytes": size}

    @staticmethod
    def _copy(cur, statement: str, rows: np.ndarray, lines) -> None:
        with cur.copy(statement) as copy:
            for i in range(0, len(rows), COPY_ROWS):
                copy.write(lines(rows[i:i + COPY_ROWS]))

    @staticmethod
    def _times(ms: np.ndarray) -> list[str]:
        return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms", timezone="UTC").tolist()

    def _prediction_lines(self, w: Workload, rows: np.ndarray) -> str:
        return "".join(f"{w.prediction_id(i)}\t{t}\tbench\tv1\t{s}\t{p}\n"
                       for i, t, s, p in zip(rows.tolist(), self._times(w.ts_ms[rows]), w.score[rows].tolist(),
                                             w.predicted[rows].tolist()))

    def _label_lines(self, w: Workload, rows: np.ndarray) -> str:
        return "".join(f"{w.prediction_id(i)}\t{t}\t{y}\n"
                       for i, t, y in zip(rows.tolist(), self._times(w.label_ts_ms[rows]), w.label[rows].tolist()))

    # Questions

    def window(self, start_ms: int | None, end_ms: int | None) -> Answer | None:
        if start_ms is None:
            return self._run(CUMULATIVE, (), lambda rows: Answer(*rows[0]))
        return self._run(WINDOW, (utc(start_ms), utc(end_ms)), lambda rows: Answer(*rows[0]))

    def hourly(self, w: Workload) -> dict[int, Answer] | None:
        return self._run(HOURLY, (utc(w.start_ms), utc(w.end_ms)),
                         lambda rows: {int(hour.timestamp() * 1000): Answer(*counts) for hour, *counts in rows})

    def _run(self, query: str, params: tuple, answer):
        with self.connection.cursor() as cur:
            if self.explaining:
                # The server's own time: EXPLAIN ANALYZE runs the query and reports its execution time
                # (TIMING OFF: no per-node clock reads, which would slow it).
                cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query, params)
                self.last_server_ms = cur.fetchone()[0][0]["Execution Time"]
                return None
            cur.execute(query, params)
            return answer(cur.fetchall())

    def server_ms(self, question) -> float:
        self.explaining = True
        try:
            question()
        finally:
            self.explaining = False
        return self.last_server_ms

    def ingest(self, w: Workload, rows: np.ndarray, batch: int) -> float:
        """Upserts the label stream (a correction replaces an older label), one transaction per batch."""
        started = time.perf_counter()
        with self.connection.cursor() as cur:
            for i in range(0, len(rows), batch):
                chunk = rows[i:i + batch]
                with self.connection.transaction():
                    cur.executemany(UPSERT, [(w.prediction_id(j), y)
                                             for j, y in zip(chunk.tolist(), w.label[chunk].tolist())])
        return len(rows) / (time.perf_counter() - started)

    def memory(self) -> int | None:
        return None  # shared buffers are set, not measured: see SETTINGS

    def stop(self) -> None:
        self.connection.close()
        subprocess.run(as_owner([self.pg_ctl, "-D", self.data, "-m", "fast", "-w", "stop"]), check=False,
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
