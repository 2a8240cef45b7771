"""What an uploaded file is, judged by its content and never by its name, and the copy
of it that is safe to keep: images are decoded and re-encoded, so that nothing but the
pixels (and the colour profile) survives: no EXIF, no GPS position, no XMP, no comments,
and nothing hidden after the image data. PDFs are rewritten without scripts, actions,
attached files, XFA forms or author metadata (pdf.py), or refused."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from safehold.errors import Refusal
from safehold.evidence import pdf
from safehold.evidence.models import ContentType

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel photo: more than any phone camera's default
PDF_HEADER = b"%PDF-"
PDF_TRAILER = b"%%EOF"
PDF_TRAILER_WINDOW = 1024  # readers look for %%EOF in the last 1024 bytes
# MPO is how Pillow names a JPEG carrying extra pictures (many phone cameras write a
# depth map or preview after the photo); the photo itself is kept, as a JPEG.
IMAGE_FORMATS = {
    "JPEG": ContentType.JPEG,
    "MPO": ContentType.JPEG,
    "PNG": ContentType.PNG,
    "WEBP": ContentType.WEBP,
}
ACCEPTED = "a JPG, PNG or WebP image, or a PDF"


@dataclass(frozen=True)
class Cleaned:
    content_type: ContentType
    content: bytes


def unsupported() -> Refusal:
    return Refusal("unsupported_file_type", f"The selected file must be {ACCEPTED}", field="upload")


def corrupt() -> Refusal:
    return Refusal(
        "corrupt_file",
        "The selected file is damaged or incomplete: it cannot be opened",
        field="upload",
    )


def pdf_not_cleanable() -> Refusal:
    return Refusal(
        "pdf_not_cleanable",
        "The selected PDF holds scripts or attached files that could not be removed: "
        "print it to a new PDF, or scan it, and upload that",
        field="upload",
    )


def pdf_password_protected() -> Refusal:
    return Refusal(
        "pdf_password_protected",
        "The selected PDF is protected with a password: remove the password and upload it again",
        field="upload",
    )


def too_large() -> Refusal:
    return Refusal(
        "file_too_large",
        f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)}MB",
        field="upload",
    )


def check_size(size: int) -> None:
    if size == 0:
        raise Refusal("empty_file", "The selected file is empty", field="upload")
    if size > MAX_BYTES:
        raise too_large()


def cleaned(content: bytes) -> Cleaned:
    """The content to keep and its type, or a Refusal saying why it cannot be kept."""
    check_size(len(content))
    if content.startswith(PDF_HEADER):
        if PDF_TRAILER not in content[-PDF_TRAILER_WINDOW:]:
            raise corrupt()
        return Cleaned(ContentType.PDF, cleaned_pdf(content))
    return cleaned_image(content)


def cleaned_pdf(content: bytes) -> bytes:
    try:
        return pdf.cleaned_pdf(content)
    except pdf.Damaged:
        raise corrupt() from None
    except pdf.PasswordProtected:
        raise pdf_password_protected() from None
    except pdf.NotCleanable:
        raise pdf_not_cleanable() from None


def cleaned_image(content: bytes) -> Cleaned:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(content))
        except UnidentifiedImageError:
            raise unsupported() from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise too_many_pixels() from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise corrupt() from None
    with image:
        content_type = IMAGE_FORMATS.get(image.format or "")
        if content_type is None:
            raise unsupported()
        if image.width * image.height > MAX_PIXELS:
            raise too_many_pixels()
        if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
            raise Refusal(
                "unsupported_file_type", "The selected image must not be animated", field="upload"
            )
        # Another library (WeasyPrint) may have relaxed this process-wide flag; a
        # truncated image must never be padded out and accepted as evidence.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError):
            raise corrupt() from None
        return Cleaned(content_type, reencoded(image, content_type))


def too_many_pixels() -> Refusal:
    return Refusal(
        "file_too_large",
        f"The selected image must be smaller than {MAX_PIXELS // 1_000_000} megapixels",
        field="upload",
    )


def reencoded(image: Image.Image, content_type: ContentType) -> bytes:
    """The pixels alone, turned the way the camera meant (the orientation tag goes with
    the rest of the EXIF), in the same format. The colour profile is kept: without it the
    colours of a photo, such as a bruise's, may shift."""
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    upright.info = {k: v for k, v in image.info.items() if k == "transparency"}
    options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
    out = io.BytesIO()
    if content_type == ContentType.JPEG:
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, format="JPEG", quality=95, **options)
    elif content_type == ContentType.PNG:
        upright.save(out, format="PNG", optimize=True, **options)
    else:
        upright.save(out, format="WEBP", quality=90, **options)
    return out.getvalue()
