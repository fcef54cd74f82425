"""`python -m bench.hops`: what each hop of the order path costs on its own, without queueing.

One request at a time (closed loop), straight to each hop, the kinds interleaved in rotating
order so that the machine's drift touches them all alike: the floor's POST, the catalog's `304`
for a current checkout context, a checkout POST straight to the checkout (with the internal
token, as the gateway sends it), and the same POST through the gateway. Prints p50 / p90 / p99
per kind and each process's CPU per round. Same fresh databases, vhost and processes as
`python -m bench`; 127.0.0.1 only; bounded by `--rounds`.

    python -m bench.hops --rounds 3000 [--only checkout,gateway] [--profile checkout]

`--profile NAME` records py-spy (raw stacks, 250 Hz) of that process to var/bench/hops-NAME.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench.backing import Backing
from bench.http1 import Response, read_response, request_head
from bench.stats import percentile
from bench.targets import FloorTarget, Seller, SystemTarget
from scripts.system import ROOT
from services.catalog.config import Settings as CatalogSettings
from shared.security import INTERNAL_TOKEN_HEADER

KINDS = ("floor", "catalog304", "checkout", "gateway")
WARMUP_ROUNDS = 100
SELLERS = 4


@dataclass
class Peer:
    """One keep-alive HTTP/1.1 connection; one request on it at a time."""

    port: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @classmethod
    async def open(cls, port: int) -> Peer:
        return cls(port, *await asyncio.open_connection("127.0.0.1", port))

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        self.writer.write(request_head(method, path, "127.0.0.1", self.port, len(body), headers or {}) + body)
        response, _ = await read_response(self.reader)
        return response


async def measure(
    system: SystemTarget, floor: FloorTarget, sellers: list[Seller], floor_sellers: list[Seller], args: Args
) -> None:
    assert system.system is not None
    token = {INTERNAL_TOKEN_HEADER: CatalogSettings().internal_token}
    ports = {name: system.system[name].port for name in ("gateway", "catalog", "checkout")}
    peers = {name: await Peer.open(port) for name, port in [*ports.items(), ("floor", floor.port)]}
    slug = sellers[0].order.path.split("/")[3]
    context = f"/internal/storefronts/{slug}/checkout-context"
    etag = (await peers["catalog"].request("GET", context, headers=token)).headers["etag"]

    def send(kind: str, round_: int) -> Awaitable[Response]:
        seller = sellers[round_ % len(sellers)]
        body = json.dumps(seller.order.body).encode()
        if kind == "floor":
            other = floor_sellers[round_ % len(floor_sellers)]
            return peers["floor"].request("POST", other.order.path, json.dumps(other.order.body).encode())
        if kind == "catalog304":
            return peers["catalog"].request("GET", context, headers={**token, "If-None-Match": etag})
        if kind == "checkout":
            return peers["checkout"].request("POST", seller.order.path, body, token)
        return peers["gateway"].request("POST", seller.order.path, body)

    import psutil  # a benchmark extra (requirements-bench.txt), installed by `main`'s caller

    pids = {**system.pids(), **{f"floor-{name}": pid for name, pid in floor.pids().items()}}
    processes = {name: psutil.Process(pid) for name, pid in pids.items()}
    samples: dict[str, list[float]] = {kind: [] for kind in args.kinds}
    await _rounds(send, args.kinds, WARMUP_ROUNDS, None)
    spy = _start_profile(pids, args.profile)
    before = {name: sum(process.cpu_times()[:2]) for name, process in processes.items()}
    await _rounds(send, args.kinds, args.rounds, samples)
    after = {name: sum(process.cpu_times()[:2]) for name, process in processes.items()}
    if spy is not None:
        spy.send_signal(2)
        spy.wait(30)
    print("milliseconds, one request at a time: p50 / p90 / p99")
    for kind, values in samples.items():
        print(f"  {kind:11s} {' / '.join(f'{percentile(sorted(values), p):.2f}' for p in (50, 90, 99))}")
    print(f"CPU ms per round of {', '.join(args.kinds)}:")
    for name in processes:
        print(f"  {name:14s} {(after[name] - before[name]) / args.rounds * 1000:.3f}")


async def _rounds(
    send: Callable[[str, int], Awaitable[Response]],
    kinds: list[str],
    rounds: int,
    samples: dict[str, list[float]] | None,
) -> None:
    for round_ in range(rounds):
        shift = round_ % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:
            started = time.perf_counter()
            status = (await send(kind, round_)).status
            elapsed_ms = (time.perf_counter() - started) * 1000
            if status not in (201, 304):
                raise RuntimeError(f"{kind}: answered {status}")
            if samples is not None:
                samples[kind].append(elapsed_ms)


def _start_profile(pids: dict[str, int], name: str | None) -> subprocess.Popen[bytes] | None:
    if name is None:
        return None
    out = ROOT / "var" / "bench" / f"hops-{name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    py_spy = str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "-p", str(pids[name]), "-o", str(out), "-f", "raw", "-r", "250"]
    spy = subprocess.Popen([*command, "--nonblocking"])
    time.sleep(1.0)  # py-spy attaches before the measured rounds start
    print(f"py-spy of {name} -> {out}")
    return spy


@dataclass
class Args:
    rounds: int
    kinds: list[str]
    profile: str | None


def parse(argv: list[str]) -> Args:
    parser = argparse.ArgumentParser(prog="python -m bench.hops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3000, help="measured rounds (default 3000)")
    parser.add_argument("--only", default=",".join(KINDS), help=f"kinds, of {','.join(KINDS)}")
    parser.add_argument("--profile", help="py-spy this process: catalog, checkout, gateway, notifier")
    parsed = parser.parse_args(argv)
    kinds = [kind for kind in parsed.only.split(",") if kind]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    return Args(max(1, parsed.rounds), kinds, parsed.profile)


def main(argv: list[str]) -> int:
    args = parse(argv)
    os.environ.setdefault("APP_ENV", "dev")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    backing = Backing(f"hops_{stamp}")
    logs = ROOT / "var" / "bench" / f"hops-{stamp}"
    system, floor = SystemTarget(backing, logs), FloorTarget(backing, logs)
    try:
        system.start()
        floor.start()
        sellers, floor_sellers = system.make_sellers(SELLERS), floor.make_sellers(SELLERS)
        asyncio.run(measure(system, floor, sellers, floor_sellers, args))
    finally:
        system.stop()
        floor.stop()
        backing.drop()
    return 0


if __name__ == "__main__":
    from bench.requirements import ensure_installed

    ensure_installed()
    sys.exit(main(sys.argv[1:]))
