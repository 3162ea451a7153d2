"""newsweave: multilingual news intelligence.

Articles → mentions → entities, quotes and time expressions → events → stories → timelines.
The Python API lives in :mod:`newsweave.api`; the CLI, REST API and web UI are thin faces over it.
"""

__version__ = "0.1.0"
