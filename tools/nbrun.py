"""Execute chapter notebooks in fresh kernels, watched, several at a time if asked.

What the seed sweep and the stress test share. Each run:

* starts its own kernel over the ``ipc`` transport (Unix sockets in a private
  directory), so kernels started at the same time can never race for TCP ports;
* sets ``GDBOOK_SEED`` (and nothing else) in the kernel's environment;
* is watched: ``gap_limit`` seconds with no message while the kernel sits idle (no CPU
  used; a cell that computes for long is not a stall) fails the run, and the failure
  says where the client was waiting (which cell, which reply, what the kernel had
  already said, and whether a message sat unread on a client socket);
* records per-cell timings: when the request was sent, when the kernel began
  (``iopub.status.busy``) and finished (``shell.execute_reply``) by the kernel's clock.

>>> r = execute(ROOT / "chapters" / "01-mse-gradient.ipynb", seed=3)   # doctest: +SKIP
>>> r.ok, r.max_gap < 30                                                # doctest: +SKIP
(True, True)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import multiprocessing
import os
import re
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import zmq
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CellTiming:
    index: int
    sent: float  # client clock (time.time) when the execute_request was sent
    done: float | None = None  # client clock when the reply and the idle status were in
    kernel: dict = field(default_factory=dict)  # nbclient's record (kernel's clock)


@dataclass
class RunResult:
    path: str
    seed: int | None
    ok: bool = False
    error: str = ""
    wall: float = 0.0
    cpu: float = 0.0  # kernel CPU seconds (sampled every half second, so a lower bound)
    max_gap: float = (
        0.0  # longest time with no message while the kernel sat idle, seconds
    )
    gap_where: str = ""
    stall: str = ""  # watchdog diagnosis when a silence exceeded the limit
    cells: list[CellTiming] = field(default_factory=list)
    notebook: dict | None = None  # the executed notebook, when asked for (keep=True)

    def summary(self) -> str:
        name = Path(self.path).stem
        state = "ok" if self.ok else "FAILED"
        head = (
            f"{name} seed={self.seed}: {state} in {self.wall:.1f} s"
            f" ({self.cpu:.1f} s CPU)"
        )
        tail = f" (longest silence {self.max_gap:.1f} s {self.gap_where})"
        return head + tail + (f"\n  {self.error}" if self.error else "")


class _WatchedClient(NotebookClient):
    """nbclient with a clock on every message, so a watchdog can tell a stall."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_progress = time.monotonic()
        self.current: CellTiming | None = None
        self.timings: list[CellTiming] = []

    def process_message(self, msg, cell, cell_index):
        self.last_progress = time.monotonic()
        return super().process_message(msg, cell, cell_index)


def _socket_pending(channel) -> str:
    try:
        sock = channel.socket
        return (
            "unread message waiting"
            if sock.getsockopt(zmq.EVENTS) & zmq.POLLIN
            else "empty"
        )
    except Exception as exc:  # diagnosis only: never let it hide the stall itself
        return f"unknown ({exc!r})"


async def _run(
    path: Path,
    seed: int | None,
    timeout: int,
    gap_limit: float,
    transport: str = "ipc",
    keep: bool = False,
    source: str | None = None,
) -> RunResult:
    result = RunResult(path=str(path), seed=seed)
    if source is None:
        nb = nbformat.read(path, as_version=4)
    else:
        nb = nbformat.reads(source, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "GDBOOK_SEED"}
    if seed is not None:
        env["GDBOOK_SEED"] = str(seed)
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    with tempfile.TemporaryDirectory(prefix="gdbook-kernel-") as tmp:
        where = {"ip": str(Path(tmp) / "k")} if transport == "ipc" else {}
        km = AsyncKernelManager(kernel_name="python3", transport=transport, **where)
        client = _WatchedClient(
            nb,
            km=km,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )

        async def on_execute(cell, cell_index):
            client.current = CellTiming(cell_index, time.time())
            client.timings.append(client.current)
            client.last_progress = time.monotonic()

        async def on_executed(cell, cell_index, execute_reply):
            if client.current is not None:
                client.current.done = time.time()
                client.current.kernel = dict(
                    cell.get("metadata", {}).get("execution", {})
                )
            client.last_progress = time.monotonic()

        client.on_cell_execute = on_execute
        client.on_cell_executed = on_executed

        async def watchdog():
            """A stall is silence from an idle kernel; a kernel computing is not
            stalled."""
            proc, cpu_seen, idle_from = None, 0.0, time.monotonic()
            while True:
                await asyncio.sleep(0.5)
                now = time.monotonic()
                if proc is None and km.has_kernel:
                    proc = _kernel_process(km)
                cpu = _cpu_seconds(proc)
                result.cpu = max(result.cpu, cpu)
                if cpu - cpu_seen > 0.05:  # the kernel worked in the last half second
                    idle_from = now
                cpu_seen = cpu
                quiet = now - max(client.last_progress, idle_from)
                where = (
                    f"in cell {client.current.index}"
                    if client.current
                    else "at start-up"
                )
                if quiet > result.max_gap:
                    result.max_gap, result.gap_where = quiet, where
                if quiet > gap_limit:
                    cur, kc = client.current, client.kc
                    said = {}
                    if cur is not None:
                        said = dict(
                            nb.cells[cur.index].get("metadata", {}).get("execution", {})
                        )
                    waiting = (
                        "the execute_reply and idle status"
                        if cur and cur.done is None
                        else "nothing (between cells)"
                    )
                    result.stall = (
                        f"idle kernel and no message for {quiet:.0f} s {where}; the"
                        f" client waits for {waiting}; the kernel has sent"
                        f" {sorted(said) or 'nothing'} for this cell; shell socket:"
                        f" {_socket_pending(kc.shell_channel) if kc else '-'}, iopub"
                        f" socket: {_socket_pending(kc.iopub_channel) if kc else '-'};"
                        f" kernel alive: {await km.is_alive()}"
                    )
                    raise TimeoutError(result.stall)

        start = time.monotonic()
        run = asyncio.ensure_future(client.async_execute(env=env))
        dog = asyncio.ensure_future(watchdog())
        try:
            done, _ = await asyncio.wait(
                {run, dog}, return_when=asyncio.FIRST_COMPLETED
            )
            if dog in done:
                dog.result()  # raises the stall
            run.result()
            result.ok = True
            if keep:
                result.notebook = nb
        except Exception as exc:
            result.error = _short_error(exc)
        finally:
            dog.cancel()
            if not run.done():
                run.cancel()
                try:
                    await run
                except BaseException:  # noqa: BLE001  (cancelled on purpose)
                    pass
            if client.kc is not None:
                client.kc.stop_channels()
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
            result.wall = time.monotonic() - start
            result.cells = client.timings
    return result


