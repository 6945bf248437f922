"""Small JPEG previews of photo evidence, made once and kept beside the originals (phones on slow networks)."""
import logging
from pathlib import Path

from flask import current_app

from tracker.models import Evidence
from tracker.services.tasks.evidence import path_of

log = logging.getLogger(__name__)
SIZE = (320, 320)


def thumbnail_path(item: Evidence) -> Path | None:
    """The preview of a photo, made on first use; None when the file is not an image Pillow can read."""
    if not item.is_image:
        return None
    folder = Path(current_app.config["UPLOAD_DIR"]) / "thumbs"
    target = folder / f"{item.stored_name.rsplit('.', 1)[0]}.jpg"
    if target.exists():
        return target
    source = path_of(item.stored_name)
    if not source.exists():
        return None
    try:
        from PIL import Image, ImageOps
        with Image.open(source) as image:
            image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
            image.thumbnail(SIZE)
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            image.convert("RGB").save(partial, "JPEG", quality=80)
            partial.replace(target)  # atomic, so a concurrent request never reads half a file
    except Exception:  # a photo Pillow cannot decode is still served whole, never an error page
        log.warning("no thumbnail for evidence %s", item.id, exc_info=True)
        return None
    return target
