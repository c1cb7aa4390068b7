"""Browser tests (headless Chromium); the fixtures are in conftest.py."""
