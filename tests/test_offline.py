"""The app works offline: nothing in it opens a network connection.

Two proofs: every test in the suite runs with outbound sockets and name lookups blocked
(see ``_no_network`` in conftest.py, checked here to really block), and no module of the
package imports a network library.
"""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

import designer

NETWORK_MODULES = {"socket", "urllib", "urllib2", "http", "httpx", "requests", "aiohttp", "ftplib",
                   "smtplib", "xmlrpc", "websocket", "websockets", "PySide6.QtNetwork", "QtNetwork"}


def test_sockets_are_blocked_for_the_whole_suite():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match="network access attempted"):
            s.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed
    finally:
        s.close()
    with pytest.raises(OSError, match="name lookup attempted"):
        socket.getaddrinfo("example.com", 443)


def test_no_module_imports_a_network_library():
    root = Path(designer.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for n in names:
                if n in NETWORK_MODULES or n.split(".")[0] in NETWORK_MODULES:
                    offenders.append(f"{path.relative_to(root)}: {n}")
    assert offenders == []


def test_the_app_opens_the_sample_offline(sample_project):
    # loading the bundled sample and its catalog touches nothing but local files
    from designer.io.catalog_store import load_catalog

    cat, errors = load_catalog(sample_project)
    assert len(cat) > 20 and errors == []
