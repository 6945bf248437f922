"""Photo previews against decompression bombs and broken files (issue 18.5): pixels capped before decoding, a
placeholder (never the original) when no preview can be made, and a failure remembered."""
import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.web_fixtures import login, png_bytes
from tracker.extensions import db
from tracker.services.people.users import get_user
from tracker.services.tasks.evidence import IncomingFile, path_of
from tracker.services.tasks.progress import record_progress


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 12000) -> bytes:
    """A grey PNG of side×side pixels, compressed row by row so the test never holds it decoded (~140 KB)."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + one byte a pixel
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _photo(world, name: str, data: bytes):
    task = world.task()
    update = record_progress(get_user("cadre"), task, percent=10, note="现场照片", files=[IncomingFile(name, data)])
    db.session.commit()
    return update.evidence[0]


def _is_placeholder(response) -> bool:
    return response.status_code == 200 and response.mimetype == "image/png" \
        and Image.open(io.BytesIO(response.data)).size == (160, 120)


def test_a_decompression_bomb_gets_a_placeholder_without_being_decoded(client, world):
    data = bomb_png()
    assert len(data) < 1_000_000
    item = _photo(world, "炸弹.png", data)
    login(client, "cadre")
    response = client.get(f"/evidence/{item.id}/thumb")
    assert _is_placeholder(response) and len(response.data) < 10_000
    # The failure is remembered: even with the original gone, no decode is tried again, the placeholder is served.
    path_of(item.stored_name).unlink()
    assert _is_placeholder(client.get(f"/evidence/{item.id}/thumb"))


def test_the_pixel_cap_is_a_setting(app, client, world):
    app.config["THUMBNAIL_MAX_PIXELS"] = 800 * 600 - 1
    item = _photo(world, "大图.png", png_bytes((800, 600)))
    login(client, "cadre")
    assert _is_placeholder(client.get(f"/evidence/{item.id}/thumb"))
    app.config["THUMBNAIL_MAX_PIXELS"] = 800 * 600
    item = _photo(world, "正好.png", png_bytes((800, 600)))
    response = client.get(f"/evidence/{item.id}/thumb")
    assert response.mimetype == "image/jpeg" and max(Image.open(io.BytesIO(response.data)).size) == 320


def test_a_truncated_photo_gets_a_placeholder_never_the_original(client, world):
    whole = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(whole, "PNG")
    item = _photo(world, "截断.png", whole.getvalue()[: len(whole.getvalue()) // 2])
    login(client, "cadre")
    first = client.get(f"/evidence/{item.id}/thumb")
    assert _is_placeholder(first)
    marker = Path(path_of(item.stored_name)).parent / "thumbs" / (item.stored_name.rsplit(".", 1)[0] + ".failed")
    assert marker.exists()
    assert _is_placeholder(client.get(f"/evidence/{item.id}/thumb"))
    assert client.get(f"/evidence/{item.id}").status_code == 200  # the original itself still downloads


def test_a_large_jpeg_is_previewed_through_draft_mode(client, world):
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (20, 120, 200)).save(out, "JPEG", quality=70)
    item = _photo(world, "手机照片.jpg", out.getvalue())
    login(client, "cadre")
    response = client.get(f"/evidence/{item.id}/thumb")
    assert response.mimetype == "image/jpeg" and Image.open(io.BytesIO(response.data)).size == (320, 240)
