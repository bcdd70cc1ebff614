#!/usr/bin/python3
"""Lab PLC: a Modbus/TCP server (pymodbus 3.0) on port 502 with the register
map of a small pump station, values that drift like a running process, and a
device identity. Runs in a lab host's network namespace; SIGTERM stops it.

Holding registers (FC3/FC6/FC16), unit 1, zero-based:
  0 tank level (0.1 %)      1 pump 1 speed (rpm)   2 pump 2 speed (rpm)
  3 discharge pressure (kPa) 4 flow (0.1 m3/h)     5 valve position (%)
  6 mode (0 auto, 1 manual)  7 alarm word          8 level setpoint (0.1 %)
  9 heartbeat (counts up 1/s)  10..99 spare (0)
Coils 0..15: pump 1 run, pump 2 run, valve open, …; input registers mirror 0..9.
Run with /usr/bin/python3 (Debian's python3-pymodbus).
"""

import argparse
import asyncio
import logging
import math
import signal

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.server import StartAsyncTcpServer

INITIAL = [623, 1480, 0, 412, 1875, 64, 0, 0, 650, 0] + [0] * 90


def build_context():
    """One slave (unit 1 and any unit) with the pump-station map."""
    slave = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [1, 0, 1] + [0] * 13),
        co=ModbusSequentialDataBlock(0, [1, 0, 1] + [0] * 13),
        hr=ModbusSequentialDataBlock(0, list(INITIAL)),
        ir=ModbusSequentialDataBlock(0, list(INITIAL)),
        zero_mode=True,
    )
    return ModbusServerContext(slaves=slave, single=True)


def identity(name):
    ident = ModbusDeviceIdentification()
    ident.VendorName = "Schneider Electric"
    ident.ProductCode = "BMX P34 2020"
    ident.VendorUrl = "https://www.se.com"
    ident.ProductName = "Modicon M340"
    ident.ModelName = "BMXP342020"
    ident.MajorMinorRevision = "3.20"
    ident.UserApplicationName = name
    return ident


async def simulate(context):
    """Drift level, speed and flow; count a heartbeat, once a second."""
    tick = 0
    while True:
        await asyncio.sleep(1)
        tick += 1
        store = context[0]
        level = 620 + int(40 * math.sin(tick / 30))
        values = [level, 1480 + (tick % 7), 0, 410 + (tick % 5), 1870 + (tick % 11)]
        store.setValues(3, 0, values)
        store.setValues(3, 9, [tick & 0xFFFF])
        store.setValues(4, 0, values)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # "" binds every address of both families (asyncio opens one IPv4 and one IPv6 socket).
    parser.add_argument("--bind", default="")
    parser.add_argument("--port", type=int, default=502)
    parser.add_argument("--name", default="plc")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    # pymodbus logs every closed client connection as an ERROR; a poller opens one per poll.
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    context = build_context()
    server = await StartAsyncTcpServer(
        context=context,
        identity=identity(args.name),
        address=(args.bind, args.port),
        allow_reuse_address=True,
        defer_start=True,
    )
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    sim = asyncio.create_task(simulate(context))
    serve = asyncio.create_task(server.serve_forever())
    print(f"plc_server {args.name} listening on {args.bind}:{args.port}", flush=True)
    await stopped.wait()
    sim.cancel()
    await server.server_close() if asyncio.iscoroutinefunction(server.server_close) else server.server_close()
    serve.cancel()


if __name__ == "__main__":
    asyncio.run(main())
