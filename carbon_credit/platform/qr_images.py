"""QR code images for vouchers: inline SVG for web pages, PNG bytes for the Telegram bot.

Both use the ``qrcode`` package's pure-Python factories (no Pillow): SvgPathFillImage (one path on a white
background) and PyPNGImage (pypng).
"""

from __future__ import annotations

import io
import re

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathFillImage

PNG_BOX_PIXELS = 10  # pixels per module: a 21x21 code with its border is 290 px wide
BORDER_MODULES = 4  # the quiet zone the QR standard asks for


def _code(data: str, factory) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=PNG_BOX_PIXELS,
        border=BORDER_MODULES,
        image_factory=factory,
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> str:
    """Inline-able ``<svg>`` markup (no XML declaration) that scales to its container's width."""
    markup = _code(data, SvgPathFillImage).make_image().to_string(encoding="unicode")
    # The factory sizes the drawing in millimetres; let CSS size it instead (the viewBox keeps the shape).
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        '<svg width="100%" height="100%" role="img" aria-label="QR"',
        markup,
        count=1,
    )


def qr_png(data: str) -> bytes:
    """PNG bytes of the QR code (black on white, 1-bit greyscale)."""
    buffer = io.BytesIO()
    _code(data, PyPNGImage).make_image().save(buffer)
    return buffer.getvalue()
