"""The periodic report as a Word document (python-docx): the form staff edit before signing.

A4, Times New Roman 13, the margins of an administrative document; the
letterhead and the signature block in borderless two-column tables; the
tables of figures with a header row repeated on every page.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt

from tracker.reports.figures import Report
from tracker.reports.text import (
    Block,
    Bullets,
    Heading,
    Letterhead,
    Paragraph,
    Picture,
    Table,
    blocks,
    letterhead,
)

FONT = "Times New Roman"
TEXT_WIDTH = Cm(16)  # A4 less 3 cm on the left and 2 cm on the right


def cell_text(
    cell: object,
    lines: list[tuple[str, dict[str, bool]]],
    align: int = WD_ALIGN_PARAGRAPH.CENTER,
    size: int = 13,
) -> None:
    """Lines into a table cell, each with its own bold, italic or underline."""
    first = True
    for text, style in lines:
        para = cell.paragraphs[0] if first else cell.add_paragraph()  # type: ignore[attr-defined]
        first = False
        para.alignment = align
        para.paragraph_format.space_after = Pt(0)
        run = para.add_run(text)
        run.font.size = Pt(size)
        run.bold = style.get("bold", False)
        run.italic = style.get("italic", False)
        run.underline = style.get("underline", False)


def borderless(table: object) -> None:
    props = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    props.append(borders)


def repeat_header(row: object) -> None:
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)  # type: ignore[attr-defined]


def write_letterhead(document: object, head: Letterhead) -> None:
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    borderless(table)
    left, right = table.rows[0].cells
    table.autofit = False
    for column, width in zip(table.columns, (Cm(6.5), Cm(9.5)), strict=True):
        column.width = width  # the grid, which Word and LibreOffice draw from
        for cell in column.cells:
            cell.width = width
    lines: list[tuple[str, dict[str, bool]]] = []
    if head.superior:
        lines.append((head.superior, {}))
    lines += [(line, {"bold": True}) for line in head.issuer]
    lines.append((head.number, {}))
    cell_text(left, lines, size=12)
    cell_text(
        right,
        [
            (head.motto[0], {"bold": True}),
            (head.motto[1], {"bold": True, "underline": True}),
            ("", {}),
            (head.place_date, {"italic": True}),
        ],
        size=12,
    )
    for text, style, size in (
        ("", {}, 13),
        (head.kind, {"bold": True}, 14),
        (head.title, {"bold": True}, 13),
        (head.window, {"italic": True}, 13),
    ):
        para = document.add_paragraph()  # type: ignore[attr-defined]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.space_after = Pt(0)
        run = para.add_run(text)
        run.font.size = Pt(size)
        run.bold = style.get("bold", False)
        run.italic = style.get("italic", False)


def write_signature(document: object, head: Letterhead) -> None:
    document.add_paragraph()  # type: ignore[attr-defined]
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    borderless(table)
    left, right = table.rows[0].cells
    cell_text(
        left,
        [(head.recipients_title, {"bold": True, "italic": True})]
        + [(f"- {line}", {}) for line in head.recipients],
        align=WD_ALIGN_PARAGRAPH.LEFT,
        size=11,
    )
    cell_text(
        right,
        [(line, {"bold": True}) for line in head.signer_position]
        + [("", {}), ("", {}), ("", {}), (head.signer_name, {"bold": True})],
    )


def page_numbers(section: object) -> None:
    """The page number at the foot of every page, as Word's PAGE field."""
    para = section.footer.paragraphs[0]  # type: ignore[attr-defined]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    para._p.append(field)


def write_table(document: object, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    repeat_header(header)
    for cell, text in zip(header.cells, block.columns, strict=True):
        cell_text(cell, [(text, {"bold": True})], size=10)
    wide = Cm(6) if len(block.columns) > 2 else TEXT_WIDTH // 2
    rest = (TEXT_WIDTH - wide) // max(len(block.columns) - 1, 1)
    for n, values in enumerate(block.rows):
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.RIGHT if i in block.numeric else WD_ALIGN_PARAGRAPH.LEFT
            cell_text(cell, [(text, {"bold": n in block.bold_rows})], align=align, size=10)
    table.autofit = False
    for i, column in enumerate(table.columns):
        column.width = wide if i == block.wide else rest
        for cell in column.cells:
            cell.width = column.width
    document.add_paragraph()  # type: ignore[attr-defined]


def write_block(document: object, block: Block) -> None:
    if isinstance(block, Heading):
        para = document.add_paragraph()  # type: ignore[attr-defined]
        para.paragraph_format.space_before = Pt(6)
        para.paragraph_format.keep_with_next = True
        para.add_run(block.text).bold = True
    elif isinstance(block, Paragraph):
        para = document.add_paragraph()  # type: ignore[attr-defined]
        para.paragraph_format.keep_with_next = block.lead_in
        run = para.add_run(block.text)
        run.italic = block.italic or block.lead_in
    elif isinstance(block, Bullets):
        for item in block.items:
            para = document.add_paragraph()  # type: ignore[attr-defined]
            para.paragraph_format.first_line_indent = Cm(1)
            para.add_run(f"- {item}")
    elif isinstance(block, Table):
        write_table(document, block)
    elif isinstance(block, Picture):
        width = min(Inches(block.image.width), TEXT_WIDTH)
        document.add_picture(io.BytesIO(block.image.png), width=width)  # type: ignore[attr-defined]
        caption = document.add_paragraph(block.image.title)  # type: ignore[attr-defined]
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.runs[0].italic = True


def report_docx(report: Report) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    page_numbers(section)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    head = letterhead(report)
    document.core_properties.title = f"{head.kind} – {head.title}"
    write_letterhead(document, head)
    for block in blocks(report):
        write_block(document, block)
    write_signature(document, head)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
