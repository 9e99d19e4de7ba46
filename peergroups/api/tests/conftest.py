import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The cast creates eight users; Django's production hasher makes that ~5 s a test.
    # (Worth moving to the root conftest.py for every app.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
