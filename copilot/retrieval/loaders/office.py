"""PDF and DOCX loaders."""

from __future__ import annotations

import logging
from pathlib import Path

from copilot.errors import InputError
from copilot.messages import msg
from copilot.retrieval.loaders.base import Loaded, Section, is_zh
from copilot.retrieval.loaders.markdown import split_headings


def load_pdf(path: Path, source: str) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its own warnings for damaged files; the InputError below is what users see.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(
                msg("PDF 已加密", "the PDF is encrypted"),
                where=source,
                hint=msg("请导出未加密版本", "export a version without encryption"),
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(
            msg(f"无法读取 PDF: {exc}", f"unreadable PDF: {exc}"),
            where=source,
            hint=msg(
                "确认文件是完整的 PDF(不是改了扩展名的其他文件)",
                "check that the file is a complete PDF (not another file renamed to .pdf)",
            ),
        ) from None
    sections = [
        Section(text=t.strip(), heading=f"第{i}页" if is_zh(t) else f"page {i}")
        for i, t in enumerate(pages, start=1)
        if t.strip()
    ]
    if not sections:
        raise InputError(
            msg(
                "PDF 中没有可提取的文字(可能是扫描件)",
                "no extractable text in the PDF (it may be a scan)",
            ),
            where=source,
            hint=msg("扫描件请先做 OCR", "run OCR on a scan first"),
        )
    return Loaded(sections=sections)


def load_docx(path: Path, source: str) -> Loaded:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except SyntaxError as exc:  # lxml's XMLSyntaxError: a damaged part inside the zip
        raise InputError(
            msg(f"docx 内部的 XML 已损坏: {exc}", f"broken XML inside the docx: {exc}"),
            where=source,
            hint=msg(
                "用 Word 打开并修复后另存为 .docx 再导入",
                "open and repair it in Word, save as .docx and ingest again",
            ),
        ) from None
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(
            msg(f"无法读取 docx: {exc}", f"unreadable docx: {exc}"),
            where=source,
            hint=msg("用 Word 另存为 .docx 后重试", "save it as .docx from Word and retry"),
        ) from None
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith("heading") and paragraph.text.strip():
            level = int(style[-1]) if style[-1].isdigit() else 1
            lines.append(f"{'#' * level} {paragraph.text.strip()}")
        else:
            lines.append(paragraph.text)
    sections = [
        Section(text=body, heading=heading)
        for heading, body in split_headings("\n".join(lines), "")
    ]
    return Loaded(sections=sections)
