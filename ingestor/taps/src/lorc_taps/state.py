"""Writing a stream's Singer STATE at a checkpoint of the tap's own choosing."""

from __future__ import annotations

from singer_sdk import Stream


def write_state_now(stream: Stream) -> None:
    """Emit ``stream``'s state now: everything it points past has already been written.

    The SDK writes STATE only when its replication-key bookkeeping changed the state; the
    taps' cursors (history ids, listing pages, delta links) change outside it, so the state
    is marked dirty and written. Only the last STATE of a run reaches Meltano through
    target-jsonl (a killed chunk is read again whole); the per-page checkpoints cost nothing
    and make a target that forwards every STATE resume mid-chunk.
    """
    stream.state_manager.is_flushed = False
    stream._write_state_message()  # the SDK's one way to emit a STATE now
