"""Making an uploaded PDF safe to keep: rewritten page by page with pypdf, so the
document's catalogue (its open action, document scripts, attached files, forms and
outline) is left behind, and then scrubbed of whatever the pages still carry: scripts,
launch and other active actions, attached files, XFA forms, and author metadata (the
document information dictionary and XMP). The result is read back and checked; a file
that cannot be rewritten, or that still holds any of it, is refused (inspection.py says
how)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

# Keys whose values are active content or metadata about the author, wherever they are.
BANNED_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",  # additional actions: run on opening a page, focusing a field, ...
        "/OpenAction",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",  # a file specification's embedded file
        "/XFA",
        "/AcroForm",
        "/Names",  # document-level name trees: scripts and attached files live here
        "/Metadata",  # XMP, on the catalogue, a page or an image
        "/PieceInfo",  # private data of the program that wrote the file
        "/RichMediaContent",
        "/RichMediaSettings",
    }
)
# An action that only moves the reader (to another page, or to a web address they
# choose to follow) stays; every other kind runs something, sends something or opens
# another file.
SAFE_ACTIONS = frozenset({"/GoTo", "/URI"})
# The kinds of action (ISO 32000-2, 12.6.4): told apart from other dictionaries with an
# /S entry (a transparency group, a soft mask, a structure element) by these names.
ACTIONS = frozenset(
    {
        "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound",
        "/Movie", "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData",
        "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript",
        "/RichMediaExecute",
    }
)  # fmt: skip
ACTIVE_ACTIONS = ACTIONS - SAFE_ACTIONS
ACTIVE_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
)


class Damaged(Exception):
    """pypdf could not read the file."""


class PasswordProtected(Exception):
    """The file opens only with a password."""


class NotCleanable(Exception):
    """The rewritten file still holds active content or metadata."""


def is_active_action(value: PdfObject | None) -> bool:
    return isinstance(value, DictionaryObject) and (
        str(value.get("/S")) in ACTIVE_ACTIONS
        or (value.get("/Type") == "/Action" and str(value.get("/S")) not in SAFE_ACTIONS)
    )


def active_action(value: PdfObject) -> bool:
    return is_active_action(value.get_object())


def active_annotation(value: PdfObject) -> bool:
    target = value.get_object()
    return isinstance(target, DictionaryObject) and (
        str(target.get("/Subtype")) in ACTIVE_ANNOTATIONS or "/FS" in target
    )


def children(value: PdfObject) -> Iterator[PdfObject]:
    if isinstance(value, DictionaryObject):
        yield from value.values()
    elif isinstance(value, ArrayObject):
        yield from value


def walk(root: PdfObject) -> Iterator[PdfObject]:
    """Every dictionary and array reachable from `root`, each once, without recursion
    (a crafted file may nest objects deeper than Python's stack)."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject | None] = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        if isinstance(value, DictionaryObject | ArrayObject):
            yield value
            stack.extend(children(value))


def scrub(value: PdfObject) -> None:
    """Removes from one dictionary or array what `BANNED_KEYS`, `SAFE_ACTIONS` and
    `ACTIVE_ANNOTATIONS` say must go."""
    if isinstance(value, DictionaryObject):
        for key in list(value.keys()):
            if key in BANNED_KEYS or (key in ("/A", "/Next") and active_action(value[key])):
                del value[key]
        annotations = value.get("/Annots")
        if annotations is not None and isinstance(annotations.get_object(), ArrayObject):
            kept = [a for a in annotations.get_object() if not active_annotation(a)]
            value[NameObject("/Annots")] = ArrayObject(kept)
        if str(value.get("/Type")) == "/Filespec":
            value.clear()
    elif isinstance(value, ArrayObject):
        value[:] = [item for item in value if not active_action(item)]


def leftovers(value: PdfObject | None) -> bool:
    if isinstance(value, DictionaryObject):
        if any(key in BANNED_KEYS for key in value) or is_active_action(value):
            return True
        return str(value.get("/Subtype")) in ACTIVE_ANNOTATIONS or value.get("/Type") in (
            "/Filespec",
            "/EmbeddedFile",
        )
    return False


def rewritten(content: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise PasswordProtected
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for value in list(walk(writer.root_object)):
        scrub(value)
    writer.metadata = None  # no document information: no author, title or program
    # Objects the scrub cut off (a script, an attached file) would otherwise still be
    # written out, unreferenced.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def every_object(reader: PdfReader) -> Iterator[PdfObject | None]:
    """Every object in the file, referenced or not, and the trailer."""
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield IndirectObject(number, generation, reader).get_object()
    for number in reader.xref_objStm:
        yield IndirectObject(number, 0, reader).get_object()


def check_clean(content: bytes) -> None:
    reader = PdfReader(io.BytesIO(content), strict=True)
    if "/Info" in reader.trailer or len(reader.pages) == 0:
        raise NotCleanable
    for value in every_object(reader):
        if leftovers(value):
            raise NotCleanable


def cleaned_pdf(content: bytes) -> bytes:
    """The PDF rewritten without active content or author metadata. Raises Damaged,
    PasswordProtected or NotCleanable."""
    try:
        clean = rewritten(content)
    except PasswordProtected:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a malformed file
        raise Damaged from error
    try:
        check_clean(clean)
    except NotCleanable:
        raise
    except Exception as error:
        raise NotCleanable from error
    return clean
