"""Settings for pytest: the project's settings plus the test-only app that proves core.personal.

``tests.personal_app`` (a Person model using every personal-data field, with pages and an API) is installed
only here, so ``manage.py makemigrations --check`` with the real settings never sees it; its own migrations are
checked by tests/personal/test_personal_app_migrations.py.
"""

from .settings import *  # noqa: F403

TESTING = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.personal_app"]  # noqa: F405
ROOT_URLCONF = "tests.personal_app.root_urls"
