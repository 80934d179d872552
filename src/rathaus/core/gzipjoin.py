"""One gzip answer joined from pieces packed on their own (ADR 0095).

A piece is raw deflate data that ends with a sync flush: byte-aligned, no block marked
final, and no back-reference before its own start (it comes from a fresh compressor).
Such pieces can be written one after another into one deflate stream; ``join`` puts
the gzip header in front, an empty final block and the trailer (CRC-32 and length of
the whole text) behind. The result is one ordinary gzip member that every client
unpacks, identical to packing the joined text at once, only a little larger (no match
reaches into the piece before).

The CRC of the joined text comes from the pieces' own CRCs without their text: CRC-32
is affine in (start value, data), so ``crc(A + B) = crc(B) ^ crc(0^n, crc(A)) ^
crc(0^n)`` with n = len(B) zero bytes (zlib's ``crc32_combine``, which Python does not
expose, computes the same).
"""

from __future__ import annotations

import functools
import struct
import zlib

#: A piece: (raw deflate, sync-flushed; CRC-32 of the text; length of the text). A plain
#: tuple, so pieces kept in a shared cache unpickle whatever this module becomes.
Piece = tuple[bytes, int, int]

#: gzip header: deflate, no flags, mtime 0 (same bytes every time), OS unknown.
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: An empty block marked final (fixed Huffman codes): what Z_FINISH writes after a flush.
_END = b"\x03\x00"


def piece(text: bytes, level: int = 6) -> Piece:
    """``text`` packed on its own, ready to be joined."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(text) + packer.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(text), len(text)


def unpack(piece: Piece) -> bytes:
    """The text of a piece (a piece is complete deflate data up to its sync flush)."""
    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(piece[0])


def join(pieces) -> bytes:
    """The gzip member whose unpacked text is the pieces' texts one after another."""
    data = [_HEADER]
    marks = []
    for packed, piece_crc, length in pieces:
        data.append(packed)
        marks.append((piece_crc, length))
    crc, size = _crc_and_size(tuple(marks))
    data.append(_END)
    data.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(data)


@functools.lru_cache(maxsize=1024)
def _crc_and_size(marks: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """CRC-32 and length of the joined text from the pieces' (CRC, length): kept per
    process, since the same pieces are joined for every request until one changes (one
    CRC over ~20 KB of zeros per piece otherwise, ~0.1 ms per answer; ADR 0102)."""
    crc = size = 0
    for piece_crc, length in marks:
        crc = _combine(crc, piece_crc, length)
        size += length
    return crc, size


def _combine(crc_a: int, crc_b: int, length_b: int) -> int:
    """CRC-32 of A + B from crc(A), crc(B) and len(B)."""
    if not length_b:
        return crc_a
    zeros = _ZEROS[:length_b] if length_b <= len(_ZEROS) else bytes(length_b)
    return crc_b ^ zlib.crc32(zeros, crc_a) ^ _crc_of_zeros(length_b)


#: Zero bytes for ``_combine`` without a new buffer per piece (a location's piece: ~20 KB).
_ZEROS = memoryview(bytes(64 * 1024))


@functools.lru_cache(maxsize=1024)
def _crc_of_zeros(length: int) -> int:
    """crc(0^n): the same for every answer with a piece of this length (kept per process)."""
    return zlib.crc32(bytes(length))
