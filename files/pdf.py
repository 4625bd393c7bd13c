"""The PDFs the portal makes (a mandate to sign, a payment slip, an
attestation): one page layout for all. fpdf2 with the PDF core fonts in
Windows-1252 (French accents, « », €, œ): no font file to ship."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats
from fpdf import FPDF


def amount_text(value: Decimal) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True) + " €"


def date_text(value: dt.date) -> str:
    return formats.date_format(value, "j F Y", use_l10n=True)


def safe(text: str) -> str:
    """What Windows-1252 cannot hold (a rare letter, an emoji) becomes « ? »
    instead of failing the whole document."""
    return str(text).encode("windows-1252", errors="replace").decode("windows-1252")


class Document(FPDF):
    """An A4 page with its title; add text blocks, rows and headings, then ``bytes()``."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.set_title(safe(title))
        self.set_author("Inscrire")
        self.set_auto_page_break(True, margin=18)
        self.add_page()
        self.set_margins(18, 18, 18)
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(0, 9, safe(title), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def text_block(self, text: str, *, size: int = 11, bold: bool = False, height: float = 6) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, height, safe(text), new_x="LMARGIN", new_y="NEXT")

    def row(self, label: str, value: str) -> None:
        self.set_font("Helvetica", "", 10)
        self.cell(62, 7, safe(label), border=1)
        self.set_font("Helvetica", "B", 10)
        self.multi_cell(0, 7, safe(value) or " ", border=1, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, safe(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.output())