def _kernel_process(km):
    try:
        return psutil.Process(km.provisioner.process.pid)
    except Exception:  # noqa: BLE001  (no process to watch: CPU reads as 0)
        return None


def _cpu_seconds(proc) -> float:
    try:
        t = proc.cpu_times()
        return t.user + t.system
    except Exception:  # noqa: BLE001
        return 0.0


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _short_error(exc: BaseException) -> str:
    text = _ANSI.sub("", str(exc)) or type(exc).__name__
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # nbclient's CellExecutionError ends with the exception line: keep the cell and that
    return f"{type(exc).__name__}: " + (" | ".join(lines[-3:]) if lines else "")


def execute(
    path: str | Path,
    seed: int | None = None,
    *,
    timeout: int = 300,
    gap_limit: float = 30.0,
    transport: str = "ipc",
    keep: bool = False,
    source: str | None = None,
) -> RunResult:
    """Execute one notebook in a fresh kernel with ``GDBOOK_SEED=seed`` (None:
    unset); ``keep``: return the executed notebook too (``RunResult.notebook``);
    ``source``: the notebook's JSON to run instead of the file's (still run in the
    file's folder, reported under its path)."""
    try:
        return asyncio.run(
            _run(Path(path), seed, timeout, gap_limit, transport, keep, source)
        )
    except Exception:  # the runner itself failed: report, don't crash the pool
        return RunResult(path=str(path), seed=seed, error=traceback.format_exc(limit=3))


def _execute_job(job: tuple) -> RunResult:
    path, seed, source, timeout, gap_limit, keep = job
    return execute(
        path, seed, timeout=timeout, gap_limit=gap_limit, keep=keep, source=source
    )


def execute_many(
    jobs: list[tuple],
    *,
    workers: int = 2,
    timeout: int = 300,
    gap_limit: float = 30.0,
    keep: bool = False,
) -> list[RunResult]:
    """Run (notebook, seed) jobs, ``workers`` kernels at a time, in fresh processes;
    a job may be (notebook, seed, source), see `execute`; ``keep``: each result
    carries its executed notebook."""
    ctx = multiprocessing.get_context("spawn")  # no inherited zmq contexts or threads
    args = [(*j, None)[:3] + (timeout, gap_limit, keep) for j in jobs]
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx
    ) as pool:
        return list(pool.map(_execute_job, args))


def stamp() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def main(argv: list[str] | None = None) -> int:
    """``python tools/nbrun.py CHAPTER... [--seeds 17,42] [--workers 2]``: run and
    report.

    Each chapter runs once per seed (``default``: the book seed) in a fresh, watched
    kernel; prints one line per run (wall time, longest silence, the error if any) and
    exits non-zero if any run failed or stalled.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument(
        "--seeds", default="default", help="comma-separated; 'default' = the book seed"
    )
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    seeds = [None if s == "default" else int(s) for s in args.seeds.split(",")]
    jobs = [(p.resolve(), s) for p in args.chapters for s in seeds]
    results = execute_many(jobs, workers=args.workers)
    for r in results:
        print(r.summary(), flush=True)
    return 0 if all(r.ok and not r.stall for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
