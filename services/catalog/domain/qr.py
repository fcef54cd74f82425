"""QR codes of storefront URLs, as SVG (for screens) and PNG (for printing)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno

# A module is 10 px: a typical storefront URL gives a PNG of about 370 px, sharp at 3 cm.
PNG_SCALE = 10
SVG_SCALE = 10
QUIET_ZONE = 4  # modules of white border, as the QR standard asks
ERROR_CORRECTION = "m"  # survives a crease or a smudge on a printed sheet


@lru_cache(maxsize=512)
def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(
        buffer, kind="svg", scale=SVG_SCALE, border=QUIET_ZONE, xmldecl=False, title=f"QR code for {url}"
    )
    return buffer.getvalue()


@lru_cache(maxsize=512)
def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=PNG_SCALE, border=QUIET_ZONE)
    return buffer.getvalue()


def _qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error=ERROR_CORRECTION, boost_error=True)
