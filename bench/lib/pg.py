"""bench/lib/pg.py - a throw-away PostgreSQL cluster for the benches, as tests/pg_cluster makes them.

The server runs as the "postgres" user when the bench runs as root (PostgreSQL refuses root; runuser),
listens on a unix socket only (no TCP), and is stopped at the end. The data directory is either made
by initdb or an existing (cached) one; the socket lives in a short directory under /tmp (a socket path
is limited to 107 bytes).

Unlike the tests' cluster (fsync off), a bench cluster keeps PostgreSQL's durability as talentd's
SQLite keeps it: fsync on, full-page writes on, synchronous_commit off (a commit does not wait for its
WAL flush: a crash may lose the last commits but never corrupts, as SQLite's WAL with
synchronous=NORMAL), and 256 MB of shared buffers, the page cache `talentd import results` gives its
SQLite connection. Both talentd and the reference of a bench run on the same cluster with the same
settings.
"""
import csv
import glob
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SETTINGS = {
    "listen_addresses": "''",
    "fsync": "on",
    "full_page_writes": "on",
    "synchronous_commit": "off",
    "shared_buffers": "256MB",
    "max_wal_size": "4GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
}
SMOKE_SETTINGS = dict(SETTINGS, fsync="off", full_page_writes="off", shared_buffers="32MB", max_wal_size="1GB")


class PgError(Exception):
    pass


def bindir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        raise PgError("no PostgreSQL under /usr/lib/postgresql (scripts/bootstrap installs it)")
    return dirs[-1]


def version():
    try:
        out = subprocess.run([os.path.join(bindir(), "postgres"), "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        m = re.search(r"\(PostgreSQL\) (\S+)", out)
        return m.group(1) if m else (out.strip() or None)
    except (PgError, OSError):
        return None


def owner():
    return "postgres" if os.geteuid() == 0 else None


def as_owner(cmd):
    return (["runuser", "-u", "postgres", "--"] + cmd) if owner() else cmd


def chown_tree(path):
    """Gives a directory tree to the cluster's owner (as root; otherwise it is ours already)."""
    if owner():
        subprocess.run(["chown", "-R", "postgres:postgres", path], check=True)


def _run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/", **kw)
    if p.returncode != 0:
        raise PgError("%s failed (exit %d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout[-2000:],
                                                     p.stderr[-2000:]))
    return p.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A cluster in DATADIR (initdb'd by init() or an existing one), started by start(), stopped by stop()."""

    def __init__(self, datadir, settings=None):
        self.datadir = os.path.abspath(datadir)
        self.settings = dict(settings or SETTINGS)
        self.bin = bindir()
        self.sockdir = None
        self.port = None

    def init(self):
        parent = os.path.dirname(self.datadir)
        os.makedirs(parent, exist_ok=True)
        if owner():  # the server's user must reach its directory (mkdtemp makes 0700 ones)
            os.chmod(parent, os.stat(parent).st_mode | 0o711)
        if os.path.exists(self.datadir):
            shutil.rmtree(self.datadir)
        os.makedirs(self.datadir, mode=0o700)
        chown_tree(self.datadir)
        _run(as_owner([os.path.join(self.bin, "initdb"), "-D", self.datadir, "-A", "trust", "-U", "postgres",
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]))
        return self

    def start(self, cpus=None):
        """Starts the server (pinned to CPUS, a taskset list, when given: its backends inherit it)."""
        self.sockdir = tempfile.mkdtemp(prefix="tdb-pg.", dir="/tmp")
        os.chmod(self.sockdir, 0o755)
        chown_tree(self.sockdir)
        self.port = free_port()
        opts = "-k '%s' -p %d %s" % (self.sockdir, self.port,
                                     " ".join("-c %s=%s" % kv for kv in self.settings.items()))
        log = os.path.join(self.sockdir, "log")
        try:
            _run((["taskset", "-c", cpus] if cpus else []) +
                 as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.datadir, "-l", log, "-w", "-t", "120",
                           "-o", opts, "start"]))
        except PgError as e:
            tail = ""
            if os.path.exists(log):
                with open(log, encoding="utf-8", errors="replace") as f:
                    tail = "".join(f.readlines()[-20:])
            shutil.rmtree(self.sockdir, ignore_errors=True)
            self.sockdir = None
            raise PgError("%s\n%s" % (e, tail))
        return self

    def stop(self):
        if not self.sockdir:
            return
        if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
            for mode in ("fast", "immediate"):
                p = subprocess.run(as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.datadir, "-m", mode,
                                             "-w", "-t", "120", "stop"]), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd="/")
                if p.returncode == 0:
                    break
        shutil.rmtree(self.sockdir, ignore_errors=True)
        self.sockdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def url(self, db="postgres"):
        return "postgresql://postgres@/%s?host=%s&port=%d" % (db, self.sockdir, self.port)

    def psql(self, db, sql, single=True):
        """Runs SQL text (as the superuser) in database DB; returns psql's unaligned output."""
        cmd = [os.path.join(self.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", self.sockdir,
               "-p", str(self.port), "-U", "postgres", "-d", db]
        if single:
            cmd.append("-1")
        return _run(cmd + ["-f", "-"], input=sql)

    def rows(self, db, sql):
        """The rows of one query, as lists of strings (None for NULL), read through psql --csv."""
        cmd = [os.path.join(self.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-h", self.sockdir,
               "-p", str(self.port), "-U", "postgres", "-d", db, "-P", "null=\\N", "-c", sql]
        out = _run(cmd)
        rd = list(csv.reader(io.StringIO(out)))
        return [[None if v == "\\N" else v for v in r] for r in rd[1:]]

    def value(self, db, sql):
        r = self.rows(db, sql)
        return r[0][0] if r else None

    def wait_ready(self, secs=30):
        t0 = time.time()
        while time.time() - t0 < secs:
            try:
                self.value("postgres", "SELECT 1")
                return
            except PgError:
                time.sleep(0.2)
        raise PgError("PostgreSQL did not answer within %d s" % secs)


def tree_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(d, f)).st_size
            except OSError:
                pass
    return total


def stop_on_signals():
    """SIGTERM and SIGHUP end the bench as an exception would, so that its `finally` stops the cluster."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def copy_datadir(src, dst, margin=2 << 30):
    """A copy of a (stopped) cluster's data directory, ownership kept; refused when it would leave less
    than MARGIN bytes free (the disk may be shared)."""
    if os.path.exists(dst):
        shutil.rmtree(dst)
    need = tree_bytes(src)
    st = os.statvfs(os.path.dirname(os.path.abspath(dst)))
    if st.f_bavail * st.f_frsize < need + margin:
        raise PgError("copying %s needs %.1f GB and would leave less than %.0f GB free on the disk"
                      % (src, need / 1e9, margin / 1e9))
    _run(["cp", "-a", src, dst])
