"""QR codes: the PNG really holds the QR symbol of the URL, with a quiet zone, large enough to print."""

from __future__ import annotations

import struct
import zlib

import segno

from services.catalog.domain.qr import PNG_SCALE, QUIET_ZONE, qr_png, qr_svg

URL = "https://orders.example.com/s/demo-bakery"


def read_png(data: bytes) -> list[list[bool]]:
    """Decode a 1-bit greyscale or palette PNG (what segno writes) into rows of dark pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, palette = 8, b"", None
    width = height = depth = colour = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"PLTE":
            palette = [body[i : i + 3] for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat += body
    assert depth == 1 and colour in (0, 3)
    raw, stride, rows = zlib.decompress(idat), (width + 7) // 8, []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = unfilter(raw[start], raw[start + 1 : start + 1 + stride], previous)
        previous = line
        bits = [(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)]
        if palette is not None:
            rows.append([palette[bit] == b"\x00\x00\x00" for bit in bits])
        else:
            rows.append([bit == 0 for bit in bits])
    return rows


def unfilter(kind: int, line: bytes, above: bytes) -> bytes:
    """Undo a PNG scanline filter (one byte per pixel group at bit depth 1)."""
    out = bytearray(len(line))
    for i, value in enumerate(line):
        left = out[i - 1] if i else 0
        up, corner = above[i], above[i - 1] if i else 0
        if kind == 0:
            predicted = 0
        elif kind == 1:
            predicted = left
        elif kind == 2:
            predicted = up
        elif kind == 3:
            predicted = (left + up) // 2
        else:
            estimate = left + up - corner
            distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
            predicted = (left, up, corner)[distances.index(min(distances))]
        out[i] = (value + predicted) & 0xFF
    return bytes(out)


def test_the_png_is_the_qr_symbol_of_the_url_with_a_quiet_zone() -> None:
    pixels = read_png(qr_png(URL))
    matrix = segno.make_qr(URL, error="m", boost_error=True).matrix
    modules = len(matrix)
    assert len(pixels) == len(pixels[0]) == (modules + 2 * QUIET_ZONE) * PNG_SCALE
    for y in range(len(pixels)):
        for x in range(len(pixels)):
            my, mx = y // PNG_SCALE - QUIET_ZONE, x // PNG_SCALE - QUIET_ZONE
            expected = 0 <= my < modules and 0 <= mx < modules and bool(matrix[my][mx])
            assert pixels[y][x] == expected, (x, y)


def test_the_png_is_big_enough_to_print() -> None:
    width = len(read_png(qr_png(URL))[0])
    assert width >= 290  # the smallest symbol (21 modules + quiet zone) at 10 px a module


def test_the_svg_is_a_scalable_image_with_a_title() -> None:
    svg = qr_svg(URL).decode()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert f"<title>QR code for {URL}</title>" in svg


def test_different_urls_give_different_codes() -> None:
    assert qr_png(URL) != qr_png(URL + "-2")
    assert qr_svg(URL) != qr_svg(URL + "-2")
