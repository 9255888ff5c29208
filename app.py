"""The app, for gunicorn and the ``flask`` command."""

from pb import create_app

app = create_app()
