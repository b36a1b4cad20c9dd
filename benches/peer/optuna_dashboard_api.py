"""Peer baseline: Optuna Dashboard's server answering what its page asks
first for a study (the study list, then the study with all its trials,
`GET /api/studies/0?after=0`), in-process through its WSGI app, on an
Optuna journal. Prints the seconds from the start of the process to the
study's JSON in hand (what the first plot waits for before drawing).

    python benches/peer/optuna_dashboard_api.py study.journal
"""
import io
import sys
import time

T0 = time.perf_counter()

import optuna  # noqa: E402
from optuna.storages import JournalStorage  # noqa: E402
from optuna.storages.journal import JournalFileBackend  # noqa: E402
from optuna_dashboard import wsgi  # noqa: E402


def get(app, path, query=""):
    status = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8080",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    if not status or not status[0].startswith("200"):
        raise SystemExit(f"{path}: {status} {body[:200]!r}")
    return body


optuna.logging.set_verbosity(optuna.logging.WARNING)
app = wsgi(JournalStorage(JournalFileBackend(sys.argv[1])))
get(app, "/api/studies")
body = get(app, "/api/studies/0", "after=0")
t = time.perf_counter() - T0
print(f"{t:.2f} s to the study's {len(body) / 1e6:.0f} MB of JSON", file=sys.stderr)
