"""bench/lib/machine.py - the facts of the machine a bench ran on (they go into every bench's JSON and the
summary's header): CPU model and cores, RAM, the disk under bench/out, kernel, SQLite and PostgreSQL
versions, the commit, and the load average when the facts were read (at the end of a bench: the machine may be shared)."""
import os
import platform
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _out(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def ram_gib():
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1048576.0, 1)
    except OSError:
        pass
    return None


def disk(path):
    """The filesystem holding PATH: device, type, size."""
    src, fstype = None, None
    out = _out(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "-T", path])
    if out:
        w = out.split()
        src, fstype = w[0], (w[1] if len(w) > 1 else None)
    try:
        st = os.statvfs(path)
        size = round(st.f_blocks * st.f_frsize / 1e9)
    except OSError:
        size = None
    rota = None
    if src and src.startswith("/dev/"):
        name = os.path.basename(src)
        try:
            with open("/sys/block/%s/queue/rotational" % name, encoding="ascii") as f:
                rota = f.read().strip() == "1"
        except OSError:
            pass
    return {"device": src, "fs": fstype, "size_gb": size, "rotational": rota}


def sqlite_version():
    w = _out(["sqlite3", "--version"]).split()
    return w[0] if w else None


def pg_version():
    try:
        import pg  # bench/lib/pg.py
        return pg.version()
    except Exception:  # noqa: BLE001 - no PostgreSQL: the fact is "none"
        return None


def facts():
    path = os.path.join(ROOT, "bench", "out")
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "ram_gib": ram_gib(),
        "disk": disk(path if os.path.isdir(path) else ROOT),
        "kernel": platform.release(),
        "virt": _out(["systemd-detect-virt"]) or None,
        "sqlite3": sqlite_version(),
        "postgres": pg_version(),
        "python": platform.python_version(),
        "commit": _out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]) or None,
        "loadavg": load,
        "wrk": bool(shutil.which("wrk")),
    }


def one_line(m):
    """The header line of a table: '2 cores, <CPU>, 23.4 GiB, ext4 on /dev/vda, SQLite 3.40.1, PostgreSQL 15.x'."""
    d = m.get("disk") or {}
    return "%s cores, %s, %s GiB RAM, %s on %s, kernel %s, SQLite %s, PostgreSQL %s" % (
        m.get("nproc"), m.get("cpu"), m.get("ram_gib"), d.get("fs"), d.get("device"), m.get("kernel"),
        m.get("sqlite3"), m.get("postgres") or "-")


if __name__ == "__main__":
    import json
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    print(json.dumps(facts(), indent=1))
