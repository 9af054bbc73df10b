#!/usr/bin/env python3
"""The nats-py side of scripts/bench-nats.sh: sets up the streams, preloads them, waits for
counts, publishes over core NATS, and runs the reference loop that a `nats` worker is measured
against: pull a batch from a durable consumer, publish each message to the output stream with
its `Nats-Msg-Id` (all of the batch in flight together), wait for the PubAcks, then ack.

  bench-nats.py setup  URL FILE COUNT          # streams IN (in.>) and OUT (out.>), IN preloaded
  bench-nats.py reset  URL STREAM SUBJECT      # the stream made again, empty
  bench-nats.py wait   URL STREAM COUNT [S]    # returns once STREAM holds COUNT (at most S s)
  bench-nats.py loop   URL DURABLE COUNT [BATCH]   # IN -> OUT through nats-py, COUNT messages
  bench-nats.py core   URL FILE COUNT          # core.in -> (a worker) -> core.out: "received seconds"
"""
import asyncio
import sys
import time

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

WINDOW = 1000


def lines(path, count):
    """The first COUNT lines of the file, as bytes without the newline (repeated when shorter)."""
    with open(path, "rb") as f:
        all_lines = [line.rstrip(b"\n") for line in f if line.strip()]
    return [all_lines[i % len(all_lines)] for i in range(count)]


async def make_stream(js, name, subject):
    try:
        await js.delete_stream(name)
    except NotFoundError:
        pass
    await js.add_stream(StreamConfig(name=name, subjects=[subject], storage=StorageType.FILE, num_replicas=1))


async def setup(url, path, count):
    nc = await nats.connect(url)
    js = nc.jetstream()
    await make_stream(js, "IN", "in.>")
    await make_stream(js, "OUT", "out.>")
    payloads = lines(path, int(count))
    start = time.monotonic()
    for first in range(0, len(payloads), WINDOW):
        await asyncio.gather(*(js.publish("in.x", p) for p in payloads[first:first + WINDOW]))
    print(f"{len(payloads)} messages in IN in {time.monotonic() - start:.1f} s", file=sys.stderr)
    await nc.close()


async def reset(url, stream, subject):
    nc = await nats.connect(url)
    await make_stream(nc.jetstream(), stream, subject)
    await nc.close()


async def wait(url, stream, count, limit="300"):
    nc = await nats.connect(url)
    js = nc.jetstream()
    deadline = time.monotonic() + float(limit)
    held = 0
    while time.monotonic() < deadline:
        held = (await js.stream_info(stream)).state.messages
        if held >= int(count):
            break
        await asyncio.sleep(0.02)
    await nc.close()
    if held < int(count):
        sys.exit(f"{stream} holds {held} messages, not {count}, after {limit} s")


async def loop(url, durable, count, batch="256"):
    nc = await nats.connect(url)
    js = nc.jetstream()
    pull = await js.pull_subscribe("in.>", durable=durable, stream="IN")
    done = 0
    while done < int(count):
        try:
            messages = await pull.fetch(batch=int(batch), timeout=5)
        except NatsTimeout:
            continue
        # The same id a worker gives a message it republishes: STREAM:SEQUENCE.
        await asyncio.gather(*(
            js.publish("out.x", m.data, headers={"Nats-Msg-Id": f"IN:{m.metadata.sequence.stream}"}) for m in messages))
        for m in messages:
            await m.ack()
        done += len(messages)
    await nc.flush()
    await nc.close()


async def core(url, path, count):
    nc = await nats.connect(url)
    received = 0
    last = 0.0
    probed = asyncio.Event()

    async def arrived(message):
        nonlocal received, last
        if message.data.startswith(b'{"probe"'):
            probed.set()
            return
        received += 1
        last = time.monotonic()

    await nc.subscribe("core.out", cb=arrived)
    await nc.flush()
    # Core NATS keeps nothing for a subscriber that is not there yet: probe until the worker is.
    deadline = time.monotonic() + 30
    while not probed.is_set():
        if time.monotonic() > deadline:
            sys.exit("the worker forwarded no probe within 30 s")
        await nc.publish("core.in", b'{"probe":true}')
        await nc.flush()
        try:
            await asyncio.wait_for(probed.wait(), 0.1)
        except asyncio.TimeoutError:
            pass
    await asyncio.sleep(0.3)
    payloads = lines(path, int(count))
    start = time.monotonic()
    for first in range(0, len(payloads), WINDOW):
        for p in payloads[first:first + WINDOW]:
            await nc.publish("core.in", p)
        await nc.flush()
    # What has not come within two quiet seconds is not coming (at most once).
    seen = -1
    while seen != received and received < len(payloads):
        seen = received
        await asyncio.sleep(2)
    elapsed = (last if received else time.monotonic()) - start
    print(f"{received} {elapsed:.6f}")
    await nc.close()


def main():
    commands = {"setup": setup, "reset": reset, "wait": wait, "loop": loop, "core": core}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    asyncio.run(commands[sys.argv[1]](*sys.argv[2:]))


if __name__ == "__main__":
    main()
