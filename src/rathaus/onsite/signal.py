"""The call display's gong: a short two-tone WAV generated in code (no binary asset)."""

import io
import math
import struct
import wave
from functools import lru_cache

RATE = 22050


def _tone(frequency: float, seconds: float, volume: float = 0.5) -> bytes:
    frames = int(RATE * seconds)
    samples = []
    for i in range(frames):
        envelope = math.exp(-3.0 * i / frames)  # a soft decay, like a gong
        value = volume * envelope * math.sin(2 * math.pi * frequency * i / RATE)
        samples.append(struct.pack("<h", int(value * 32767)))
    return b"".join(samples)


@lru_cache(maxsize=1)
def gong_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(_tone(784.0, 0.45) + _tone(523.25, 0.8))  # G5, then C5
    return buffer.getvalue()
