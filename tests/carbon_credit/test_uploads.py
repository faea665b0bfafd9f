"""Photo uploads are recognised by their bytes, size-limited and stored under a random name."""

from __future__ import annotations

import pytest

from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
from carbon_credit.platform.uploads import discard_photo, photo_path, store_photo

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)


@pytest.fixture
def upload_settings(tmp_path) -> Settings:
    return Settings(env="test", upload_folder=str(tmp_path / "uploads"), max_upload_bytes=1024)


@pytest.mark.parametrize(("data", "extension"), [(PNG, ".png"), (JPEG, ".jpg"), (WEBP, ".webp")])
def test_images_are_stored_with_a_random_name_and_the_detected_extension(upload_settings, data, extension):
    name = store_photo(settings=upload_settings, data=data, filename="../../我的树.JPG")
    assert name.endswith(extension) and len(name) == 32 + len(extension)
    assert photo_path(settings=upload_settings, name=name).read_bytes() == data
    assert store_photo(settings=upload_settings, data=data, filename="x") != name


def test_a_text_file_named_jpg_is_refused(upload_settings):
    with pytest.raises(DomainError) as caught:
        store_photo(settings=upload_settings, data=b"just some text, honestly", filename="tree.jpg")
    assert caught.value.code == "invalid_photo"


def test_an_empty_file_is_refused(upload_settings):
    with pytest.raises(DomainError) as caught:
        store_photo(settings=upload_settings, data=b"", filename="tree.png")
    assert caught.value.code == "invalid_photo"


def test_a_too_large_file_is_refused_with_the_limit(upload_settings):
    big = upload_settings.with_overrides(max_upload_bytes=2 * 1024 * 1024)
    with pytest.raises(DomainError) as caught:
        store_photo(settings=big, data=PNG + bytes(2 * 1024 * 1024), filename="tree.png")
    assert (caught.value.code, caught.value.params) == ("photo_too_large", {"limit_mb": "2"})


def test_nothing_is_written_for_a_refused_file(upload_settings, tmp_path):
    with pytest.raises(DomainError):
        store_photo(settings=upload_settings, data=b"GIF89a....", filename="a.gif")
    folder = tmp_path / "uploads"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_stored_names_cannot_point_outside_the_folder(upload_settings):
    name = store_photo(settings=upload_settings, data=PNG, filename="a.png")
    discard_photo(settings=upload_settings, name=name)
    assert not photo_path(settings=upload_settings, name=name).exists()
    for hostile in ("../etc/passwd", "a" * 32 + ".png/../../x", "a" * 32 + ".exe"):
        with pytest.raises(DomainError):
            photo_path(settings=upload_settings, name=hostile)
