"""A test-only app (installed by config/settings_test.py) proving core.personal on a Person model."""
