"""Files an officer might upload, made in the test: photos with and without location,
a PDF, an executable under a photo's name, and damaged copies."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# Where the photo was taken: what must never reach the database or a download.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
}
CAMERA_OWNER = "Zephyrine's phone"
XMP_PLACE = "Wistmoor Crescent"
# A Windows executable's opening bytes ("MZ", the DOS stub's message, a PE header).
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 20
    + b"PE\x00\x00L\x01"
    + b"\x00" * 400
)


def noisy_image(width: int = 120, height: int = 90, mode: str = "RGB") -> Image.Image:
    """Random pixels, so a compressed copy is large enough to cut short."""
    rng = random.Random(4)  # noqa: S311 - test pixels, not secrets
    image = Image.new(mode, (width, height))
    image.putdata([tuple(rng.randrange(256) for _ in mode) for _ in range(width * height)])
    return image


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def png() -> bytes:
    return encoded(noisy_image(), "PNG")


def webp() -> bytes:
    return encoded(noisy_image(), "WEBP")


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Snoopcam"
    exif[ExifTags.Base.Artist] = CAMERA_OWNER
    exif[ExifTags.Base.GPSInfo] = GPS
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f"<rdf:Description>{XMP_PLACE}</rdf:Description></x:xmpmeta>"
    )
    return encoded(
        noisy_image(), "JPEG", exif=exif, xmp=xmp.encode(), comment=CAMERA_OWNER.encode()
    )


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", XMP_PLACE)
    exif = Image.Exif()
    exif[ExifTags.Base.GPSInfo] = GPS
    return encoded(noisy_image(), "PNG", pnginfo=info, exif=exif)


def jpeg_turned_on_its_side() -> bytes:
    """A landscape sensor image the camera marks "rotate 90 degrees" (orientation 6)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    return encoded(noisy_image(60, 20), "JPEG", exif=exif)


def pdf() -> bytes:
    return encoded(noisy_image(30, 30), "PDF", title="Wistmoor tenancy letter")


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
