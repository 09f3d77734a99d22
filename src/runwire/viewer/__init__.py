"""The local web trace viewer (`runwire ui`): a read-only page over the SQLite trace store.

`reader` queries the store (keyset-paged run lists, one trace with its events), `app` is the
WSGI application (JSON API, static files, security headers), `server` binds it to loopback.
The front end is plain JS/CSS in `static/`, shipped in the package: no build step, nothing
fetched from the internet. Not here: writing traces (`runwire.tracers.sqlite`).
"""

from __future__ import annotations

from runwire.viewer.app import ViewerApp
from runwire.viewer.server import serve

__all__ = ["ViewerApp", "serve"]
