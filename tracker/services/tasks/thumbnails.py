"""Small JPEG previews of photo evidence, made once and kept beside the originals (phones on slow networks).

A photo that cannot be previewed — too many pixels (a decompression bomb: a 420 KB PNG of 12000×12000 took a
worker to 1.26 GB), truncated, or not an image Pillow reads — gets a small placeholder instead, never the
original, and is remembered so it is not decoded again on every view (issue 18.5).
"""
import logging
import warnings
from pathlib import Path

from flask import current_app

from tracker.models import Evidence
from tracker.services.tasks.evidence import path_of

log = logging.getLogger(__name__)
SIZE = (320, 320)
PLACEHOLDER = "_placeholder.png"
FAILED = ".failed"  # an empty marker beside the preview it stands for


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "thumbs"


def placeholder_path() -> Path:
    """A small grey picture shown for a photo with no preview (written once per upload folder)."""
    target = _folder() / PLACEHOLDER
    if not target.exists():
        from PIL import Image
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        Image.new("RGB", (160, 120), (221, 221, 221)).save(partial, "PNG")
        partial.replace(target)
    return target


def _make(source: Path, target: Path, max_pixels: int) -> None:
    """Write the preview; raises for a photo that has too many pixels or cannot be decoded."""
    from PIL import Image, ImageOps
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own guard, for every image it opens in this process
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as image:  # reads the header only
            width, height = image.size
            if width * height > max_pixels:  # checked before a single pixel is decoded
                raise ValueError(f"{width}×{height} exceeds {max_pixels} pixels")
            image.draft("RGB", SIZE)  # JPEG decodes at 1/2…1/8 scale straight away
            image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
            image.thumbnail(SIZE, reducing_gap=2.0)  # reduce() by whole factors first, then resample
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            image.convert("RGB").save(partial, "JPEG", quality=80)
            partial.replace(target)  # atomic, so a concurrent request never reads half a file


def thumbnail_path(item: Evidence) -> tuple[Path, str] | None:
    """The preview of a photo and its type, made on first use: a placeholder when it cannot be made;
    None when the evidence is not a photo or its file is missing."""
    if not item.is_image:
        return None
    target = _folder() / f"{item.stored_name.rsplit('.', 1)[0]}.jpg"
    if target.exists():
        return target, "image/jpeg"
    failed = target.with_suffix(FAILED)
    if failed.exists():
        return placeholder_path(), "image/png"
    source = path_of(item.stored_name)
    if not source.exists():
        return None
    try:
        _make(source, target, current_app.config["THUMBNAIL_MAX_PIXELS"])
    except Exception:  # any photo Pillow refuses or cannot decode: a placeholder, never an error page
        log.warning("no thumbnail for evidence %s", item.id, exc_info=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        failed.touch()
        return placeholder_path(), "image/png"
    return target, "image/jpeg"
